package pool

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of the hurry use listeners made WithoutForceExit: the second
// event still hurries, but neither it nor the listener's backstop can end
// the test process.

type runResult[T any] struct {
	r   *Report[T]
	err error
}

func goRun[T any](p *Pool[T], ctx context.Context) <-chan runResult[T] {
	done := make(chan runResult[T], 1)
	go func() { r, err := p.Run(ctx); done <- runResult[T]{r, err} }()
	return done
}

func waitRun[T any](t *testing.T, done <-chan runResult[T]) runResult[T] {
	t.Helper()
	select {
	case res := <-done:
		return res
	case <-time.After(30 * time.Second): // a hang detector, not a speed check
		t.Fatal("Run did not return within 30 s")
		return runResult[T]{}
	}
}

// A stop event while a batch finishes (Close, then Run) is not swallowed:
// Run drains for it and reports it, and a second event hurries the drain:
// Run returns within about a second, with what did not complete by value,
// every item once.
func TestAStopDuringABatchsEndIsHonouredAndASecondHurries(t *testing.T) {
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit())
	require.NoError(t, err)
	defer stop()
	const n = 20
	var mu sync.Mutex
	completed := map[int]bool{}
	causes := make(chan error, n)
	// 2 workers, 400 ms an item: the whole batch would take 4 s, what is
	// left at the hurry over 3 s.
	p, err := New(func(ctx context.Context, id int) error {
		select {
		case <-time.After(400 * time.Millisecond):
		case <-ctx.Done():
			causes <- context.Cause(ctx)
			return context.Cause(ctx)
		}
		mu.Lock()
		completed[id] = true
		mu.Unlock()
		return nil
	}, Options{Workers: 2, QueueSize: n})
	require.NoError(t, err)
	for id := 0; id < n; id++ {
		require.NoError(t, p.Submit(ctx, id))
	}
	require.NoError(t, p.Close()) // the batch's end
	done := goRun(p, ctx)
	require.Eventually(t, func() bool { return p.Stats().Completed >= 2 }, 20*time.Second, time.Millisecond)

	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}))
	// The first event drains (policy Finish): items go on completing.
	require.Eventually(t, func() bool { return p.Stats().Completed >= 4 }, 20*time.Second, time.Millisecond)
	select {
	case <-done:
		t.Fatal("Run returned before the hurry")
	default:
	}
	assert.False(t, p.Stats().Hurried, "the first event drains, it does not hurry")

	hurried := time.Now()
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}))
	res := waitRun(t, done)
	assert.True(t, p.Stats().Hurried, "Stats tells the second event hurried the shutdown")
	took := time.Since(hurried)
	r := res.r
	// The hurried budget is a second; what was left would have taken 3 s.
	assert.Less(t, took, hurryBudget+time.Second, "Run returned %v after the hurry", took)
	assert.Equal(t, ctrlc.Interrupt, r.Event.Kind, "the event that stopped the batch's end")
	assert.Equal(t, 1, r.Event.Seq)
	assert.ErrorIs(t, res.err, ErrHurried)
	assert.ErrorContains(t, res.err, "queued items handed back unrun: pool: hurried by interrupt")
	close(causes)
	for cause := range causes {
		assert.ErrorIs(t, cause, ErrHurried, "the items' cancel cause")
		var e ctrlc.Event
		require.ErrorAs(t, cause, &e, "the cause wraps the event that hurried")
		assert.Equal(t, 2, e.Seq)
	}
	assert.Empty(t, r.Abandoned, "the items honour their context")
	assert.NotEmpty(t, r.Queued, "the queue came back unrun")
	assert.True(t, r.Balanced())

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, len(completed), r.Completed)
	ids := slices.Clone(r.Unprocessed())
	for id := range completed {
		require.NotContains(t, ids, id, "item %d completed and came back", id)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	assert.Equal(t, want, ids, "every item once: completed, or handed back")
}

// A hurry cuts the budget to about a second from the hurry, whatever the
// timeouts, and the OnStop reserve is recomputed from what is left: half
// of that second goes to the cancelled items, the rest to the hook.
func TestAHurryCutsTheBudgetToASecond(t *testing.T) {
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit())
	require.NoError(t, err)
	defer stop()
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	p, err := New(func(context.Context, int) error {
		close(started)
		<-release // ignores its context
		return nil
	}, Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour, CancelGrace: time.Hour, HookTimeout: time.Hour})
	require.NoError(t, err)
	var hookStart, hookDeadline time.Time
	hookDone := make(chan error, 1)
	require.NoError(t, p.OnStop("close store", func(ctx context.Context) error {
		hookStart = time.Now()
		hookDeadline, _ = ctx.Deadline()
		<-ctx.Done()
		hookDone <- context.Cause(ctx)
		return nil
	}))
	require.NoError(t, p.Submit(context.Background(), 1))
	require.NoError(t, p.Submit(context.Background(), 2))
	<-started
	done := goRun(p, ctx)
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}))
	require.Eventually(t, func() bool { return p.phase.Load() == StageQueue }, 20*time.Second, time.Millisecond)
	hurried := time.Now()
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}))
	res := waitRun(t, done)
	took := time.Since(hurried)
	r := res.r
	assert.Less(t, took, hurryBudget+time.Second, "every timeout is an hour; Run returned %v after the hurry", took)
	// Lower bounds, not speed checks: the cancelled item got half the
	// second before it was abandoned, and the hook the other half.
	assert.GreaterOrEqual(t, hookStart.Sub(hurried), hurryBudget/2-50*time.Millisecond)
	assert.False(t, hookDeadline.After(hurried.Add(hurryBudget+50*time.Millisecond)), "the hook's deadline is within the hurried second")
	assert.ErrorIs(t, <-hookDone, ErrTimeout)
	assert.Equal(t, []int{1}, r.Abandoned)
	assert.Equal(t, []int{2}, r.Queued)
	assert.ErrorIs(t, res.err, ErrHurried)
	assert.Equal(t, 1, r.Event.Seq)
	assert.True(t, r.Balanced())
}

// The hurry reaches a shutdown whoever began it: here a Run with a plain
// context, joined by a Run under NotifyContext, whose events are the
// report's Event and the hurry.
func TestAHurryReachesAShutdownBegunByAnotherRun(t *testing.T) {
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit())
	require.NoError(t, err)
	defer stop()
	work, _ := untilCancelled()
	p, err := New(work, Options{Workers: 1, DrainTimeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	require.NoError(t, p.Submit(context.Background(), 2))
	byHand, cancel := context.WithCancel(context.Background())
	cancel()
	first := goRun(p, byHand)
	require.Eventually(t, func() bool { return p.phase.Load() == StageQueue }, 20*time.Second, time.Millisecond)
	second := goRun(p, ctx)
	require.Eventually(t, func() bool { // the second Run joined: its escalation is the pool's
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.esc != nil
	}, 20*time.Second, time.Millisecond)
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Hangup}))
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Hangup}))
	a, b := waitRun(t, first), waitRun(t, second)
	assert.Same(t, a.r, b.r)
	assert.ErrorIs(t, a.err, ErrHurried)
	assert.Equal(t, ctrlc.Hangup, a.r.Event.Kind, "the event that joined")
	assert.Equal(t, []int{1}, a.r.Interrupted)
	assert.Equal(t, []int{2}, a.r.Queued)
	assert.True(t, a.r.Balanced())
}

// A context that says nothing of ctrlc stops the pool but cannot hurry it:
// its second cancellation is no event. The escalation is in the context, so
// the report's Event is zero and the drain keeps its own deadline.
func TestAPlainContextNeverHurries(t *testing.T) {
	work, _ := untilCancelled()
	p, err := New(work, Options{Workers: 1, DrainTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	r, err := stopNow(p)
	assert.Zero(t, r.Event)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.False(t, errors.Is(err, ErrHurried))
	assert.Equal(t, []int{1}, r.Interrupted)
}

// A hurry that came before Run was called (both events are in when Run
// begins) hurries the shutdown from its start: the running item is
// cancelled and the queued one comes back unrun, though the drain would
// wait an hour and the budget 10 s.
func TestAHurryBeforeRunHurriesFromTheStart(t *testing.T) {
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit())
	require.NoError(t, err)
	defer stop()
	work, _ := untilCancelled()
	p, err := New(work, Options{Workers: 1, DrainTimeout: time.Hour, ShutdownTimeout: 10 * time.Second})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	require.NoError(t, p.Submit(context.Background(), 2))
	require.Eventually(t, func() bool { return p.Stats().Running == 1 }, 20*time.Second, time.Millisecond)
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Hangup}))
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Hangup}))
	start := time.Now()
	res := waitRun(t, goRun(p, ctx))
	t.Logf("Run returned after %v", time.Since(start))
	assert.ErrorIs(t, res.err, ErrHurried)
	assert.Equal(t, ctrlc.Hangup, res.r.Event.Kind)
	assert.Equal(t, []int{1}, res.r.Interrupted)
	assert.Equal(t, []int{2}, res.r.Queued)
	assert.True(t, res.r.Balanced())
}
