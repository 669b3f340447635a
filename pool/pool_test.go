package pool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
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

var childScenarios = map[string]func() int{}

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
	code, err := c.Wait()
	require.NoError(t, err, c.Output())
	require.Equal(t, 0, code, "the child exited by itself; output:\n%s", c.Output())
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "report ")), r), line)
	return line
}

func nop(context.Context, int) error { return nil }

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
		{Options{KillTimeout: -1}, "Options.KillTimeout is -1"},
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
	assert.Equal(t, DefaultQueuePerWorker*p.opts.Workers, cap(p.queue))
	assert.Equal(t, DefaultDrainTimeout, p.opts.DrainTimeout)
	r, err := p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{StageRun, StageAnnounce, StageIntake, StageQueue, StageInFlight, StageHooks}, stageNames(r))
	assert.Equal(t, DefaultShutdownTimeout, p.opts.ShutdownTimeout)
	assert.Less(t, DefaultDrainTimeout+DefaultKillTimeout+DefaultHookTimeout, DefaultShutdownTimeout)
	assert.Less(t, DefaultShutdownTimeout, 30*time.Second, "inside Kubernetes' default grace period")
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
	r, err := p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 12, r.Submitted)
	assert.Equal(t, 12, r.Completed)
	assert.Empty(t, r.Unprocessed)
	assert.EqualValues(t, 12, ran.Load())
	assert.True(t, r.Balanced())
}

func TestAbandonHandsBackQueueInOrder(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 10, Policy: Abandon})
	require.NoError(t, err)
	for i := 0; i < 6; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	assert.Equal(t, 0, <-started)
	go func() { time.Sleep(20 * time.Millisecond); close(gate) }()
	r, err := p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5}, r.Unprocessed)
	assert.Equal(t, 1, r.Completed, "the item in flight finishes")
	assert.True(t, r.Balanced())
}

func TestAbandonQueueStageEndsOnceHandedBack(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, Policy: Abandon})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	require.NoError(t, p.Submit(context.Background(), 2))
	<-started
	const busy = 300 * time.Millisecond
	time.AfterFunc(busy, func() { close(gate) })
	r, err := p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []int{2}, r.Unprocessed)
	assert.Less(t, stageOf(r, StageQueue).Duration, busy, "the queue stage does not wait for the running item")
	assert.GreaterOrEqual(t, stageOf(r, StageQueue).Duration+stageOf(r, StageInFlight).Duration, busy/2, "the in-flight stage does")
}

func TestRunWithNilChannel(t *testing.T) {
	p, err := New(nop, Options{})
	require.NoError(t, err)
	defer p.Shutdown(context.Background())
	r, err := p.Run(nil)
	assert.Nil(t, r)
	assert.ErrorContains(t, err, "pool: Run: nil events channel")
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
	_, err = p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"item 1", "item 2", "hook third", "hook second", "hook first"}, order)
}

func TestDrainDeadlineCancelsItemContext(t *testing.T) {
	started := make(chan struct{})
	p, err := New(func(ctx context.Context, _ int) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}, Options{Workers: 1, DrainTimeout: 30 * time.Millisecond, KillTimeout: time.Second})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 7))
	require.NoError(t, p.Submit(context.Background(), 8)) // queued behind the stuck one
	<-started
	r, err := p.Shutdown(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled, "the handler's own error")
	assert.ErrorIs(t, err, ErrDrainTimeout)
	var ie *ItemError[int]
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 7, ie.Item)
	assert.Contains(t, err.Error(), "queue: 1 queued items handed back unrun")
	assert.Equal(t, []int{8}, r.Unprocessed)
	assert.Equal(t, []int{7}, r.Interrupted)
	assert.Empty(t, r.Failed)
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
	}, Options{Workers: 1, DrainTimeout: 20 * time.Millisecond, KillTimeout: 20 * time.Millisecond})
	require.NoError(t, err)
	defer close(release)
	require.NoError(t, p.Submit(context.Background(), 1))
	<-started
	r, err := p.Shutdown(context.Background())
	assert.ErrorIs(t, err, ErrAbandoned)
	assert.ErrorIs(t, err, ErrDrainTimeout)
	assert.Contains(t, err.Error(), "in-flight: 1 items still running after")
	assert.Equal(t, []int{1}, r.Abandoned)
	assert.True(t, r.Balanced())
}

func TestShutdownContextEndsDrain(t *testing.T) {
	started := make(chan struct{})
	p, err := New(func(ctx context.Context, _ int) error {
		close(started)
		<-ctx.Done()
		return context.Cause(ctx)
	}, Options{Workers: 1})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r, err := p.Shutdown(ctx)
	assert.ErrorIs(t, err, ErrDrainTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, []int{1}, r.Interrupted)
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
	r, err := p.Shutdown(context.Background())
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom on three", pe.Value)
	assert.Contains(t, string(pe.Stack), "pool_test.go")
	assert.Equal(t, []int{3}, r.Panicked)
	assert.Equal(t, 4, r.Completed)
}

func TestClosedPoolRefusesWork(t *testing.T) {
	p, err := New(nop, Options{Workers: 1})
	require.NoError(t, err)
	_, err = p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.ErrorIs(t, p.Submit(context.Background(), 1), ErrClosed)
	assert.ErrorIs(t, p.TrySubmit(1), ErrClosed)
	assert.ErrorIs(t, p.OnStop("late", func(context.Context) error { return nil }), ErrClosed)
	assert.ErrorContains(t, p.OnStop("nil", nil), `OnStop("nil"): nil function`)
}

func TestShutdownWakesBlockedSubmitters(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 1, Policy: Abandon})
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
	r, err := p.Shutdown(context.Background())
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		assert.ErrorIs(t, <-woken, ErrClosed)
	}
	assert.Equal(t, 2, r.Submitted)
	assert.Equal(t, 2, r.Completed+len(r.Unprocessed), "items 0 and 1 ran or came back")
	assert.True(t, r.Balanced())
}

func TestSubmitHonoursContext(t *testing.T) {
	gate := make(chan struct{})
	h, started := gated(gate)
	p, err := New(h, Options{Workers: 1, QueueSize: 1})
	require.NoError(t, err)
	defer func() { close(gate); _, _ = p.Shutdown(context.Background()) }()
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
	r, err := p.Shutdown(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 3, r.Submitted)
	assert.Equal(t, 3, r.Completed)
}

func TestShutdownIsIdempotent(t *testing.T) {
	p, err := New(nop, Options{})
	require.NoError(t, err)
	require.NoError(t, p.OnStop("fail", func(context.Context) error { return errors.New("once") }))
	var wg sync.WaitGroup
	reports := make([]*Report[int], 3)
	errs := make([]error, 3)
	for i := range reports {
		wg.Add(1)
		go func() { defer wg.Done(); reports[i], errs[i] = p.Shutdown(context.Background()) }()
	}
	wg.Wait()
	for i := 1; i < 3; i++ {
		assert.Same(t, reports[0], reports[i])
		assert.Equal(t, errs[0], errs[i])
	}
	assert.Equal(t, 1, strings.Count(errs[0].Error(), "hooks: fail: once"), "the hook ran once")
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
	require.Eventually(t, func() bool { return calls.Load() == 1 }, time.Second, time.Millisecond)
	time.Sleep(5 * time.Millisecond) // item 1 has failed before shutdown
	require.NoError(t, p.Submit(context.Background(), 2))
	require.NoError(t, p.Submit(context.Background(), 3))
	require.Eventually(t, func() bool { return calls.Load() == 2 }, time.Second, time.Millisecond)
	go func() { time.Sleep(20 * time.Millisecond); close(gate) }()
	r, err := p.Shutdown(context.Background())
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
		"hooks: slow: pool: hook timed out after 10ms: context deadline exceeded",
		"hooks: close db: connection reset",
	}, msgs)
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, err, dbErr)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrHookTimeout)
	assert.Equal(t, []int{1, 2, 3}, r.Failed)
	var hookStage Stage
	for _, s := range r.Stages {
		if s.Name == StageHooks {
			hookStage = s
		}
	}
	assert.ErrorIs(t, hookStage.Err, dbErr)
}

func TestItemErrorsAreBounded(t *testing.T) {
	p, err := New(func(context.Context, int) error { return errors.New("no") }, Options{Workers: 2})
	require.NoError(t, err)
	for i := 0; i < DefaultMaxItemErrors+50; i++ {
		require.NoError(t, p.Submit(context.Background(), i))
	}
	r, err := p.Shutdown(context.Background())
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
	assert.Len(t, r.Failed, DefaultMaxItemErrors+50, "every failed item is kept")
	assert.Len(t, r.Errors, DefaultMaxItemErrors)
}

func TestRunShutsDownOnFirstEvent(t *testing.T) {
	l, err := ctrlc.Notify(ctrlc.WithoutForceExit())
	require.NoError(t, err)
	defer l.Stop()
	p, err := New(nop, Options{Workers: 2})
	require.NoError(t, err)
	require.NoError(t, p.Submit(context.Background(), 1))
	type result struct {
		r   *Report[int]
		err error
	}
	done := make(chan result)
	go func() { r, err := p.Run(l.C()); done <- result{r, err} }()
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}))
	res := <-done
	require.NoError(t, res.err)
	assert.Equal(t, ctrlc.Terminate, res.r.Event.Kind)
	assert.Equal(t, 1, res.r.Event.Seq)
	assert.Equal(t, 1, res.r.Completed)
}

// TestAccountingUnderRandomShutdown is the property test: whatever the
// moment of shutdown, the policy and the mix of outcomes, every accepted item
// is reported exactly once: completed (the handler returned nil), or by value
// in Failed, Panicked, Unprocessed, Interrupted or Abandoned.
func TestAccountingUnderRandomShutdown(t *testing.T) {
	iterations := 150
	if testing.Short() {
		iterations = 30
	}
	for it := 0; it < iterations; it++ {
		policy := Policy(it % 2)
		stuck := it%3 == 0 // some items ignore their context until released
		take := it%4 == 1  // a last word calls TakePending as the shutdown runs
		t.Run(fmt.Sprintf("%d-%v-stuck=%v-take=%v", it, policy, stuck, take), func(t *testing.T) {
			checkAccounting(t, policy, stuck, take, rand.New(rand.NewPCG(uint64(it), 42)))
		})
	}
}

func checkAccounting(t *testing.T, policy Policy, stuck, take bool, rng *rand.Rand) {
	var mu sync.Mutex
	completed := map[int]bool{} // ids whose handler returned nil
	release := make(chan struct{})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	p, err := New(func(ctx context.Context, id int) error {
		switch {
		case stuck && id%97 == 0:
			<-release // ignores its context
		case id%7 == 3:
			select { // honours its context
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(id%5) * time.Millisecond):
			}
		}
		switch id % 11 {
		case 5:
			return errors.New("failed")
		case 7:
			panic("panicked")
		case 9:
			runtime.Goexit()
		}
		mu.Lock()
		completed[id] = true
		mu.Unlock()
		return nil
	}, Options{Workers: 1 + rng.IntN(8), QueueSize: 1 + rng.IntN(32), Policy: policy,
		DrainTimeout: time.Duration(1+rng.IntN(5)) * time.Millisecond, KillTimeout: 5 * time.Millisecond})
	require.NoError(t, err)

	const submitters = 6
	accepted := make([][]int, submitters)
	var wg sync.WaitGroup
	for s := 0; s < submitters; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				id := s*1_000_000 + n
				var err error
				if n%2 == 0 {
					err = p.Submit(context.Background(), id)
				} else if err = p.TrySubmit(id); errors.Is(err, ErrQueueFull) {
					continue
				}
				if errors.Is(err, ErrClosed) {
					return
				}
				if !assert.NoError(t, err) {
					return
				}
				accepted[s] = append(accepted[s], id)
			}
		}()
	}
	stopStats, statsDone := make(chan struct{}), make(chan struct{})
	go func() { // Stats from another goroutine all along: -race checks it
		defer close(statsDone)
		for {
			s := p.Stats()
			if s.Submitted < 0 || s.InFlight > 8 {
				t.Errorf("impossible stats: %+v", s)
			}
			select {
			case <-stopStats:
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
	taken := make(chan []int, 1)
	if take {
		delay := time.Duration(rng.IntN(3000)) * time.Microsecond
		go func() { time.Sleep(delay); taken <- p.TakePending() }()
	} else {
		taken <- nil
	}
	r, err := p.Shutdown(context.Background())
	wg.Wait()
	close(stopStats)
	<-statsDone
	require.NotNil(t, r)
	pending := <-taken
	acceptedSet := map[int]bool{}
	for _, ids := range accepted {
		for _, id := range ids {
			acceptedSet[id] = true
		}
	}
	pendingSet := map[int]bool{}
	for _, id := range pending {
		require.True(t, acceptedSet[id], "TakePending returned %d, never accepted", id)
		require.False(t, pendingSet[id], "TakePending returned %d twice", id)
		pendingSet[id] = true
	}

	seen := map[int]string{}
	for outcome, ids := range map[string][]int{"failed": r.Failed, "panicked": r.Panicked,
		"unprocessed": r.Unprocessed, "interrupted": r.Interrupted, "abandoned": r.Abandoned} {
		for _, id := range ids {
			prev, dup := seen[id]
			require.False(t, dup, "item %d is both %s and %s", id, prev, outcome)
			seen[id] = outcome
		}
	}
	mu.Lock()
	done := 0
	for id := range completed {
		if outcome, dup := seen[id]; dup {
			// An abandoned item may return later; no other outcome may
			// also be a completion.
			require.Equal(t, "abandoned", outcome, "item %d completed and is %s", id, outcome)
			continue
		}
		seen[id] = "completed"
		done++
	}
	mu.Unlock()
	total := 0
	for _, ids := range accepted {
		for _, id := range ids {
			_, ok := seen[id]
			require.True(t, ok, "accepted item %d is lost", id)
			delete(seen, id)
			total++
		}
	}
	require.Empty(t, seen, "items reported that were never accepted")
	assert.Equal(t, total, r.Submitted)
	assert.Equal(t, done, r.Completed)
	assert.True(t, r.Balanced())
	if policy == Finish && !errors.Is(err, ErrDrainTimeout) {
		assert.Empty(t, r.Unprocessed, "policy Finish hands back only after the drain deadline")
	}
}
