package ctrlc

import (
	"os/signal"
	"unsafe"

	"golang.org/x/sys/unix"
)

// toDefault sets sig's action to the default (death by sig) with one
// rt_sigaction(2). signal.Reset would do it too, but through the runtime's
// signal thread (a wake-up and a wait) and by leaving the Go handler in
// place, which on the raise re-raises the signal from the thread that took
// it: two deliveries where one does. The process is about to end, so the
// runtime never learns that its handler is gone.
func toDefault(sig unix.Signal) {
	// SIG_DFL, no flags, an empty mask: all zeros in every architecture's
	// struct sigaction, so one zeroed buffer, large enough for any, fits.
	var act [8]uint64
	// The kernel takes only the size of its own sigset_t: 8 bytes, and 16
	// on MIPS (the second try).
	for _, size := range []uintptr{8, 16} {
		_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, size, 0, 0)
		if errno == 0 {
			return
		}
	}
	signal.Reset(sig)
}
