package pool

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A hook that honours its context returns as soon as HookTimeout ends it:
// it is reported as timed out with its own error, never as left running,
// which is what a hook that ignores its context is.
func TestAHookThatHonoursItsContextIsNotLeftRunning(t *testing.T) {
	for it := 0; it < 30; it++ {
		p, err := New(nop, Options{Workers: 1, HookTimeout: 5 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, p.OnStop("slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }))
		r, err := stopNow(p)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "iteration %d: the hook's own error", it)
		assert.ErrorIs(t, err, ErrTimeout)
		require.EqualError(t, stageOf(r, StageOnStop).Err,
			"1 error occurred:\n\t* on-stop: slow: pool: timed out after 5ms: context deadline exceeded", "iteration %d", it)
	}
	// One that ignores it is left running, and says so.
	release := make(chan struct{})
	defer close(release)
	p, err := New(nop, Options{Workers: 1, HookTimeout: 5 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, p.OnStop("stuck", func(context.Context) error { <-release; return nil }))
	_, err = stopNow(p)
	assert.ErrorContains(t, err, "on-stop: stuck: did not return within 5ms, left running: pool: timed out: HookTimeout (5ms)")
}

// The shutdown's error lists every error, one a line, and ends with the
// last: no blank lines for a program that prints it to carry.
func TestShutdownErrorEndsWithItsLastError(t *testing.T) {
	p, err := New(nop, Options{Workers: 1})
	require.NoError(t, err)
	require.NoError(t, p.BeforeStop("a", func(context.Context) error { return errors.New("boom") }))
	require.NoError(t, p.OnStop("b", func(context.Context) error { return errors.New("bang") }))
	r, err := stopNow(p)
	require.EqualError(t, err, "2 errors occurred:\n\t* before-stop: a: boom\n\t* on-stop: b: bang")
	require.EqualError(t, stageOf(r, StageBeforeStop).Err, "1 error occurred:\n\t* before-stop: a: boom")
}
