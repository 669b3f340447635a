package pool

// Each test here is an attack on the pool's contracts that broke the pool
// as it was before issue 9 (the comment says how); they pass now.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Before: the abandon flag was set after the intake stage, whose wait for a
// submitter mid-send left the queue open, so a worker freed then ran queued
// items.
func TestSkipRunsNoQueuedItemWhileIntakeCloses(t *testing.T) {
	for it := 0; it < 20; it++ {
		var p *Pool[int]
		var ran atomic.Int64
		started := make(chan struct{})
		p, err := New(func(_ context.Context, i int) error {
			if i == 0 {
				close(started)
				// Freed the moment the intake starts closing.
				for p.state.Load()&closedBit == 0 {
					runtime.Gosched()
				}
				return nil
			}
			ran.Add(1)
			return nil
		}, Options{Workers: 1, QueueSize: 50, Policy: Skip})
		require.NoError(t, err)
		require.NoError(t, p.Submit(context.Background(), 0))
		<-started
		for i := 1; i <= 50; i++ {
			require.NoError(t, p.Submit(context.Background(), i))
		}
		fed := make(chan error)
		go func() { fed <- p.Submit(context.Background(), 51) }() // blocked: the queue is full
		require.Eventually(t, func() bool { return p.state.Load()&stateInFlight == 1 }, 10*time.Second, time.Millisecond)
		r, err := stopNow(p)
		require.NoError(t, err)
		want := 51 // the blocked submitter was admitted before the intake closed: it may get in
		if err := <-fed; err != nil {
			assert.ErrorIs(t, err, ErrClosed)
			want = 50
		}
		require.Zero(t, ran.Load(), "iteration %d: queued items ran under policy Skip", it)
		require.Len(t, r.Queued, want)
		require.True(t, r.Balanced())
	}
}

// Before: runtime.Goexit in a handler (t.FailNow, require) killed its worker
// for good: later items never ran, the item was called abandoned, and the
// shutdown waited out its drain timeout.
func TestGoexitInAHandlerIsRecordedAndTheWorkerReplaced(t *testing.T) {
	p, err := New(func(_ context.Context, i int) error {
		if i == 2 {
			runtime.Goexit()
		}
		return nil
	}, Options{Workers: 1, DrainTimeout: time.Hour})
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	r, err := closeAndRun(t, p)
	assert.ErrorIs(t, err, ErrGoexit)
	assert.NotErrorIs(t, err, ErrTimeout, "the drain did not wait out its timeout")
	assert.Equal(t, 1, r.Panicked)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, 2, r.Errors[0].Item)
	assert.Equal(t, 4, r.Completed, "the items after it ran on the replacement worker")
	assert.Empty(t, r.Abandoned)
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, string(pe.Stack), "runtime.Goexit", "the stack shows who called Goexit")
	assert.True(t, r.Balanced())
}

func TestGoexitInAHookIsAnError(t *testing.T) {
	p, err := New(nop, Options{HookTimeout: time.Hour})
	require.NoError(t, err)
	require.NoError(t, p.OnStop("fails the test", func(context.Context) error { runtime.Goexit(); return nil }))
	require.NoError(t, p.BeforeStop("panics", func(context.Context) error { panic("no") }))
	_, err = stopNow(p)
	assert.ErrorIs(t, err, ErrGoexit)
	assert.ErrorContains(t, err, "on-stop: fails the test: panic: pool: runtime.Goexit called")
	assert.ErrorContains(t, err, `before-stop: panics: panic: "no"`)
}

func init() { childScenarios["panicnil"] = childPanicNil }

// childPanicNil runs under GODEBUG=panicnil=1, where recover returns nil for
// panic(nil), as it does for runtime.Goexit.
func childPanicNil([]string) int {
	p, err := New(func(_ context.Context, i int) error {
		if i == 2 {
			panic(nil) //nolint:govet // what this child is about
		}
		return nil
	}, Options{Workers: 1, DrainTimeout: time.Hour})
	if err != nil {
		fmt.Println(err)
		return 3
	}
	for i := 1; i <= 4; i++ {
		_ = p.Submit(context.Background(), i)
	}
	_ = p.Close()
	r, err := p.Run(context.Background())
	var pe *PanicError
	out, _ := json.Marshal(map[string]any{"panicked": r.Panicked, "completed": r.Completed,
		"abandoned": r.Abandoned, "item": r.Errors[0].Item, "nilValue": errors.As(err, &pe) && pe.Value == nil, "balanced": r.Balanced()})
	fmt.Printf("report %s\n", out)
	return 0
}

// Before: panic(nil) under GODEBUG=panicnil=1 was recovered as nothing: the
// item was lost (counted as abandoned).
func TestPanicNilUnderPanicNilIsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := ctrlctest.Self("panicnil")
	cmd.Env = append(cmd.Env, "GODEBUG=panicnil=1")
	c := ctrlctest.Start(t, cmd)
	var got map[string]any
	readReport(t, c, &got)
	assert.Equal(t, map[string]any{"panicked": 1.0, "completed": 3.0, "abandoned": nil, "item": 2.0,
		"nilValue": true, "balanced": true}, got)
}

// Before: a call rejected with ErrClosed went through the in-flight count
// that the intake stage waits to see at zero, so goroutines spinning on
// TrySubmit or Submit held the shutdown for as long as they spun.
func TestSpinningRejectedSubmittersDoNotHoldIntake(t *testing.T) {
	p, err := New(nop, Options{Workers: 2})
	require.NoError(t, err)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if i%2 == 0 {
					_ = p.TrySubmit(i)
				} else {
					_ = p.Submit(context.Background(), i)
				}
				if runtime.GOARCH == "wasm" {
					runtime.Gosched() // one thread, no preemption
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	done := make(chan error, 1)
	go func() { _, err := stopNow(p); done <- err }()
	select {
	case err := <-done: // while all 16 still spin
		assert.NoError(t, err)
	case <-time.After(20 * time.Second): // a hang detector, not a speed check
		t.Fatal("Run is held open by submitters spinning on a closed pool")
	}
}

// The reason spinners held the intake: a rejected call went through the
// in-flight count. Now, once closed, it writes nothing.
func TestRejectedSubmitsDoNotCountInFlight(t *testing.T) {
	p, err := New(nop, Options{Workers: 1})
	require.NoError(t, err)
	_, err = stopNow(p)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 50_000; n++ {
				_ = p.TrySubmit(n)
				_ = p.Submit(context.Background(), n)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for seen := 0; ; {
		select {
		case <-done:
			require.Zero(t, seen, "rejected calls were seen in flight")
			return
		default:
			if p.state.Load()&stateInFlight != 0 {
				seen++
			}
			runtime.Gosched() // single-threaded wasm has no preemption
		}
	}
}

// Before: Submit(nil, x) on a full queue panicked inside the pool after
// counting itself in flight, and every later shutdown hung.
func TestNilContextOnAFullQueueLeavesThePoolWorking(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 1})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 0))
	<-started
	require.NoError(t, p.Submit(context.Background(), 1))    // the queue is full
	assert.ErrorContains(t, p.Submit(nil, 2), "nil context") //nolint:staticcheck // the attack
	_, err = p.Run(nil)                                      //nolint:staticcheck // the attack
	assert.ErrorContains(t, err, "nil context")
	close(gate)
	r, err := closeAndRun(t, p)
	require.NoError(t, err)
	assert.Equal(t, 2, r.Completed)
}

type panickingHandler struct{ slog.Handler }

func (panickingHandler) Handle(context.Context, slog.Record) error { panic("logger broke") }

// Before: a panic inside the shutdown (a Logger that panics) escaped
// the shutdown and left the call unfinished, so every later call hung.
func TestAPanickingLoggerDoesNotWedgeThePool(t *testing.T) {
	logger := slog.New(panickingHandler{slog.NewTextHandler(os.Stderr, nil)})
	p, err := New(func(context.Context, int) error { return errors.New("fails") },
		Options{Workers: 1, Logger: logger})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	r, err := closeAndRun(t, p)
	assert.ErrorContains(t, err, "item 1: fails")
	assert.Equal(t, 1, r.Failed)
	r2, err2 := p.Run(context.Background())
	assert.Same(t, r, r2)
	assert.Equal(t, err, err2)
}

// queueBehindPlugs submits items -8..-1, which p's handler holds in its 8
// workers, each calling plugged.Done, and once all 8 run queues items
// 0..1999 behind them.
func queueBehindPlugs(t *testing.T, p *Pool[int], plugged *sync.WaitGroup) {
	t.Helper()
	for i := -8; i < 0; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	plugged.Wait()
	for i := 0; i < 2000; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
}

// Before: the drain and the workers handed queued items back concurrently,
// so the queued items handed back came out of queue order.
func TestUnprocessedIsInQueueOrder(t *testing.T) {
	for it := 0; it < 20; it++ {
		var p *Pool[int]
		var plugged sync.WaitGroup
		plugged.Add(8)
		p, err := New(func(_ context.Context, i int) error {
			if i < 0 {
				plugged.Done()
				for p.state.Load()&closedBit == 0 { // freed as the intake closes
					runtime.Gosched()
				}
			}
			return nil
		}, Options{Workers: 8, QueueSize: 2000, Policy: Skip})
		require.NoError(t, err)
		queueBehindPlugs(t, p, &plugged)
		r, err := stopNow(p)
		require.NoError(t, err)
		require.Len(t, r.Queued, 2000)
		require.True(t, slices.IsSorted(r.Queued), "iteration %d: not in queue order", it)
	}
}

// The same after the drain deadline with policy Finish, when workers freed
// by the cancel take queued items while the drain hands the queue back.
func TestUnprocessedIsInQueueOrderAfterTheDrainDeadline(t *testing.T) {
	for it := 0; it < 20; it++ {
		var plugged sync.WaitGroup
		plugged.Add(8)
		p, err := New(func(ctx context.Context, i int) error {
			if i < 0 {
				plugged.Done()
				<-ctx.Done()
			}
			return nil
		}, Options{Workers: 8, QueueSize: 2000, DrainTimeout: 20 * time.Millisecond})
		require.NoError(t, err)
		queueBehindPlugs(t, p, &plugged)
		r, err := stopNow(p)
		require.ErrorIs(t, err, ErrTimeout)
		require.Len(t, r.Queued, 2000)
		require.True(t, slices.IsSorted(r.Queued), "iteration %d: not in queue order", it)
	}
}

// Before: past the cap on kept errors, an error of the queue stage was
// counted under "run", and the queue stage's Err stayed nil.
func TestErrorsPastTheCapStayInTheirStage(t *testing.T) {
	var p *Pool[int]
	var calls atomic.Int64
	p, err := New(func(_ context.Context, i int) error {
		if calls.Add(1) == 2 {
			for p.phase.Load() != StageQueue { // items 2 to 5 fail in the queue stage
				runtime.Gosched()
			}
		}
		return fmt.Errorf("item %d", i)
	}, Options{Workers: 1, MaxItemErrors: 1})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	require.Eventually(t, func() bool { return p.Stats().Failed == 1 }, 10*time.Second, time.Millisecond)
	for i := 2; i <= 5; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	r, err := stopNow(p)
	require.Error(t, err)
	assert.Len(t, r.Errors, 1)
	assert.Equal(t, 5, r.Failed, "every failed item is counted")
	assert.ErrorContains(t, stageOf(r, StageRun).Err, "run: item 1")
	assert.NotContains(t, stageOf(r, StageRun).Err.Error(), "not kept")
	assert.ErrorContains(t, stageOf(r, StageQueue).Err, "queue: 4 more item errors not kept (MaxItemErrors is 1)")
}

// Before: an idle, empty pool shut down with an ended context or a 1 ns
// drain timeout reported "running items cancelled", at random.
func TestIdlePoolWithAnEndedDrainReportsNoError(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for it := 0; it < 50; it++ {
		p, err := New(nop, Options{Workers: 4})
		require.NoError(t, err)
		r, err := p.Run(cancelled)
		require.NoError(t, err, "iteration %d", it)
		require.True(t, r.Balanced())

		p, err = New(nop, Options{Workers: 4, DrainTimeout: 1})
		require.NoError(t, err)
		_, err = stopNow(p)
		require.NoError(t, err, "iteration %d", it)
	}
}

// Before: each shutdown stuck on an item left a goroutine behind waiting
// for the workers, beside the stuck item's own.
func TestStuckShutdownLeavesOnlyTheStuckItem(t *testing.T) {
	before := goleak.IgnoreCurrent()
	release := make(chan struct{})
	started := make(chan struct{})
	p, err := New(func(context.Context, int) error {
		close(started)
		<-release // ignores its context
		return nil
	}, Options{Workers: 3, DrainTimeout: time.Millisecond, CancelGrace: time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	<-started
	r, err := stopNow(p)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.ErrorContains(t, err, "in-flight: 1 item still running after")
	assert.Equal(t, []int{1}, r.Abandoned)
	// Only the worker running the stuck item is left.
	assert.NoError(t, goleak.Find(before,
		goleak.IgnoreAnyFunction("github.com/ctrlc-go/ctrlc/pool.TestStuckShutdownLeavesOnlyTheStuckItem.func1")))
	close(release)
	assert.NoError(t, goleak.Find(before), "and it returns once released")
}

// Before: huge sizes crashed New (makechan and makeslice panics, an
// overflowing default queue size, a fatal out-of-memory at QueueSize 2^40).
func TestHugeSizesAreErrorsNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Workers: math.MaxInt}, "Options.Workers is 9223372036854775807: at most 65536"},
		{Options{Workers: maxWorkers + 1}, "Options.Workers is 65537"},
		{Options{QueueSize: 1 << 40}, "Options.QueueSize is 1099511627776"},
		{Options{QueueSize: math.MaxInt}, "Options.QueueSize is 9223372036854775807"},
		{Options{QueueSize: 1 << 60}, "Options.QueueSize is 1152921504606846976"}, // × 16 bytes wraps to 0
		{Options{Workers: 8, QueueSize: maxQueueBytes}, "Options.QueueSize is 1073741824: slots of 16 bytes (int) would take over 1073741824 bytes"},
		{Options{ShutdownTimeout: -1}, "Options.ShutdownTimeout is -1"},
		{Options{MaxItemErrors: -1}, "Options.MaxItemErrors is -1"},
	} {
		p, err := New(nop, tc.opts)
		assert.Nil(t, p)
		assert.ErrorContains(t, err, tc.want)
	}
	_, err := New(func(context.Context, [4096]byte) error { return nil }, Options{Workers: 1, QueueSize: 1 << 20})
	assert.ErrorContains(t, err, "Options.QueueSize is 1048576: slots of 4100 bytes ([4096]uint8) would take over 1073741824 bytes")
	_, err = New(func(context.Context, [60_000]byte) error { return nil }, Options{Workers: 1 << 15})
	assert.ErrorContains(t, err, "Options.Workers is 32768: the workers' slots for [60000]uint8 would take")

	p, err := New(nop, Options{Workers: maxWorkers / 64})
	require.NoError(t, err, "a large but sane pool")
	_, err = stopNow(p)
	require.NoError(t, err)
}

// Before: Shutdown from inside an item waited for its own drain, and
// reported itself abandoned; from inside a hook it waited out the hook's
// timeout. Now Run with the context of one of the pool's own items or
// hooks is an error at once, with an empty report, and begins nothing.
func TestRunFromInsideAnItemOrAHook(t *testing.T) {
	type result struct {
		r   *Report[int]
		err error
	}
	inner := make(chan result, 3)
	var p *Pool[int]
	p, err := New(func(ctx context.Context, _ int) error {
		r, err := p.Run(ctx)
		inner <- result{r, err}
		return nil
	}, Options{Workers: 1, DrainTimeout: time.Hour, HookTimeout: time.Hour})
	require.NoError(t, err)
	fromHook := func(ctx context.Context) error {
		r, err := p.Run(ctx)
		inner <- result{r, err}
		return nil
	}
	require.NoError(t, p.BeforeStop("runs again", fromHook))
	require.NoError(t, p.OnStop("runs again", fromHook))
	require.NoError(t, p.Submit(context.Background(), 1))
	res := <-inner
	assert.ErrorContains(t, res.err, "the context of one of the pool's own items or hooks")
	assert.Equal(t, &Report[int]{}, res.r)
	assert.NoError(t, p.Submit(context.Background(), 2), "the item's call began no shutdown")
	res = <-inner
	assert.Error(t, res.err)
	var r *Report[int]
	within(t, 20*time.Second, "a shutdown whose hooks call Run", func() { r, err = stopNow(p) })
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		res := <-inner
		assert.ErrorContains(t, res.err, "the context of one of the pool's own items or hooks", "hook %d", i)
		assert.NotNil(t, res.r)
	}
	assert.Equal(t, 2, r.Completed)
	assert.Empty(t, r.Abandoned)
	assert.ErrorIs(t, p.Submit(context.Background(), 3), ErrClosed)
}

// Before: Report.Submitted (now Accepted) was the sum of the outcomes, so Balanced held for
// a report that lost an item or counted one twice: every Balanced check in
// the tests could not fail.
func TestAnItemLostOrCountedTwiceUnbalancesTheReport(t *testing.T) {
	for _, tc := range []struct {
		name      string
		miscount  func(p *Pool[int])
		submitted int
		want      string
	}{
		{"lost", func(p *Pool[int]) { p.state.Add(admitOne); p.state.Add(sendDone) }, 2,
			"2 items accepted, 1 accounted for (a bug in the pool)"},
		{"twice", func(p *Pool[int]) { p.rejected.Add(1) }, 0,
			"0 items accepted, 1 accounted for (a bug in the pool)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each waits settleLimit
			p, err := New(nop, Options{Workers: 1})
			require.NoError(t, err)
			require.NoError(t, p.Submit(context.Background(), 1))
			tc.miscount(p)
			r, err := stopNow(p)
			assert.ErrorContains(t, err, tc.want)
			assert.Equal(t, tc.submitted, r.Accepted)
			assert.Equal(t, 1, r.Completed)
			assert.False(t, r.Balanced())
		})
	}
}

// Before: settle read the tickets and the rejections without waiting for
// the submitters in flight, so a Submit admitted just as the intake closed
// (it bumps the tickets, then the rejections) could be read half done: one
// item too many accepted, and a shutdown reporting it lost.
func TestASubmitRejectedAsIntakeClosesIsNotLost(t *testing.T) {
	p, err := New(nop, Options{Workers: 1})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	p.closeIntake()
	// A Submit that found the pool open, then admitted itself once closed:
	// Submit's steps, paused between the admission and the rejection.
	require.NotZero(t, p.state.Add(admitOne)&closedBit)
	done := make(chan struct{})
	var r *Report[int]
	go func() { defer close(done); r, err = stopNow(p) }()
	time.Sleep(50 * time.Millisecond) // lets the shutdown reach its count, if it does not wait
	_ = p.reject(ErrClosed)
	<-done
	require.NoError(t, err)
	assert.Equal(t, 1, r.Accepted)
	assert.Equal(t, 1, r.Completed)
	assert.True(t, r.Balanced())
}

// brokenDone is a caller's context whose Done panics or calls
// runtime.Goexit, or, with ended, is closed while Err says nil.
type brokenDone struct {
	context.Context
	goexit, ended bool
}

func (c brokenDone) Err() error { return nil }

func (c brokenDone) Done() <-chan struct{} {
	if c.ended {
		ended := make(chan struct{})
		close(ended)
		return ended
	}
	if c.goexit {
		runtime.Goexit()
	}
	panic("Done broke")
}

// Before: Submit called ctx.Done on a full queue after counting itself in
// flight; a context whose Done panicked (or called runtime.Goexit) left the
// count held, and every later shutdown waited for it forever. A context
// ended with a nil Err made Submit return nil for an item it rejected.
func TestABrokenContextOnAFullQueueLeavesThePoolWorking(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 1})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 0))
	<-started
	require.NoError(t, p.Submit(context.Background(), 1)) // the queue is full
	assert.PanicsWithValue(t, "Done broke", func() { _ = p.Submit(brokenDone{Context: context.Background()}, 2) })
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		_ = p.Submit(brokenDone{Context: context.Background(), goexit: true}, 3)
	}()
	<-exited
	assert.ErrorIs(t, p.Submit(brokenDone{Context: context.Background(), ended: true}, 4), context.Canceled,
		"an error, not nil: the item is not in the report")
	close(gate)
	done := make(chan struct{})
	var r *Report[int]
	go func() { defer close(done); r, err = stopNow(p) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second): // a hang detector, not a speed check
		t.Fatal("Run waits for a Submit that is gone")
	}
	require.NoError(t, err)
	assert.Equal(t, 2, r.Accepted)
	assert.Equal(t, 2, r.Completed)
	assert.True(t, r.Balanced())
}

type goexitHandler struct{ slog.Handler }

func (goexitHandler) Handle(context.Context, slog.Record) error { runtime.Goexit(); return nil }

// Before: a Logger that called runtime.Goexit ended the first Shutdown's
// goroutine mid-shutdown, and every later call returned a nil report with
// a nil error. The Logger now runs on a goroutine of its own: its Goexit
// ends only that goroutine (and is reported on standard error), and the
// shutdown, run on Run's caller's goroutine, goes on to its report.
func TestALoggerCallingGoexitDoesNotEndTheShutdown(t *testing.T) {
	logger := slog.New(goexitHandler{slog.NewTextHandler(os.Stderr, nil)})
	p, err := New(nop, Options{Workers: 1, Logger: logger})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	var r *Report[int]
	within(t, 20*time.Second, "Run whose Logger calls Goexit", func() { r, err = stopNow(p) })
	require.NotNil(t, r)
	assert.NoError(t, err)
	assert.Equal(t, 1, r.Accepted)
	assert.True(t, r.Balanced())
	r2, err2 := p.Run(context.Background())
	assert.Same(t, r, r2, "a later call gets the same report")
	assert.Equal(t, err, err2)
}

// The workers start with the first items, one with each accepted submission
// until all run: an idle pool has no goroutine, so that its shutdown wakes
// none. Before: New started every worker, and the stop of an idle pool of 8
// woke 8 goroutines only to let them return (1.29× to 1.22× on the idle
// demo's exit, BenchmarkExit).
func TestWorkersStartWithTheFirstItems(t *testing.T) {
	before := goleak.IgnoreCurrent()
	block := make(chan struct{})
	p, err := New(func(ctx context.Context, _ int) error {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil
	}, Options{Workers: 3, QueueSize: 8})
	require.NoError(t, err)
	assert.NoError(t, goleak.Find(before), "New starts no goroutine")
	workers := goleak.IgnoreAnyFunction("github.com/ctrlc-go/ctrlc/pool.TestWorkersStartWithTheFirstItems.func1")
	for i := range 5 {
		if i%2 == 0 {
			require.NoError(t, p.Submit(context.Background(), i))
		} else {
			require.NoError(t, p.TrySubmit(i))
		}
		if i < 3 {
			// One more worker per item, until all 3 run.
			require.Eventually(t, func() bool { return p.Stats().Running == i+1 }, 5*time.Second, time.Millisecond)
		}
	}
	assert.Equal(t, 3, p.Stats().Running)
	assert.Equal(t, 2, p.Stats().Queued)
	close(block)
	r, err := stopNow(p)
	require.NoError(t, err)
	assert.Equal(t, 5, r.Completed)
	assert.NoError(t, goleak.Find(before, workers), "every worker returned")
}

// A pool that never got an item has no worker to find its queue closed:
// Close, then Run, must still end at once, as must a shutdown.
func TestPoolWithNoItemEnds(t *testing.T) {
	before := goleak.IgnoreCurrent()
	p, err := New(func(context.Context, int) error { return nil }, Options{Workers: 4})
	require.NoError(t, err)
	require.NoError(t, p.Close())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, err := p.Run(context.Background()) // the input ended and every item (none) ran
		assert.NoError(t, err)
		assert.True(t, r.Balanced())
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after Close on a pool that never got an item")
	}
	q, err := New(func(context.Context, int) error { return nil }, Options{Workers: 4, DrainTimeout: time.Hour})
	require.NoError(t, err)
	start := time.Now()
	_, err = stopNow(q)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), time.Second, "the shutdown of a pool that never got an item waits for no worker")
	assert.NoError(t, goleak.Find(before))
}
