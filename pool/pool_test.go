package pool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

var childScenarios = map[string]func(args []string) int{}

func TestMain(m *testing.M) {
	ctrlctest.RunChild(childScenarios)
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent")) // js/wasm's event goroutine
}

// readReport waits for the line "report <JSON>" of a child scenario, then
// for the child to exit 0 by itself, and decodes the JSON into r; it
// returns the line.
func readReport(t *testing.T, c *ctrlctest.Process, r any) string {
	t.Helper()
	line := c.WaitFor("report ")
	st := c.Wait()
	require.True(t, st.Success(), "the child exited 0 by itself, not %v; output:\n%s", st, c.Output())
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "report ")), r), line)
	return line
}

func nop(context.Context, int) error { return nil }

// stopNow is a stop by hand: Run with a context that is already done, as
// after a Ctrl-C; the shutdown starts at once, with its drain deadline.
func stopNow[T any](p *Pool[T]) (*Report[T], error) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return p.Run(ctx)
}

// closeAndRun is a batch's end: Close, then Run with a context that never
// ends, which returns once every item ran.
func closeAndRun[T any](t testing.TB, p *Pool[T]) (*Report[T], error) {
	t.Helper()
	require.NoError(t, p.Close())
	return p.Run(context.Background())
}

// stoppedBy returns a context cancelled with e as its cause, as
// ctrlc.NotifyContext cancels its context: Run takes e for its stop event.
func stoppedBy(e ctrlc.Event) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(e)
	return ctx
}

// within runs f on a goroutine and fails the test if it does not return
// within d: a hang detector, not a speed check.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// gated returns a handler that blocks until gate is closed, and a channel
// that receives each item as it starts.
func gated(gate <-chan struct{}) (func(context.Context, int) error, chan int) {
	started := make(chan int, 1000)
	return func(_ context.Context, item int) error {
		started <- item
		<-gate
		return nil
	}, started
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Workers: -1}, "Options.Workers is -1"},
		{Options{QueueSize: -3}, "Options.QueueSize is -3"},
		{Options{DrainTimeout: -time.Second}, "Options.DrainTimeout is -1000000000"},
		{Options{CancelGrace: -1}, "Options.CancelGrace is -1"},
		{Options{HookTimeout: -2}, "Options.HookTimeout is -2"},
		{Options{Policy: 7}, "Options.Policy is 7"},
	} {
		p, err := New(nop, tc.opts)
		assert.Nil(t, p)
		if assert.Error(t, err) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	_, err := New[int](nil, Options{})
	assert.EqualError(t, err, "pool: nil handler")
}

func TestDefaults(t *testing.T) {
	p, err := New(nop, Options{})
	require.NoError(t, err)
	assert.Equal(t, runtime.GOMAXPROCS(0), p.opts.Workers)
	assert.Equal(t, defaultQueuePerWorker*p.opts.Workers, cap(p.queue))
	assert.Equal(t, defaultDrainTimeout, p.opts.DrainTimeout)
	assert.Equal(t, defaultCancelGrace, p.opts.CancelGrace)
	assert.Equal(t, defaultHookTimeout, p.opts.HookTimeout)
	assert.Equal(t, defaultMaxItemErrors, p.opts.MaxItemErrors)
	assert.Equal(t, defaultShutdownTimeout, p.opts.ShutdownTimeout)
	r, err := stopNow(p)
	require.NoError(t, err)
	assert.Equal(t, []string{StageRun, StageBeforeStop, StageQueue, StageInFlight, StageOnStop}, stageNames(r))
	assert.Less(t, defaultDrainTimeout+defaultCancelGrace+defaultHookTimeout, defaultShutdownTimeout)
	assert.Less(t, defaultShutdownTimeout, 30*time.Second, "inside Kubernetes' default grace period")
}

func stageNames[T any](r *Report[T]) []string {
	var names []string
	for _, s := range r.Stages {
		names = append(names, s.Name)
	}
	return names
}

func stageOf[T any](r *Report[T], name string) Stage {
	for _, s := range r.Stages {
		if s.Name == name {
			return s
		}
	}
	return Stage{}
}

func TestFinishRunsEveryQueuedItem(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	var ran atomic.Int64
	p, err := New(func(ctx context.Context, i int) error {
		defer ran.Add(1)
		return h(ctx, i)
	}, Options{Workers: 2, QueueSize: 10})
	require.NoError(t, err)
	for i := 0; i < 12; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	<-started
	<-started // both workers busy, 10 queued
	go func() { time.Sleep(20 * time.Millisecond); close(gate) }()
	r, err := stopNow(p)
	require.NoError(t, err)
	assert.Equal(t, 12, r.Accepted)
	assert.Equal(t, 12, r.Completed)
	assert.Empty(t, r.Unprocessed())
	assert.EqualValues(t, 12, ran.Load())
	assert.True(t, r.Balanced())
}

func TestSkipHandsBackQueueInOrder(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 10, Policy: Skip})
	require.NoError(t, err)
	for i := 0; i < 6; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	assert.Equal(t, 0, <-started)
	go func() { time.Sleep(20 * time.Millisecond); close(gate) }()
	r, err := stopNow(p)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5}, r.Queued)
	assert.Equal(t, r.Queued, r.Unprocessed())
	assert.Equal(t, 1, r.Completed, "the item in flight finishes")
	assert.True(t, r.Balanced())
}

// With policy Skip the queue stage hands the queue back and ends: it does
// not wait for the running item, which only the in-flight stage waits for.
// The item is released only once the in-flight stage began, so a queue
// stage that waited for it would hang (up to its hour-long drain timeout).
func TestSkipQueueStageEndsOnceHandedBack(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, Policy: Skip, DrainTimeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	require.NoError(t, p.Submit(context.Background(), 2))
	<-started
	reached := make(chan bool, 1)
	go func() {
		defer close(gate)
		deadline := time.Now().Add(20 * time.Second) // a hang detector, not a speed check
		for p.phase.Load() != StageInFlight {
			if time.Now().After(deadline) {
				reached <- false
				return
			}
			time.Sleep(time.Millisecond)
		}
		reached <- true
	}()
	r, err := stopNow(p)
	require.NoError(t, err)
	assert.True(t, <-reached, "the queue stage waited for the running item")
	assert.Equal(t, []int{2}, r.Queued)
	assert.Equal(t, 1, r.Completed)
}

func TestHooksRunAfterWorkersLastFirst(t *testing.T) {
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	p, err := New(func(_ context.Context, i int) error {
		time.Sleep(10 * time.Millisecond)
		note(fmt.Sprint("item ", i))
		return nil
	}, Options{Workers: 1})
	require.NoError(t, err)
	for _, name := range []string{"first", "second", "third"} {
		require.NoError(t, p.OnStop(name, func(context.Context) error { note("hook " + name); return nil }))
	}
	require.NoError(t, p.Submit(context.Background(), 1))
	require.NoError(t, p.Submit(context.Background(), 2))
	_, err = stopNow(p)
	require.NoError(t, err)
	assert.Equal(t, []string{"item 1", "item 2", "hook third", "hook second", "hook first"}, order)
}

func TestDrainDeadlineCancelsItemContext(t *testing.T) {
	started := make(chan struct{})
	causes := make(chan error, 1)
	p, err := New(func(ctx context.Context, _ int) error {
		close(started)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	}, Options{Workers: 1, DrainTimeout: 30 * time.Millisecond, CancelGrace: time.Second})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 7))
	require.NoError(t, p.Submit(context.Background(), 8)) // queued behind the stuck one
	<-started
	r, err := stopNow(p)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled, "the handler's own error")
	assert.ErrorIs(t, err, ErrTimeout)
	assert.ErrorIs(t, <-causes, ErrTimeout, "the items' context is cancelled with a cause that wraps ErrTimeout")
	var ie *ItemError[int]
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 7, ie.Item)
	assert.Contains(t, err.Error(), "queue: 1 queued item handed back unrun: pool: timed out: drain timeout (30ms)")
	assert.Equal(t, []int{8}, r.Queued)
	assert.Equal(t, []int{7}, r.Interrupted)
	assert.Equal(t, []int{8, 7}, r.Unprocessed())
	assert.Zero(t, r.Failed)
	assert.Empty(t, r.Abandoned)
	assert.True(t, r.Balanced())
}

func TestHandlerIgnoringContextIsAbandoned(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	p, err := New(func(context.Context, int) error {
		close(started)
		<-release // ignores its context
		return nil
	}, Options{Workers: 1, DrainTimeout: 20 * time.Millisecond, CancelGrace: 20 * time.Millisecond})
	require.NoError(t, err)
	defer close(release)
	require.NoError(t, p.Submit(context.Background(), 1))
	<-started
	r, err := stopNow(p)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.Contains(t, err.Error(), "in-flight: 1 item still running after")
	assert.Contains(t, err.Error(), "abandoned: pool: timed out: drain timeout")
	assert.Equal(t, []int{1}, r.Abandoned)
	assert.Equal(t, []int{1}, r.Unprocessed())
	assert.True(t, r.Balanced())
}

func TestPanicBecomesErrorAndWorkerLivesOn(t *testing.T) {
	p, err := New(func(_ context.Context, i int) error {
		if i == 3 {
			panic("boom on three")
		}
		return nil
	}, Options{Workers: 1})
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	r, err := closeAndRun(t, p)
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom on three", pe.Value)
	assert.Contains(t, string(pe.Stack), "pool_test.go")
	assert.Equal(t, `panic: "boom on three"`, pe.Error(), "the stack is not in the text")
	assert.NotContains(t, err.Error(), "goroutine")
	assert.Equal(t, 1, r.Panicked)
	assert.Equal(t, 4, r.Completed)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, 3, r.Errors[0].Item)
}

func TestClosedPoolRefusesWork(t *testing.T) {
	p, err := New(nop, Options{Workers: 1})
	require.NoError(t, err)
	_, err = stopNow(p)
	require.NoError(t, err)
	assert.ErrorIs(t, p.Submit(context.Background(), 1), ErrClosed)
	assert.ErrorIs(t, p.TrySubmit(1), ErrClosed)
	assert.ErrorIs(t, p.OnStop("late", func(context.Context) error { return nil }), ErrClosed)
	assert.ErrorIs(t, p.BeforeStop("late", func(context.Context) error { return nil }), ErrClosed)
	assert.ErrorContains(t, p.OnStop("nil", nil), `OnStop("nil"): nil function`)
	assert.NoError(t, p.Close(), "Close after the shutdown is a no-op")
}

func TestShutdownWakesBlockedSubmitters(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 1, Policy: Skip})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 0))
	<-started
	require.NoError(t, p.Submit(context.Background(), 1)) // fills the queue
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() { errs <- p.Submit(context.Background(), 100+i) }()
	}
	time.Sleep(20 * time.Millisecond) // let them block
	// The worker stays busy, so the queue stays full, until every blocked
	// submitter has returned: only the shutdown can have woken them.
	woken := make(chan error, 3)
	go func() {
		for i := 0; i < 3; i++ {
			woken <- <-errs
		}
		close(gate)
	}()
	r, err := stopNow(p)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		assert.ErrorIs(t, <-woken, ErrClosed)
	}
	assert.Equal(t, 2, r.Accepted)
	assert.Equal(t, 2, r.Completed+len(r.Unprocessed()), "items 0 and 1 ran or came back")
	assert.True(t, r.Balanced())
}

func TestSubmitHonoursContext(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 1})
	require.NoError(t, err)
	defer func() { close(gate); _, _ = stopNow(p) }()
	require.NoError(t, p.Submit(context.Background(), 0))
	<-started
	require.NoError(t, p.Submit(context.Background(), 1))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, p.Submit(ctx, 2), context.DeadlineExceeded)
}

func TestTrySubmitOnFullQueue(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 2})
	require.NoError(t, err)
	require.NoError(t, p.TrySubmit(0))
	<-started
	require.NoError(t, p.TrySubmit(1))
	require.NoError(t, p.TrySubmit(2))
	assert.ErrorIs(t, p.TrySubmit(3), ErrQueueFull)
	close(gate)
	r, err := closeAndRun(t, p)
	require.NoError(t, err)
	assert.Equal(t, 3, r.Accepted)
	assert.Equal(t, 3, r.Completed)
}

// Run may be called from several goroutines: every call returns the same
// report and error, and the stages run once.
func TestConcurrentRunsReturnTheSameReport(t *testing.T) {
	p, err := New(nop, Options{})
	require.NoError(t, err)
	require.NoError(t, p.OnStop("fail", func(context.Context) error { return errors.New("once") }))
	var wg sync.WaitGroup
	reports := make([]*Report[int], 4)
	errs := make([]error, 4)
	stop, cancel := context.WithCancel(context.Background())
	for i := range reports {
		ctx := context.Background() // the others wait for the one that stops
		if i == 0 {
			ctx = stop
		}
		wg.Add(1)
		go func() { defer wg.Done(); reports[i], errs[i] = p.Run(ctx) }()
	}
	cancel()
	wg.Wait()
	for i := 1; i < len(reports); i++ {
		assert.Same(t, reports[0], reports[i])
		assert.Equal(t, errs[0], errs[i])
	}
	require.Error(t, errs[0])
	assert.Equal(t, 1, strings.Count(errs[0].Error(), "on-stop: fail: once"), "the hook ran once")
	r, err := p.Run(context.Background()) // after the shutdown: its report, at once
	assert.Same(t, reports[0], r)
	assert.Equal(t, errs[0], err)
}

func TestErrorsNameTheirStage(t *testing.T) {
	boom := errors.New("boom")
	gate := make(chan struct{})
	var calls atomic.Int64
	p, err := New(func(_ context.Context, i int) error {
		if calls.Add(1) == 2 {
			<-gate // hold the worker so that items 3 and 4 are drained at shutdown
		}
		return fmt.Errorf("cmd %d: %w", i, boom)
	}, Options{Workers: 1})
	require.NoError(t, err)
	dbErr := errors.New("connection reset")
	require.NoError(t, p.OnStop("close db", func(context.Context) error { return dbErr }))
	require.NoError(t, p.OnStop("slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }))
	p.opts.HookTimeout = 10 * time.Millisecond
	require.NoError(t, p.Submit(context.Background(), 1))
	require.Eventually(t, func() bool { return p.Stats().Failed == 1 }, 10*time.Second, time.Millisecond)
	require.NoError(t, p.Submit(context.Background(), 2))
	require.NoError(t, p.Submit(context.Background(), 3))
	require.Eventually(t, func() bool { return calls.Load() == 2 }, 10*time.Second, time.Millisecond)
	go func() {
		for p.phase.Load() != StageQueue {
			time.Sleep(time.Millisecond)
		}
		close(gate)
	}()
	r, err := stopNow(p)
	require.Error(t, err)
	var me *multierror.Error
	require.ErrorAs(t, err, &me)
	var msgs []string
	for _, e := range me.Errors {
		msgs = append(msgs, e.Error())
	}
	assert.Equal(t, []string{
		"run: item 1: cmd 1: boom",
		"queue: item 2: cmd 2: boom",
		"queue: item 3: cmd 3: boom",
		"on-stop: slow: pool: timed out after 10ms: context deadline exceeded",
		"on-stop: close db: connection reset",
	}, msgs)
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, err, dbErr)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.Equal(t, 3, r.Failed)
	assert.ErrorIs(t, stageOf(r, StageOnStop).Err, dbErr)
	assert.NoError(t, stageOf(r, StageInFlight).Err)
}

func TestItemErrorsAreBounded(t *testing.T) {
	p, err := New(func(context.Context, int) error { return errors.New("no") }, Options{Workers: 2})
	require.NoError(t, err)
	for i := 0; i < defaultMaxItemErrors+50; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	r, err := closeAndRun(t, p)
	var me *multierror.Error
	require.ErrorAs(t, err, &me)
	notKept := 0
	for _, st := range r.Stages {
		var me *multierror.Error
		if errors.As(st.Err, &me) {
			for _, e := range me.Errors {
				var n int
				if _, err := fmt.Sscanf(e.Error(), st.Name+": %d more item errors not kept", &n); err == nil {
					notKept += n
				}
			}
		}
	}
	assert.Equal(t, 50, notKept, "each stage counts the errors it did not keep")
	assert.Equal(t, defaultMaxItemErrors+50, r.Failed, "every failed item is counted")
	assert.Len(t, r.Errors, defaultMaxItemErrors)
	assert.True(t, r.Balanced())
}

func TestRunShutsDownOnFirstEvent(t *testing.T) {
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit())
	require.NoError(t, err)
	defer stop()
	p, err := New(nop, Options{Workers: 2})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	type result struct {
		r   *Report[int]
		err error
	}
	done := make(chan result)
	go func() { r, err := p.Run(ctx); done <- result{r, err} }()
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}))
	res := <-done
	require.NoError(t, res.err)
	assert.Equal(t, ctrlc.Terminate, res.r.Event.Kind)
	assert.Equal(t, 1, res.r.Event.Seq)
	assert.Equal(t, 1, res.r.Completed)
}

// The input's end: Close, then Run returns once every item ran, with no
// stop event and no error; Submit is refused from Close on, and blocked
// submitters wake.
func TestCloseRunsEveryItemThenRunReturns(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 2, DrainTimeout: time.Millisecond})
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	<-started
	blocked := make(chan error, 1)
	go func() { blocked <- p.Submit(context.Background(), 99) }() // the queue is full
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, p.Close())
	assert.ErrorIs(t, <-blocked, ErrClosed, "Close wakes a blocked submitter")
	require.NoError(t, p.Close(), "Close is idempotent")
	assert.ErrorIs(t, p.Submit(context.Background(), 4), ErrClosed)
	assert.ErrorIs(t, p.TrySubmit(5), ErrClosed)
	// Hooks may still be added: the shutdown has not begun.
	var hooked atomic.Bool
	require.NoError(t, p.OnStop("after close", func(context.Context) error { hooked.Store(true); return nil }))
	// The queued items run with no deadline: the 1 ms DrainTimeout is the
	// shutdown's, which starts only once every item ran.
	time.AfterFunc(50*time.Millisecond, func() { close(gate) })
	r, err := p.Run(context.Background())
	require.NoError(t, err)
	assert.Zero(t, r.Event)
	assert.Equal(t, 3, r.Completed)
	assert.Empty(t, r.Unprocessed())
	assert.True(t, hooked.Load())
	assert.True(t, r.Balanced())
}
