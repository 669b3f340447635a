package pool

import (
	"context"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An event whose Deadline is 2 s out (WithGracePeriod) ends the budget
// 100 ms before it, and the drain keeps the OnStop hook its reserve out of
// that, however the shutdown began: at the stop of a pool that Run drives,
// or at a stop while a batch finishes (Close, then the event). Every other
// timeout is an hour: without the deadline the shutdown would not end.
func TestAnEventDeadlineGivesOnStopItsReserveHoweverTheShutdownBegan(t *testing.T) {
	for _, batch := range []bool{false, true} {
		name := "stop"
		if batch {
			name = "close-then-stop"
		}
		t.Run(name, func(t *testing.T) {
			ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit(),
				ctrlc.WithGracePeriod(2*time.Second))
			require.NoError(t, err)
			defer stop()
			work, cancelled := untilCancelled()
			p, err := New(work, Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour,
				CancelGrace: time.Hour, HookTimeout: time.Second})
			require.NoError(t, err)
			var hookStart, hookDeadline time.Time
			hook, got := needs(400 * time.Millisecond)
			require.NoError(t, p.OnStop("close store", func(ctx context.Context) error {
				hookStart = time.Now()
				hookDeadline, _ = ctx.Deadline()
				return hook(ctx)
			}))
			require.NoError(t, p.Submit(context.Background(), 1))
			require.NoError(t, p.Submit(context.Background(), 2))
			if batch {
				require.NoError(t, p.Close())
			}
			done := goRun(p, ctx)
			require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}))
			res := waitRun(t, done)
			r := res.r
			require.False(t, r.Event.Deadline.IsZero(), "the listener's events carry the grace period's end")
			end := r.Event.Deadline.Add(-deadlineReserve)
			given := hookDeadline.Sub(hookStart)
			t.Logf("the hook started %v before the budget's end, with %v on its context",
				end.Sub(hookStart).Round(time.Millisecond), given.Round(time.Millisecond))
			// Exact bounds: the hook's deadline is within the budget, and
			// at most HookTimeout from its start.
			assert.False(t, hookDeadline.After(end.Add(5*time.Millisecond)), "the hook's deadline %v is past the budget's end %v", hookDeadline, end)
			assert.LessOrEqual(t, given, time.Second)
			// The reserve: with 1.9 s left at the drain's start, half of it
			// (0.95 s, less than HookTimeout) is kept for the hook. The item
			// is cancelled no sooner than that leaves (a lower bound), and
			// the hook gets about a second (400 ms of it under a live
			// context, generous slack on a loaded machine).
			assert.GreaterOrEqual(t, (<-cancelled).Sub(r.Event.Time), 900*time.Millisecond, "the drain's share")
			assert.True(t, <-got, "the hook got 400 ms of its %v under a live context", given)
			assert.Greater(t, given, 500*time.Millisecond)
			assert.NoError(t, stageOf(r, StageOnStop).Err)
			assert.ErrorIs(t, res.err, ErrTimeout)
			assert.ErrorContains(t, res.err, "kept for the OnStop hooks, is spent")
			assert.Equal(t, []int{1}, r.Interrupted)
			assert.Equal(t, []int{2}, r.Queued)
			assert.True(t, r.Balanced())
		})
	}
}

// deadlineOnly is a hand-written context whose Deadline reports a time
// but whose Done never closes (a nil channel).
type deadlineOnly struct {
	context.Context
	at time.Time
}

func (c deadlineOnly) Deadline() (time.Time, bool) { return c.at, true }
func (c deadlineOnly) Done() <-chan struct{}       { return nil }
func (c deadlineOnly) Err() error                  { return nil }

// Run takes a context to be done at its Deadline even if it never says so,
// on a timer of its own, and the shutdown, with an item stuck for good,
// then ends within ShutdownTimeout and CancelGrace: nothing waits on the
// caller's context, and every other timeout is an hour.
func TestRunStopsAtADeadlineThatNeverSaysDone(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	p, err := New(func(context.Context, int) error {
		close(started)
		<-release // ignores its context
		return nil
	}, Options{Workers: 1, ShutdownTimeout: 500 * time.Millisecond, CancelGrace: 300 * time.Millisecond,
		DrainTimeout: time.Hour, HookTimeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	<-started
	at := time.Now().Add(200 * time.Millisecond)
	done := goRun(p, deadlineOnly{Context: context.Background(), at: at})
	res := waitRun(t, done)
	returned := time.Now()
	r := res.r
	assert.False(t, returned.Before(at), "Run waited for the deadline")
	assert.Less(t, returned.Sub(at), 500*time.Millisecond+300*time.Millisecond+2*time.Second,
		"the budget ended it (generous slack); every other timeout is an hour")
	assert.Zero(t, r.Event)
	assert.Equal(t, []int{1}, r.Abandoned)
	assert.ErrorIs(t, res.err, ErrTimeout)
	assert.ErrorContains(t, res.err, "the shutdown's budget of 500ms is spent")
	assert.True(t, r.Balanced())
}

// A stop event that joins a shutdown begun another way (here a Run with a
// context cancelled by hand) brings the budget forward to its Deadline too:
// the operating system ends the process then, whoever began the shutdown.
// The event comes either before the joining Run (its context is done) or
// while it waits; every timeout is an hour but the event's 600 ms.
func TestAJoiningEventsDeadlineEndsTheBudget(t *testing.T) {
	for _, before := range []bool{true, false} {
		name := "event-while-joined"
		if before {
			name = "event-before-join"
		}
		t.Run(name, func(t *testing.T) {
			ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit(),
				ctrlc.WithGracePeriod(600*time.Millisecond))
			require.NoError(t, err)
			defer stop()
			work, _ := untilCancelled()
			p, err := New(work, Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour,
				CancelGrace: time.Hour, HookTimeout: time.Hour})
			require.NoError(t, err)
			hook, got := needs(50 * time.Millisecond)
			require.NoError(t, p.OnStop("close store", hook))
			require.NoError(t, p.Submit(context.Background(), 1))
			byHand, cancel := context.WithCancel(context.Background())
			cancel()
			first := goRun(p, byHand)
			require.Eventually(t, func() bool { return p.phase.Load() == StageQueue }, 20*time.Second, time.Millisecond)
			if before {
				require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}))
				<-ctx.Done()
			}
			second := goRun(p, ctx)
			if !before {
				require.Eventually(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.esc != nil },
					20*time.Second, time.Millisecond)
				require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}))
			}
			a, b := waitRun(t, first), waitRun(t, second)
			returned := time.Now()
			assert.Same(t, a.r, b.r)
			r := a.r
			require.Equal(t, ctrlc.Terminate, r.Event.Kind, "the event that joined")
			require.False(t, r.Event.Deadline.IsZero())
			// A hang detector with slack, not a speed check: the next
			// timeout is an hour.
			assert.True(t, returned.Before(r.Event.Deadline.Add(2*time.Second)),
				"Run returned %v after the event's deadline", returned.Sub(r.Event.Deadline))
			assert.True(t, <-got, "the hook kept its reserve within the cut budget")
			assert.ErrorIs(t, a.err, ErrTimeout)
			assert.ErrorContains(t, a.err, "cut to the stop event's deadline")
			assert.Equal(t, []int{1}, r.Interrupted)
			assert.True(t, r.Balanced())
		})
	}
}
