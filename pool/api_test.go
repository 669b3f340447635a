package pool

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
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
	assert.Equal(t, Stats{Queued: 2, Running: 1, Completed: 1, Failed: 1, Panicked: 1}, p.Stats())
	close(gate)
	r, err := closeAndRun(t, p)
	require.Error(t, err)
	assert.Equal(t, Stats{Completed: 4, Failed: 1, Panicked: 1}, p.Stats())
	assert.Equal(t, 1, r.Failed)
	assert.Equal(t, 1, r.Panicked)
	assert.Equal(t, 4, r.Completed)
	assert.Equal(t, 6, r.Accepted)
	require.Len(t, r.Errors, 2)
	assert.Equal(t, []int{1, 2}, []int{r.Errors[0].Item, r.Errors[1].Item})
	assert.True(t, r.Balanced())
}

// Misuse is an error, never a panic, and Run's report is never nil.
func TestAPoolNotMadeByNew(t *testing.T) {
	for name, p := range map[string]*Pool[int]{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, Stats{}, p.Stats())
			assert.ErrorIs(t, p.Submit(context.Background(), 1), errNotNew)
			assert.ErrorIs(t, p.TrySubmit(1), errNotNew)
			assert.ErrorIs(t, p.Close(), errNotNew)
			assert.ErrorIs(t, p.BeforeStop("x", func(context.Context) error { return nil }), errNotNew)
			assert.ErrorIs(t, p.OnStop("x", func(context.Context) error { return nil }), errNotNew)
			r, err := p.Run(context.Background())
			assert.ErrorIs(t, err, errNotNew)
			require.NotNil(t, r)
			assert.Equal(t, &Report[int]{}, r)
			assert.True(t, r.Balanced())
		})
	}
	var r *Report[int]
	assert.Nil(t, r.Unprocessed())
	assert.False(t, r.Balanced())
}

func TestNilContext(t *testing.T) {
	p, err := New(nop, Options{Workers: 1, QueueSize: 1})
	require.NoError(t, err)
	//lint:ignore SA1012 a nil context is what this test is about
	assert.ErrorContains(t, p.Submit(nil, 1), "pool: Submit: nil context") //nolint:staticcheck
	//lint:ignore SA1012 a nil context is what this test is about
	r, err := p.Run(nil) //nolint:staticcheck
	require.NotNil(t, r)
	assert.Equal(t, &Report[int]{}, r)
	assert.ErrorContains(t, err, "pool: Run: nil context")
	require.NoError(t, p.Submit(context.Background(), 2), "the pool was left as it was")
	r, err = closeAndRun(t, p)
	require.NoError(t, err)
	assert.Equal(t, 1, r.Completed)
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
	r, err := stopNow(p)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.ErrorContains(t, stageOf(r, StageBeforeStop).Err, "before-stop: http: unexpected EOF")
	assert.Equal(t, []string{"readiness off", "http", "item", "close db"}, order)
	assert.Equal(t, 1, r.Completed)
	assert.ErrorIs(t, p.BeforeStop("late", func(context.Context) error { return nil }), ErrClosed)
	assert.ErrorContains(t, p.BeforeStop("nil", nil), `BeforeStop("nil"): nil function`)
}

// BeforeStop and OnStop are refused with ErrClosed from the moment the
// shutdown began, also from inside it: a hook cannot add a hook.
func TestHooksAfterTheShutdownBeganAreRefused(t *testing.T) {
	p, err := New(nop, Options{Workers: 1})
	require.NoError(t, err)
	errs := make(chan error, 2)
	require.NoError(t, p.BeforeStop("adds hooks", func(context.Context) error {
		errs <- p.OnStop("late", func(context.Context) error { return nil })
		errs <- p.BeforeStop("late", func(context.Context) error { return nil })
		return nil
	}))
	_, err = stopNow(p)
	require.NoError(t, err)
	assert.ErrorIs(t, <-errs, ErrClosed)
	assert.ErrorIs(t, <-errs, ErrClosed)
	assert.ErrorContains(t, p.OnStop("after", func(context.Context) error { return nil }), `pool: OnStop("after"): pool: closed`)
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
	_, err = closeAndRun(t, p)
	require.NoError(t, err)
}

func TestPanicErrorUnwrapsToAnErrorValue(t *testing.T) {
	p, err := New(func(context.Context, int) error { panic(io.ErrClosedPipe) }, Options{Workers: 1})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	_, err = closeAndRun(t, p)
	assert.ErrorIs(t, err, io.ErrClosedPipe)
	assert.Nil(t, (&PanicError{Value: "text"}).Unwrap())
}

func TestShutdownBudgetBoundsEveryStage(t *testing.T) {
	p, err := New(func(ctx context.Context, _ int) error { <-ctx.Done(); return ctx.Err() },
		Options{Workers: 1, ShutdownTimeout: 60 * time.Millisecond, DrainTimeout: time.Hour,
			CancelGrace: time.Hour, HookTimeout: time.Hour})
	require.NoError(t, err)
	// A BeforeStop that would take the whole budget is cut when the budget
	// less the OnStop hooks' reserve is spent: the hooks keep their time.
	require.NoError(t, p.BeforeStop("spends the budget", func(ctx context.Context) error { <-ctx.Done(); return nil }))
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
	var r *Report[int]
	within(t, 20*time.Second, "a shutdown whose every timeout is an hour", func() { r, err = stopNow(p) })
	assert.ErrorIs(t, err, ErrTimeout)
	assert.ErrorContains(t, err, "the shutdown's budget of 60ms")
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.True(t, <-closed, "the hook ran, with its context done")
	mu.Lock()
	assert.Equal(t, []string{"ignores its context", "close listeners"}, order)
	mu.Unlock()
	hooks := stageOf(r, StageOnStop).Err
	assert.ErrorContains(t, hooks, "on-stop: ignores its context: did not return within ")
	assert.ErrorContains(t, hooks, ", left running: pool: timed out")
	assert.NotContains(t, hooks.Error(), "within 0s", "the hooks kept a reserve")
	assert.NotContains(t, hooks.Error(), "close listeners")
	assert.True(t, r.Balanced())
}

// An event whose deadline is known (a Windows close event: the hold's
// grace) ends the budget before it, whatever ShutdownTimeout says.
func TestEventDeadlineBoundsTheShutdown(t *testing.T) {
	p, err := New(func(ctx context.Context, _ int) error { <-ctx.Done(); return ctx.Err() },
		Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour, CancelGrace: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	e := ctrlc.Event{Kind: ctrlc.Close, Seq: 1, Deadline: time.Now().Add(deadlineReserve + 50*time.Millisecond)}
	var r *Report[int]
	within(t, 20*time.Second, "a shutdown whose every timeout is an hour", func() { r, err = p.Run(stoppedBy(e)) })
	assert.ErrorIs(t, err, ErrTimeout)
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.Equal(t, e, r.Event, "the context's cause is the stop event")
	assert.True(t, r.Balanced())
}

// Run fits the shutdown before the event's deadline by itself: a listener
// told the grace period gives every event a Deadline.
func TestRunUsesTheEventDeadline(t *testing.T) {
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit(),
		ctrlc.WithGracePeriod(deadlineReserve+50*time.Millisecond))
	require.NoError(t, err)
	defer stop()
	p, err := New(func(ctx context.Context, _ int) error { <-ctx.Done(); return ctx.Err() },
		Options{Workers: 1, ShutdownTimeout: time.Hour, DrainTimeout: time.Hour, CancelGrace: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}))
	var r *Report[int]
	within(t, 20*time.Second, "a shutdown whose every timeout is an hour", func() { r, err = p.Run(ctx) })
	assert.ErrorIs(t, err, ErrTimeout)
	assert.Equal(t, []int{1}, r.Interrupted)
	assert.Equal(t, ctrlc.Terminate, r.Event.Kind)
	assert.False(t, r.Event.Deadline.IsZero())
	assert.True(t, r.Balanced())
}

// An item cancelled by the drain deadline is reported, with its error,
// under the stage in which the deadline passed.
func TestInterruptedUnderTheStageOfTheDeadline(t *testing.T) {
	for _, tc := range []struct {
		policy Policy
		stage  string
	}{
		{Finish, StageQueue},  // the deadline passes while the queue drains
		{Skip, StageInFlight}, // the queue is handed back at once
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
		r, err := stopNow(p)
		assert.ErrorIs(t, err, ErrTimeout)
		assert.Equal(t, []int{1}, r.Interrupted)
		assert.Equal(t, []int{2}, r.Queued)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, tc.stage, r.Errors[0].Stage, "policy %v", tc.policy)
		assert.ErrorContains(t, stageOf(r, tc.stage).Err, tc.stage+": 1 running item interrupted: pool: timed out: drain timeout")
		assert.True(t, r.Balanced())
	}
}

// infoLogger is a logger of the program's own, not log/slog: Options.Logger
// takes anything with an Info method.
type infoLogger struct {
	mu   sync.Mutex
	msgs []string
	args [][]any
}

func (l *infoLogger) Info(msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, msg)
	l.args = append(l.args, args)
}

// stopWithOneItem runs one item through a pool made with opts, and its
// shutdown.
func stopWithOneItem(t *testing.T, opts Options) {
	t.Helper()
	p, err := New(func(context.Context, int) error { return nil }, opts)
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	r, err := closeAndRun(t, p)
	require.NoError(t, err)
	assert.Equal(t, 1, r.Completed)
}

func TestLoggerOfTheProgramsOwn(t *testing.T) {
	lg := &infoLogger{}
	stopWithOneItem(t, Options{Workers: 1, Logger: lg})
	lg.mu.Lock()
	defer lg.mu.Unlock()
	assert.Equal(t, "pool: shutdown", lg.msgs[0])
	assert.Subset(t, lg.args[0], []any{"policy", "finish"}, "the policy by its name")
	assert.Equal(t, "pool: stopped", lg.msgs[len(lg.msgs)-1])
	assert.Contains(t, lg.msgs, "pool: stage")
}

// nilSafeLogger counts its calls, even on a nil pointer.
type nilSafeLogger struct{}

var nilSafeCalls atomic.Int64

func (*nilSafeLogger) Info(string, ...any) { nilSafeCalls.Add(1) }

// A nil *slog.Logger in Options logs nothing, as a nil Logger does: it is
// not called (it would panic inside log/slog).
func TestNilPointerLoggerLogsNothing(t *testing.T) {
	var lg *nilSafeLogger
	stopWithOneItem(t, Options{Workers: 1, Logger: lg})
	assert.Zero(t, nilSafeCalls.Load(), "a nil pointer is no Logger")
}
