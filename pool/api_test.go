package pool

import (
	"context"
	"errors"
	"io"
	"reflect"
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
	require.NoError(t, p.OnStop("never runs", func(context.Context) error { return nil }))
	require.NoError(t, p.Submit(context.Background(), 1))
	start := time.Now()
	r, err := p.Shutdown(context.Background())
	assert.Less(t, time.Since(start), 10*time.Second, "the budget, not the hour-long timeouts, ended it")
	assert.ErrorIs(t, err, ErrShutdownTimeout)
	assert.ErrorIs(t, err, ErrDrainTimeout)
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.ErrorContains(t, stageOf(r, StageHooks).Err, "hooks: never runs: not run")
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

// Run reads ctrlc.Event.Deadline (issue 10) when the field exists.
func TestRunUsesTheEventDeadline(t *testing.T) {
	e := ctrlc.Event{Kind: ctrlc.Close}
	f := reflect.ValueOf(&e).Elem().FieldByName("Deadline")
	if !f.IsValid() {
		t.Skip("ctrlc.Event has no Deadline field on this branch yet")
	}
	f.Set(reflect.ValueOf(time.Now().Add(RunDeadlineReserve + 50*time.Millisecond)))
	assert.Equal(t, f.Interface(), eventDeadline(e))
	p, err := New(func(ctx context.Context, _ int) error { <-ctx.Done(); return ctx.Err() },
		Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour, KillTimeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	events := make(chan ctrlc.Event, 1)
	events <- e
	r, err := p.Run(events)
	assert.ErrorIs(t, err, ErrShutdownTimeout)
	assert.Equal(t, []int{1}, r.Interrupted)
}

func TestEventDeadlineShimWithoutTheField(t *testing.T) {
	if _, ok := reflect.TypeOf(ctrlc.Event{}).FieldByName("Deadline"); ok {
		t.Skip("the field exists: TestRunUsesTheEventDeadline covers it")
	}
	assert.True(t, eventDeadline(ctrlc.Event{Kind: ctrlc.Close}).IsZero())
}
