package ctrlc_test

import (
	"context"
	"log/slog"
	"testing"
	"time"
	"unsafe"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/internal/stack"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeliveryFitsReservedStack checks that the delivery of events, which a
// signal watcher runs after stack.Reserve, fits in that reserve: with it,
// the goroutine's stack must not move (grow) while the first event cancels
// a context with a tree of contexts under it, as a program hangs its work
// on it, and the second hurries a pool's drain, with a logger on both.
func TestDeliveryFitsReservedStack(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit(), ctrlc.WithLogger(logger))
	require.NoError(t, err)
	defer stop()
	child, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	defer context.AfterFunc(child, func() {})()
	_, cancelCause := context.WithCancelCause(child)
	defer cancelCause(nil)

	p, err := pool.New(func(ctx context.Context, _ int) error { <-ctx.Done(); return context.Cause(ctx) },
		pool.Options{Workers: 1, Logger: logger})
	require.NoError(t, err)
	draining := make(chan struct{})
	require.NoError(t, p.BeforeStop("draining", func(context.Context) error { close(draining); return nil }))
	require.NoError(t, p.Submit(context.Background(), 1))
	report := make(chan *pool.Report[int])
	go func() {
		r, _ := p.Run(ctx)
		report <- r
	}()

	moved := make(chan bool)
	go func() {
		stack.Reserve(0) // what a watcher reserves, here ahead of the delivery
		var local byte
		at := uintptr(unsafe.Pointer(&local))
		assert.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}))
		<-draining
		assert.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt})) // the hurry
		moved <- uintptr(unsafe.Pointer(&local)) != at
	}()
	assert.False(t, <-moved, "the goroutine's stack grew during the delivery: stack.Size (%d bytes) is too small", stack.Size)
	r := <-report
	assert.Len(t, r.Interrupted, 1, "the second event hurried the drain")
}
