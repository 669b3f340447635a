package pool

import (
	"context"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// untilCancelled returns an item handler that works until its context
// ends, and a channel that gets the time it ended.
func untilCancelled() (func(context.Context, int) error, chan time.Time) {
	cancelled := make(chan time.Time, 1)
	return func(ctx context.Context, _ int) error {
		<-ctx.Done()
		cancelled <- time.Now()
		return context.Cause(ctx)
	}, cancelled
}

// needs returns an OnStop function that needs d of work under a live
// context, and a channel telling whether it got it.
func needs(d time.Duration) (func(context.Context) error, chan bool) {
	got := make(chan bool, 1)
	return func(ctx context.Context) error {
		select {
		case <-time.After(d):
			got <- true
			return nil
		case <-ctx.Done():
			got <- false
			return context.Cause(ctx)
		}
	}, got
}

// A drain that would run past the budget ends early enough for the OnStop
// hook to get its HookTimeout: the store closes properly.
func TestDrainKeepsTimeForOnStop(t *testing.T) {
	work, _ := untilCancelled()
	p, err := New(work,
		Options{Workers: 1, ShutdownTimeout: time.Second, DrainTimeout: time.Hour, HookTimeout: 400 * time.Millisecond})
	require.NoError(t, err)
	hook, got := needs(200 * time.Millisecond)
	require.NoError(t, p.OnStop("close store", hook))
	require.NoError(t, p.Submit(context.Background(), 1))
	r, err := stopNow(p)
	assert.True(t, <-got, "the hook got its 200 ms under a live context")
	assert.NoError(t, stageOf(r, StageOnStop).Err)
	assert.ErrorIs(t, err, ErrTimeout, "the drain's share of the budget ended it")
	assert.ErrorContains(t, err, "the shutdown's budget of 1s, less 400ms kept for the OnStop hooks, is spent")
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.True(t, r.Balanced())
}

// The wait for cancelled items keeps the reserve too: an item that ignores
// its context is abandoned before the hooks' time, not at the budget's end.
func TestCancelGraceKeepsTimeForOnStop(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	p, err := New(func(context.Context, int) error { <-release; return nil },
		Options{Workers: 1, ShutdownTimeout: time.Second, DrainTimeout: 50 * time.Millisecond,
			CancelGrace: time.Hour, HookTimeout: 400 * time.Millisecond})
	require.NoError(t, err)
	hook, got := needs(200 * time.Millisecond)
	require.NoError(t, p.OnStop("close store", hook))
	require.NoError(t, p.Submit(context.Background(), 1))
	r, err := stopNow(p)
	assert.True(t, <-got, "the hook got its 200 ms under a live context")
	assert.NoError(t, stageOf(r, StageOnStop).Err)
	assert.ErrorContains(t, err, "in-flight: 1 item still running after")
	assert.Equal(t, []int{1}, r.Abandoned)
	assert.True(t, r.Balanced())
}

// With hook timeouts longer than the budget, the hooks keep half of what
// is left when the drain begins, not all of it: the drain gets the rest.
func TestHookReserveIsAtMostHalfTheBudget(t *testing.T) {
	work, cancelled := untilCancelled()
	p, err := New(work, Options{Workers: 1, ShutdownTimeout: time.Second, DrainTimeout: time.Hour, HookTimeout: time.Hour})
	require.NoError(t, err)
	first, gotFirst := needs(100 * time.Millisecond)
	second, gotSecond := needs(100 * time.Millisecond)
	require.NoError(t, p.OnStop("close store", second))
	require.NoError(t, p.OnStop("flush", first))
	require.NoError(t, p.Submit(context.Background(), 1))
	begin := time.Now()
	r, err := stopNow(p)
	assert.True(t, <-gotFirst, "flush ran under a live context")
	assert.True(t, <-gotSecond, "close store ran under a live context")
	assert.NoError(t, stageOf(r, StageOnStop).Err)
	assert.ErrorContains(t, err, "kept for the OnStop hooks")
	assert.Equal(t, []int{1}, r.Interrupted)
	// Not a speed check: a lower bound. The item was cancelled at half the
	// budget, not at once, as a reserve of 2 hours (2 × HookTimeout) would
	// have it.
	assert.GreaterOrEqual(t, (<-cancelled).Sub(begin), 300*time.Millisecond)
	assert.True(t, r.Balanced())
}

// Without OnStop hooks nothing is kept back (BeforeStop functions run
// before the drain): the drain may take the whole budget.
func TestNoOnStopNoReserve(t *testing.T) {
	work, cancelled := untilCancelled()
	p, err := New(work, Options{Workers: 1, ShutdownTimeout: 400 * time.Millisecond, DrainTimeout: time.Hour, HookTimeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.BeforeStop("readiness off", func(context.Context) error { return nil }))
	require.NoError(t, p.Submit(context.Background(), 1))
	begin := time.Now()
	r, err := stopNow(p)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.ErrorContains(t, err, "the shutdown's budget of 400ms is spent")
	assert.NotContains(t, err.Error(), "kept for the OnStop hooks")
	assert.Equal(t, []int{1}, r.Interrupted)
	// A lower bound again: cancelled at the budget's end, not halfway.
	assert.GreaterOrEqual(t, (<-cancelled).Sub(begin), 350*time.Millisecond)
	assert.True(t, r.Balanced())
}

// Run keeps the reserve within the event's deadline too.
func TestEventDeadlineKeepsTimeForOnStop(t *testing.T) {
	work, _ := untilCancelled()
	p, err := New(work,
		Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour, HookTimeout: 400 * time.Millisecond})
	require.NoError(t, err)
	hook, got := needs(200 * time.Millisecond)
	require.NoError(t, p.OnStop("close store", hook))
	require.NoError(t, p.Submit(context.Background(), 1))
	e := ctrlc.Event{Kind: ctrlc.Close, Seq: 1, Deadline: time.Now().Add(deadlineReserve + time.Second)}
	var r *Report[int]
	within(t, 20*time.Second, "a shutdown whose every timeout but the event's is an hour", func() { r, err = p.Run(stoppedBy(e)) })
	assert.True(t, <-got, "the hook got its 200 ms under a live context")
	assert.NoError(t, stageOf(r, StageOnStop).Err)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.True(t, r.Balanced())
}
