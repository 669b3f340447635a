package pool

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/ctrlc-go/ctrlc/internal/stack"
	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heapAlloc is the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC() // a second cycle frees what the first one's finalizers released
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// A long-lived pool whose handler fails keeps its memory and its error's
// text bounded: 200,000 items of 1 KB fail (one in ten by panicking with
// the item as the value) before any shutdown, and the live heap grows by a
// few MB at most, where keeping each error with its item would hold over
// 200 MB. This measures memory, not time.
func TestFailingItemsKeepMemoryAndErrorTextBounded(t *testing.T) {
	const (
		items    = 200_000
		itemSize = 1 << 10
		maxGrow  = 4 << 20
	)
	errBad := errors.New("bad record")
	before := heapAlloc()
	p, err := New(func(_ context.Context, b []byte) error {
		if b[0] == 9 {
			panic(b) // a value as large as the item, and a stack, per panic
		}
		return errBad
	}, Options{Workers: 4})
	require.NoError(t, err)
	for i := 0; i < items; i++ {
		b := make([]byte, itemSize) // a fresh 1 KB each: kept only if the pool keeps it
		b[0] = byte((i + 9) % 10)   // item 0 panics, and one in ten after it
		require.NoError(t, p.Submit(context.Background(), b))
		if i == 0 { // its error is the first kept, whatever the workers' order after it
			require.Eventually(t, func() bool { return p.Stats().Panicked == 1 }, time.Minute, time.Millisecond)
		}
	}
	require.Eventually(t, func() bool { s := p.Stats(); return s.Failed+s.Panicked == items },
		time.Minute, time.Millisecond)
	after := heapAlloc()
	runtime.KeepAlive(p) // live while measured: what it keeps is in the heap
	grew := int64(after) - int64(before)
	t.Logf("heap after %d failed items of %d bytes: %d bytes before, %d after, grew %d bytes (%.2f MB)",
		items, itemSize, before, after, grew, float64(grew)/(1<<20))
	assert.Less(t, grew, int64(maxGrow), "the pool keeps only the first MaxItemErrors errors, each with its item")

	r, err := closeAndRun(t, p)
	require.Error(t, err)
	assert.Equal(t, items*9/10, r.Failed)
	assert.Equal(t, items/10, r.Panicked)
	assert.Len(t, r.Errors, defaultMaxItemErrors)
	assert.True(t, r.Balanced())
	text := err.Error()
	t.Logf("Run's error: %d bytes; its first lines:\n%.400s", len(text), text)
	assert.Less(t, len(text), 8<<10, "the error's text is bounded")
	longest := 0
	for _, ie := range r.Errors {
		longest = max(longest, len(ie.Error()))
		assert.Contains(t, ie.Error(), "([]uint8, len 1024)", "the item's short form")
	}
	t.Logf("the longest of the %d item errors kept: %d bytes", len(r.Errors), longest)
	assert.LessOrEqual(t, longest, 300)
	var me *multierror.Error
	require.ErrorAs(t, err, &me)
	for _, e := range me.Errors {
		assert.LessOrEqual(t, len(e.Error()), 300, "%.400s", e.Error())
	}
	assert.ErrorContains(t, stageOf(r, StageRun).Err, "more item errors not kept (MaxItemErrors is 20)")
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "panic: ([]uint8, len 1024)", pe.Error(), "the panic's text leaves the value and the stack out")
	assert.NotEmpty(t, pe.Stack)
}

// An idle pool's shutdown allocates next to nothing: New makes what it
// needs (the budget, its contexts and timers, the report), because a stop is
// when a program can least wait for fresh memory, and a shutdown that
// allocates pays for it in page faults. It was 82 objects before.
func TestIdleShutdownAllocatesLittle(t *testing.T) {
	const most = 20
	for _, opts := range []Options{{Workers: 8}, {Workers: 1, Policy: Skip}} {
		p, err := New(func(context.Context, int) error { return nil }, opts)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r, err := p.Run(ctx)
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		require.True(t, r.Balanced())
		n := after.Mallocs - before.Mallocs
		t.Logf("%+v: %d objects, %d bytes", opts, n, after.TotalAlloc-before.TotalAlloc)
		assert.LessOrEqual(t, n, uint64(most), "objects allocated by the shutdown of an idle pool (%+v)", opts)
	}
}

// TestShutdownFitsReservedStack checks that the stages, which run on Run's
// goroutine, fit in the stack Run reserves before it waits (stack.Reserve):
// with that much reserved, the goroutine's stack must not move (grow) during
// a shutdown with hooks that fail, items that fail, and a logger.
func TestShutdownFitsReservedStack(t *testing.T) {
	for _, opts := range []Options{
		{Workers: 8},
		{Workers: 1, Policy: Skip, Logger: slog.New(slog.DiscardHandler)},
	} {
		p, err := New(func(context.Context, int) error { return errors.New("failed") }, opts)
		require.NoError(t, err)
		require.NoError(t, p.BeforeStop("before", func(context.Context) error { return errors.New("before failed") }))
		require.NoError(t, p.OnStop("after", func(context.Context) error { return errors.New("after failed") }))
		for i := range 4 {
			require.NoError(t, p.Submit(context.Background(), i))
		}
		ctx, cancel := context.WithCancel(context.Background())
		moved := make(chan bool)
		go func() {
			stack.Reserve(0) // what Run reserves, here ahead of the call
			var local byte
			at := uintptr(unsafe.Pointer(&local))
			cancel()
			_, err := p.Run(ctx)
			assert.Error(t, err)
			moved <- uintptr(unsafe.Pointer(&local)) != at
		}()
		assert.False(t, <-moved, "%+v: the goroutine's stack grew during the shutdown: stack.Size (%d bytes) is too small", opts, stack.Size)
	}
}
