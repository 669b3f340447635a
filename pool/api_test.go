package pool

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatsCountsEveryOutcome(t *testing.T) {
	gate := make(chan struct{})
	started := make(chan int, 10)
	p, err := New(func(_ context.Context, i int) error {
		switch i {
		case 1:
			return errors.New("fails")
		case 2:
			panic("panics")
		case 3:
			started <- i
			<-gate
		}
		return nil
	}, Options{Workers: 1, QueueSize: 4})
	require.NoError(t, err)
	for i := 0; i <= 5; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	<-started // item 3 runs; 4 and 5 wait
	s := p.Stats()
	assert.Equal(t, Stats{Submitted: 6, Queued: 2, InFlight: 1, Completed: 1, Failed: 1, Panicked: 1}, s)
	close(gate)
	r, err := p.Shutdown(context.Background())
	require.Error(t, err)
	assert.Equal(t, Stats{Submitted: 6, Completed: 4, Failed: 1, Panicked: 1}, p.Stats())
	assert.Equal(t, []int{1}, r.Failed)
	assert.Equal(t, []int{2}, r.Panicked)
	assert.Equal(t, 6, r.Submitted)
}

func TestStatsOfAPoolNotMadeByNew(t *testing.T) {
	var p *Pool[int]
	assert.Equal(t, Stats{}, p.Stats())
	assert.ErrorIs(t, p.Submit(context.Background(), 1), ErrNotNew)
	assert.ErrorIs(t, (&Pool[int]{}).TrySubmit(1), ErrNotNew)
	_, err := (&Pool[int]{}).Shutdown(context.Background())
	assert.ErrorIs(t, err, ErrNotNew)
	assert.Nil(t, p.TakePending())
}

func TestTakePendingHandsBackQueuedAndRunning(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 2, QueueSize: 10})
	require.NoError(t, err)
	for i := 0; i < 7; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	a, b := <-started, <-started // two running, five queued
	got := p.TakePending()
	assert.Equal(t, []int{2, 3, 4, 5, 6}, got[:5], "queued items first, in queue order")
	assert.ElementsMatch(t, []int{a, b}, got[5:], "then the running ones")
	assert.ErrorIs(t, p.Submit(context.Background(), 99), ErrClosed, "no item is accepted after TakePending")
	assert.Equal(t, got, p.TakePending(), "nothing moved meanwhile")

	close(gate)
	r, err := p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3, 4, 5, 6}, r.Unprocessed)
	assert.Equal(t, 2, r.Completed)
	assert.True(t, r.Balanced())
	assert.Equal(t, r.Unprocessed, p.TakePending(), "after the shutdown, the items never run are still pending")
}

func TestBeforeStopRunsFirstWhileSubmitAccepts(t *testing.T) {
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	var p *Pool[int]
	p, err := New(func(_ context.Context, i int) error { note("item"); return nil }, Options{Workers: 1})
	require.NoError(t, err)
	require.NoError(t, p.BeforeStop("readiness off", func(context.Context) error {
		note("readiness off")
		return nil
	}))
	require.NoError(t, p.BeforeStop("http", func(ctx context.Context) error {
		note("http")
		if err := p.Submit(ctx, 1); err != nil { // a last request arriving
			return err
		}
		return io.ErrUnexpectedEOF
	}))
	require.NoError(t, p.OnStop("close db", func(context.Context) error { note("close db"); return nil }))
	r, err := p.Shutdown(context.Background())
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.ErrorContains(t, stageOf(r, StageAnnounce).Err, "announce: http: unexpected EOF")
	assert.Equal(t, []string{"readiness off", "http", "item", "close db"}, order)
	assert.Equal(t, 1, r.Completed)
	assert.ErrorIs(t, p.BeforeStop("late", func(context.Context) error { return nil }), ErrClosed)
	assert.ErrorContains(t, p.BeforeStop("nil", nil), `BeforeStop("nil"): nil function`)
}

type traceKey struct{}

func TestBaseContextReachesTheHandler(t *testing.T) {
	got := make(chan any, 1)
	base := context.WithValue(context.Background(), traceKey{}, "span-1")
	p, err := New(func(ctx context.Context, _ int) error { got <- ctx.Value(traceKey{}); return nil },
		Options{Workers: 1, BaseContext: base})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	assert.Equal(t, "span-1", <-got)
	_, err = p.Shutdown(context.Background())
	require.NoError(t, err)
}

func TestPanicErrorUnwrapsToAnErrorValue(t *testing.T) {
	p, err := New(func(context.Context, int) error { panic(io.ErrClosedPipe) }, Options{Workers: 1})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	_, err = p.Shutdown(context.Background())
	assert.ErrorIs(t, err, io.ErrClosedPipe)
	assert.Nil(t, (&PanicError{Value: "text"}).Unwrap())
}

func TestNilContext(t *testing.T) {
	p, err := New(nop, Options{Workers: 1, QueueSize: 1})
	require.NoError(t, err)
	//lint:ignore SA1012 a nil context is what this test is about
	assert.ErrorIs(t, p.Submit(nil, 1), ErrNilContext) //nolint:staticcheck
	//lint:ignore SA1012 a nil context is what this test is about
	r, err := p.Shutdown(nil) //nolint:staticcheck
	assert.Nil(t, r)
	assert.ErrorIs(t, err, ErrNilContext)
	require.NoError(t, p.Submit(context.Background(), 2), "the pool was left as it was")
	r, err = p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, r.Completed)
}

func TestShutdownBudgetBoundsEveryStage(t *testing.T) {
	p, err := New(func(ctx context.Context, _ int) error { <-ctx.Done(); return ctx.Err() },
		Options{Workers: 1, ShutdownTimeout: 60 * time.Millisecond, DrainTimeout: time.Hour,
			KillTimeout: time.Hour, HookTimeout: time.Hour})
	require.NoError(t, err)
	// With the budget spent, hooks still start (last registered first),
	// with their context done: cleanup that does not wait still happens.
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	closed := make(chan bool, 1)
	require.NoError(t, p.OnStop("close listeners", func(ctx context.Context) error {
		note("close listeners")
		closed <- ctx.Err() != nil
		return nil
	}))
	release := make(chan struct{})
	defer close(release)
	require.NoError(t, p.OnStop("ignores its context", func(ctx context.Context) error {
		note("ignores its context")
		<-release
		return nil
	}))
	require.NoError(t, p.Submit(context.Background(), 1))
	start := time.Now()
	r, err := p.Shutdown(context.Background())
	assert.Less(t, time.Since(start), 10*time.Second, "the budget, not the hour-long timeouts, ended it")
	assert.ErrorIs(t, err, ErrShutdownTimeout)
	assert.ErrorIs(t, err, ErrDrainTimeout)
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.True(t, <-closed, "the hook ran, with its context done")
	mu.Lock()
	assert.Equal(t, []string{"ignores its context", "close listeners"}, order)
	mu.Unlock()
	hooks := stageOf(r, StageHooks).Err
	assert.ErrorContains(t, hooks, "hooks: ignores its context: pool: hook timed out after 0s")
	assert.NotContains(t, hooks.Error(), "close listeners")
	assert.True(t, r.Balanced())
}

// An event whose deadline is known (a Windows close event: the hold's grace)
// ends the budget before it, whatever ShutdownTimeout says.
func TestEventDeadlineBoundsTheShutdown(t *testing.T) {
	p, err := New(func(ctx context.Context, _ int) error { <-ctx.Done(); return ctx.Err() },
		Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour, KillTimeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	osDeadline := time.Now().Add(RunDeadlineReserve + 50*time.Millisecond)
	r, err := p.shutdownWith(context.Background(), ctrlc.Event{Kind: ctrlc.Close}, osDeadline)
	assert.ErrorIs(t, err, ErrShutdownTimeout)
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.True(t, r.Balanced())
}

// Run fits the shutdown before the event's deadline by itself.
func TestRunUsesTheEventDeadline(t *testing.T) {
	p, err := New(func(ctx context.Context, _ int) error { <-ctx.Done(); return ctx.Err() },
		Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour, KillTimeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	events := make(chan ctrlc.Event, 1)
	events <- ctrlc.Event{Kind: ctrlc.Close, Deadline: time.Now().Add(RunDeadlineReserve + 50*time.Millisecond)}
	r, err := p.Run(events)
	assert.ErrorIs(t, err, ErrShutdownTimeout)
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.Equal(t, ctrlc.Close, r.Event.Kind)
	assert.True(t, r.Balanced())
}

// An item cancelled by the drain deadline is reported, with its error,
// under the stage in which the deadline passed.
func TestInterruptedUnderTheStageOfTheDeadline(t *testing.T) {
	for _, tc := range []struct {
		policy Policy
		stage  string
	}{
		{Finish, StageQueue},     // the deadline passes while the queue drains
		{Abandon, StageInFlight}, // the queue is handed back at once
	} {
		started := make(chan struct{})
		p, err := New(func(ctx context.Context, i int) error {
			if i == 1 {
				close(started)
			}
			<-ctx.Done()
			return context.Cause(ctx)
		}, Options{Workers: 1, Policy: tc.policy, DrainTimeout: 20 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, p.Submit(context.Background(), 1))
		require.NoError(t, p.Submit(context.Background(), 2))
		<-started
		r, err := p.Shutdown(context.Background())
		assert.ErrorIs(t, err, ErrDrainTimeout)
		assert.Equal(t, []int{1}, r.Interrupted)
		assert.Equal(t, []int{2}, r.Unprocessed)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, tc.stage, r.Errors[0].Stage, "policy %v", tc.policy)
		assert.ErrorContains(t, stageOf(r, tc.stage).Err, tc.stage+": 1 running items interrupted: pool: drain timeout")
		assert.True(t, r.Balanced())
	}
}

// A second Shutdown waits for the first, or for its own context.
func TestSecondShutdownHonoursItsOwnContext(t *testing.T) {
	hold := make(chan struct{})
	inHook := make(chan struct{})
	p, err := New(nop, Options{Workers: 1})
	require.NoError(t, err)
	require.NoError(t, p.OnStop("slow", func(context.Context) error { close(inHook); <-hold; return nil }))
	first := make(chan error, 1)
	go func() { _, err := p.Shutdown(context.Background()); first <- err }()
	<-inHook
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := p.Shutdown(ctx)
	assert.Nil(t, r)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "waiting for the shutdown in progress")
	close(hold)
	require.NoError(t, <-first)
	r, err = p.Shutdown(ctx) // done now: the result, whatever ctx says
	require.NoError(t, err)
	assert.True(t, r.Balanced())
}
