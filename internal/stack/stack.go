// Package stack grows a goroutine's stack ahead of the work that needs it.
//
// A goroutine starts with a small stack and grows it by copying, when a call
// needs more: the copy walks every frame, and the larger stack is memory the
// process may never have touched, whose first touch costs several
// microseconds on a virtual machine that backs its memory lazily. For the
// library's own goroutines that wait for a stop (the signal watchers, Run),
// that cost would fall at the stop; Reserve pays it while they start.
package stack

// Size is the room Reserve makes below its caller's frame. A stack grows by
// doubling, so a goroutine that starts with Reserve gets an 8 KB stack. A
// pool's shutdown fits in 2 KB of room and the delivery of an event in 2 to
// 4 KB (TestShutdownFitsReservedStack in pool and
// TestDeliveryFitsReservedStack in ctrlc pass with those reserves and fail
// with half of them).
const Size = 4 << 10

// Reserve grows the calling goroutine's stack, now, to hold Size bytes
// below the caller's frame. The runtime shrinks a stack only at a garbage
// collection, when most of it is unused; a program that collects garbage
// has warm memory to grow into again. i only keeps the compiler from
// removing the frame.
//
//go:noinline
func Reserve(i int) byte {
	var pad [Size]byte
	return pad[i%Size]
}
