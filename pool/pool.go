// Package pool runs items on a fixed set of workers and, when the shutdown
// channel fires, stops in order without losing any item.
//
// The shutdown has four stages, run one after the other:
//
//  1. intake: Submit and TrySubmit return ErrClosed; blocked submitters wake.
//  2. queue: with policy Finish the workers run every queued item; with
//     Abandon none runs. What did not run comes back in Report.Unprocessed.
//  3. in-flight: running items get until DrainTimeout (counted from the start
//     of the queue stage); then their context is cancelled and queued items
//     are handed back; whatever still runs after KillTimeout is counted as
//     abandoned, never waited on forever.
//  4. hooks: the OnStop functions, last registered first, each under
//     HookTimeout.
//
// Every error of every stage (item errors, panics, timeouts, hook errors)
// comes back in one *multierror.Error, each prefixed with its stage; errors.Is
// and errors.As reach the original errors.
package pool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/hashicorp/go-multierror"
)

// Policy says what the queue stage does with queued items.
type Policy uint8

const (
	// Finish runs every queued item before the pool stops.
	Finish Policy = iota
	// Abandon runs no queued item: they come back in Report.Unprocessed.
	Abandon
)

// String returns "finish" or "abandon".
func (p Policy) String() string {
	switch p {
	case Finish:
		return "finish"
	case Abandon:
		return "abandon"
	}
	return fmt.Sprintf("Policy(%d)", uint8(p))
}

// Defaults for the zero fields of Options.
const (
	DefaultDrainTimeout = 30 * time.Second
	DefaultKillTimeout  = 5 * time.Second
	DefaultHookTimeout  = 10 * time.Second
	// DefaultQueuePerWorker sizes the queue when Options.QueueSize is 0.
	DefaultQueuePerWorker = 4
)

// Options configures a Pool. A zero field takes its default; a negative one
// is an error.
type Options struct {
	Workers      int           // how many items run at once; default runtime.GOMAXPROCS(0)
	QueueSize    int           // how many items wait; default DefaultQueuePerWorker × Workers
	DrainTimeout time.Duration // how long the queue and in-flight stages may take before items are cancelled
	KillTimeout  time.Duration // how long cancelled items get to return before they are abandoned
	HookTimeout  time.Duration // how long each OnStop function gets
	Policy       Policy        // what happens to queued items at shutdown
	Logger       *slog.Logger  // where the stages are logged; nil logs nothing
}

// Errors returned by the pool.
var (
	// ErrClosed is returned by Submit, TrySubmit and OnStop once shutdown began.
	ErrClosed = errors.New("pool: closed")
	// ErrQueueFull is returned by TrySubmit when the queue has no room.
	ErrQueueFull = errors.New("pool: queue full")
	// ErrDrainTimeout is the cause of the items' context when DrainTimeout passes.
	ErrDrainTimeout = errors.New("pool: drain timeout")
	// ErrAbandoned is wrapped by the in-flight error naming items still running after KillTimeout.
	ErrAbandoned = errors.New("pool: items abandoned")
	// ErrHookTimeout is wrapped by the error of an OnStop function that did not return in time.
	ErrHookTimeout = errors.New("pool: hook timed out")
)

// The stages, as they name errors and Report.Stages.
const (
	StageRun      = "run" // items that failed before shutdown began
	StageIntake   = "intake"
	StageQueue    = "queue"
	StageInFlight = "in-flight"
	StageHooks    = "hooks"
)

// ItemError is the error of one item: what it returned, or a *PanicError.
type ItemError[T any] struct {
	Stage string
	Item  T
	Err   error
}

func (e *ItemError[T]) Error() string { return fmt.Sprintf("%s: item %v: %v", e.Stage, e.Item, e.Err) }

// Unwrap returns the item's own error.
func (e *ItemError[T]) Unwrap() error { return e.Err }

// PanicError is an item's panic, recovered: the worker goes on.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v\n%s", e.Value, e.Stack) }

// maxItemErrors bounds the item errors a pool keeps, so that a long-running
// pool with a failing handler does not grow without end; the rest are counted.
const maxItemErrors = 100

// Stage is how one shutdown stage went.
type Stage struct {
	Name     string
	Duration time.Duration
	Err      error // nil, or a *multierror.Error of what went wrong in the stage
}

// Report tells what became of every item. The counts balance:
// Submitted = Completed + Failed + Panicked + len(Unprocessed) + Abandoned.
type Report[T any] struct {
	Event       ctrlc.Event // what started the shutdown; zero when Shutdown was called by hand
	Submitted   int         // items accepted by Submit or TrySubmit
	Completed   int         // items whose handler returned nil
	Failed      int         // items whose handler returned an error
	Panicked    int         // items whose handler panicked
	Abandoned   int         // items still running after KillTimeout
	Unprocessed []T         // items accepted but never run, in queue order
	Stages      []Stage     // intake, queue, in-flight, hooks
}

// Balanced reports whether every submitted item is accounted for.
func (r *Report[T]) Balanced() bool {
	return r.Submitted == r.Completed+r.Failed+r.Panicked+len(r.Unprocessed)+r.Abandoned
}

// Pool runs items of type T on a fixed number of workers. Its methods are
// safe for concurrent use. A Pool's workers run from New until Shutdown (or
// Run) returns.
type Pool[T any] struct {
	handler func(context.Context, T) error
	opts    Options

	queue   chan T
	closing chan struct{} // closed when intake stops, waking blocked submitters

	// state is the word every Submit writes; it sits on a cache line of its
	// own, so that it doesn't evict the fields the workers read per item.
	_     [64]byte
	state atomic.Int64 // see stateInFlight
	_     [56]byte

	itemCtx    context.Context
	cancelItem context.CancelCauseFunc
	phase      atomic.Value // the stage an item finishing now belongs to: StageRun, StageQueue, StageInFlight
	abandon    atomic.Bool  // workers hand items back instead of running them
	workers    []worker
	running    sync.WaitGroup
	emptied    chan struct{} // closed by the first worker to find the queue closed and empty
	emptyOnce  sync.Once

	mu          sync.Mutex
	unprocessed []T
	itemErrs    []*ItemError[T]
	droppedErrs int
	hooks       []hook
	shutdown    *shutdownCall[T]
}

type hook struct {
	name string
	fn   func(context.Context) error
}

type shutdownCall[T any] struct {
	done   chan struct{}
	report *Report[T]
	err    error
}

// worker keeps its own counters, padded apart so workers don't share cache lines.
type worker struct {
	completed, failed, panicked atomic.Int64
	_                           [40]byte
}

// Pool.state packs, into one word, what Submit must update, so that an
// accepted item costs two atomic adds (in, then out and accepted at once):
//
//   - bits 0-30, stateInFlight: the submitters between admission and the end
//     of their send. The queue channel may be closed only when none is left.
//   - bit 31, closedBit: set when intake stops; no submitter is admitted after.
//   - bits 32-63: the items accepted so far, modulo 2^32. Report.Submitted is
//     rebuilt from it in count, where the queue is drained and only items
//     still running are missing from the other counts: fewer than 2^32.
const (
	stateInFlight = 1<<31 - 1
	closedBit     = 1 << 31
	acceptedShift = 32
	// acceptOne ends a submitter's send and counts its item, in one add.
	acceptOne = 1<<acceptedShift - 1
)

// New starts a pool whose workers run handler on each submitted item. The
// handler's context is cancelled when the drain deadline passes.
func New[T any](handler func(ctx context.Context, item T) error, opts Options) (*Pool[T], error) {
	if handler == nil {
		return nil, errors.New("pool: nil handler")
	}
	if err := opts.fill(); err != nil {
		return nil, err
	}
	p := &Pool[T]{
		handler: handler,
		opts:    opts,
		queue:   make(chan T, opts.QueueSize),
		closing: make(chan struct{}),
		workers: make([]worker, opts.Workers),
		emptied: make(chan struct{}),
	}
	p.itemCtx, p.cancelItem = context.WithCancelCause(context.Background())
	p.phase.Store(StageRun)
	p.running.Add(opts.Workers)
	for i := range p.workers {
		go p.work(&p.workers[i])
	}
	return p, nil
}

func (o *Options) fill() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"Workers", int64(o.Workers)},
		{"QueueSize", int64(o.QueueSize)},
		{"DrainTimeout", int64(o.DrainTimeout)},
		{"KillTimeout", int64(o.KillTimeout)},
		{"HookTimeout", int64(o.HookTimeout)},
	} {
		if f.v < 0 {
			return fmt.Errorf("pool: Options.%s is %d: must not be negative", f.name, f.v)
		}
	}
	if o.Policy > Abandon {
		return fmt.Errorf("pool: Options.Policy is %d: must be Finish or Abandon", o.Policy)
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.QueueSize == 0 {
		o.QueueSize = DefaultQueuePerWorker * o.Workers
	}
	if o.DrainTimeout == 0 {
		o.DrainTimeout = DefaultDrainTimeout
	}
	if o.KillTimeout == 0 {
		o.KillTimeout = DefaultKillTimeout
	}
	if o.HookTimeout == 0 {
		o.HookTimeout = DefaultHookTimeout
	}
	return nil
}

// Submit queues item, waiting while the queue is full. It returns ErrClosed
// once shutdown began (a waiting Submit wakes with it), or ctx's error.
func (p *Pool[T]) Submit(ctx context.Context, item T) error {
	if p.state.Add(1)&closedBit != 0 {
		p.state.Add(-1)
		return ErrClosed
	}
	select {
	case p.queue <- item:
	default:
		select {
		case p.queue <- item:
		case <-p.closing:
			p.state.Add(-1)
			return ErrClosed
		case <-ctx.Done():
			p.state.Add(-1)
			return ctx.Err()
		}
	}
	p.state.Add(acceptOne)
	return nil
}

// TrySubmit queues item if there is room, and returns ErrQueueFull if not,
// or ErrClosed once shutdown began.
func (p *Pool[T]) TrySubmit(item T) error {
	if p.state.Add(1)&closedBit != 0 {
		p.state.Add(-1)
		return ErrClosed
	}
	select {
	case p.queue <- item:
		p.state.Add(acceptOne)
		return nil
	default:
		p.state.Add(-1)
		return ErrQueueFull
	}
}

// OnStop registers fn to run in the hooks stage, after every worker stopped.
// Hooks run last registered first, like deferred calls, each with a context
// that ends after HookTimeout; the name prefixes its error.
func (p *Pool[T]) OnStop(name string, fn func(ctx context.Context) error) error {
	if fn == nil {
		return fmt.Errorf("pool: OnStop(%q): nil function", name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shutdown != nil {
		return fmt.Errorf("pool: OnStop(%q): %w", name, ErrClosed)
	}
	p.hooks = append(p.hooks, hook{name, fn})
	return nil
}

// Run waits for the first event on events (a ctrlc Listener's C()), then
// shuts the pool down and returns what Shutdown returns. A closed events
// channel starts the shutdown too.
func (p *Pool[T]) Run(events <-chan ctrlc.Event) (*Report[T], error) {
	if events == nil {
		return nil, errors.New("pool: Run: nil events channel: it would wait forever")
	}
	e := <-events
	return p.shutdownWith(context.Background(), e)
}

// Shutdown stops the pool in the four stages and returns the report and
// every error, or nil when all went well. ctx bounds the drain as
// DrainTimeout does. Calling it again waits for the first call and returns
// its result.
func (p *Pool[T]) Shutdown(ctx context.Context) (*Report[T], error) {
	return p.shutdownWith(ctx, ctrlc.Event{})
}

func (p *Pool[T]) shutdownWith(ctx context.Context, e ctrlc.Event) (*Report[T], error) {
	p.mu.Lock()
	call := p.shutdown
	first := call == nil
	if first {
		call = &shutdownCall[T]{done: make(chan struct{})}
		p.shutdown = call
	}
	p.mu.Unlock()
	if first {
		call.report, call.err = p.stop(ctx, e)
		close(call.done)
	}
	<-call.done
	return call.report, call.err
}

func (p *Pool[T]) stop(ctx context.Context, e ctrlc.Event) (*Report[T], error) {
	r := &Report[T]{Event: e}
	p.log("pool: shutdown", "event", e.String(), "policy", p.opts.Policy.String())

	start := time.Now()
	p.stopIntake()
	r.stage(StageIntake, start)

	// The queue and in-flight stages share one drain deadline.
	start = time.Now()
	deadline := time.NewTimer(p.opts.DrainTimeout)
	defer deadline.Stop()
	workersDone := make(chan struct{})
	go func() { p.running.Wait(); close(workersDone) }()
	if p.opts.Policy == Abandon {
		p.abandon.Store(true)
		p.handBackQueue()
	}
	var expired error // the drain's end: nil, ErrDrainTimeout, or ctx's cause
	drainStart := start
	var expiredAfter time.Duration // how long the drain ran before it expired
	unprocessedBefore := 0         // items handed back before it expired, by policy
	expire := func() {
		expiredAfter = time.Since(drainStart)
		p.mu.Lock()
		unprocessedBefore = len(p.unprocessed)
		p.mu.Unlock()
		expired = ErrDrainTimeout
		if ctx.Err() != nil {
			expired = fmt.Errorf("%w: %w", ErrDrainTimeout, context.Cause(ctx))
		}
		// Hand back before cancelling: a worker freed by the cancel must not
		// pick up another queued item.
		p.abandon.Store(true)
		p.cancelItem(expired)
	}

	// wait waits for done, or expires the drain at its deadline.
	wait := func(done <-chan struct{}) {
		select {
		case <-done:
		case <-deadline.C:
			expire()
		case <-ctx.Done():
			expire()
		}
	}

	extra := map[string][]error{}
	if p.opts.Policy == Finish { // with Abandon the queue is already empty
		wait(p.emptied) // closed before any worker is done
	}
	if expired != nil {
		p.handBackQueue() // workers hand back what they take too
	}
	p.phase.Store(StageInFlight)
	r.stage(StageQueue, start)

	start = time.Now()
	if expired == nil {
		wait(workersDone)
	}
	if expired != nil {
		kill := time.NewTimer(p.opts.KillTimeout)
		select {
		case <-workersDone:
		case <-kill.C:
		}
		kill.Stop()
		extra[StageInFlight] = append(extra[StageInFlight], fmt.Errorf("running items cancelled: %w", expired))
	}
	p.count(r)
	if n := len(r.Unprocessed) - unprocessedBefore; expired != nil && n > 0 {
		extra[StageQueue] = append(extra[StageQueue], fmt.Errorf("%d queued items handed back unrun after %v: %w",
			n, expiredAfter.Round(time.Millisecond), expired))
	}
	if r.Abandoned > 0 {
		extra[StageInFlight] = append(extra[StageInFlight], fmt.Errorf("%d items still running after %v: %w",
			r.Abandoned, time.Since(start).Round(time.Millisecond), ErrAbandoned))
	}
	r.stage(StageInFlight, start)

	start = time.Now()
	hookErrs := p.runHooks()
	r.stage(StageHooks, start)
	p.cancelItem(context.Canceled)

	// Item errors are gathered last: an item may fail at any moment until
	// the in-flight stage ends.
	all := p.collect(StageRun, nil)
	for i := range r.Stages {
		s := &r.Stages[i]
		errs := p.collect(s.Name, extra[s.Name])
		if s.Name == StageHooks {
			errs = hookErrs
		}
		if errs != nil {
			s.Err = errs
			all = multierror.Append(all, errs)
		}
		p.log("pool: stage", "stage", s.Name, "duration", s.Duration, "error", s.Err)
	}
	p.log("pool: stopped", "completed", r.Completed, "failed", r.Failed, "panicked", r.Panicked,
		"unprocessed", len(r.Unprocessed), "abandoned", r.Abandoned)
	return r, all.ErrorOrNil()
}

// stopIntake makes every later Submit fail, wakes blocked submitters, waits
// for the ones mid-send, and then closes the queue: no send can follow.
func (p *Pool[T]) stopIntake() {
	p.state.Or(closedBit)
	close(p.closing)
	for backoff := time.Microsecond; p.state.Load()&stateInFlight != 0; backoff = min(2*backoff, time.Millisecond) {
		time.Sleep(backoff)
	}
	close(p.queue)
	p.phase.Store(StageQueue)
}

// collect returns the stage's item errors, then extra, as one
// *multierror.Error, each prefixed with the stage name; nil if none. The
// run stage also reports the item errors that were not kept.
func (p *Pool[T]) collect(stage string, extra []error) *multierror.Error {
	var errs *multierror.Error
	p.mu.Lock()
	for _, err := range p.itemErrs {
		if err.Stage == stage {
			errs = multierror.Append(errs, err)
		}
	}
	if stage == StageRun && p.droppedErrs > 0 {
		errs = multierror.Append(errs, fmt.Errorf("%s: %d more item errors not kept", stage, p.droppedErrs))
	}
	p.mu.Unlock()
	for _, err := range extra {
		errs = multierror.Append(errs, fmt.Errorf("%s: %w", stage, err))
	}
	return errs
}

func (r *Report[T]) stage(name string, start time.Time) {
	r.Stages = append(r.Stages, Stage{Name: name, Duration: time.Since(start)})
}

// count fills the report's counts from the workers' counters.
func (p *Pool[T]) count(r *Report[T]) {
	for i := range p.workers {
		w := &p.workers[i]
		r.Completed += int(w.completed.Load())
		r.Failed += int(w.failed.Load())
		r.Panicked += int(w.panicked.Load())
	}
	p.mu.Lock()
	r.Unprocessed = append([]T(nil), p.unprocessed...)
	p.mu.Unlock()
	// Every accepted item went through the closed queue to a worker or back
	// to the caller; those neither counted nor handed back are still running.
	// There are at most Workers of them, so the accepted count modulo 2^32
	// gives their number exactly.
	done := r.Completed + r.Failed + r.Panicked + len(r.Unprocessed)
	accepted := uint32(uint64(p.state.Load()) >> acceptedShift)
	r.Abandoned = int(accepted - uint32(done))
	r.Submitted = done + r.Abandoned
}

// handBackQueue moves every queued item to the unprocessed list and returns
// how many it moved.
func (p *Pool[T]) handBackQueue() int {
	n := 0
	for item := range p.queue {
		p.handBack(item)
		n++
	}
	return n
}

func (p *Pool[T]) handBack(item T) {
	p.mu.Lock()
	p.unprocessed = append(p.unprocessed, item)
	p.mu.Unlock()
}

func (p *Pool[T]) work(w *worker) {
	defer p.running.Done()
	for !p.serve(w) {
	}
	p.emptyOnce.Do(func() { close(p.emptied) })
}

// serve runs queued items until the queue is closed and empty, and then
// returns true. A panicking item ends serve early (false), once its panic is
// recorded, and the worker calls serve again: recovering here rather than
// around each item keeps a deferred call off the per-item path.
func (p *Pool[T]) serve(w *worker) (closed bool) {
	var item T
	defer func() {
		if closed {
			return
		}
		if v := recover(); v != nil {
			p.itemFailed(item, &PanicError{Value: v, Stack: debug.Stack()})
			w.panicked.Add(1)
		}
	}()
	for item = range p.queue {
		if p.abandon.Load() {
			p.handBack(item)
			continue
		}
		switch err := p.handler(p.itemCtx, item); err.(type) {
		case nil:
			w.completed.Add(1)
		case *PanicError:
			p.itemFailed(item, err)
			w.panicked.Add(1)
		default:
			p.itemFailed(item, err)
			w.failed.Add(1)
		}
	}
	return true
}

func (p *Pool[T]) itemFailed(item T, err error) {
	stage, _ := p.phase.Load().(string)
	p.mu.Lock()
	if len(p.itemErrs) < maxItemErrors {
		p.itemErrs = append(p.itemErrs, &ItemError[T]{Stage: stage, Item: item, Err: err})
	} else {
		p.droppedErrs++
	}
	p.mu.Unlock()
	p.log("pool: item failed", "stage", stage, "item", item, "error", err)
}

// runHooks runs the OnStop functions, last registered first.
func (p *Pool[T]) runHooks() *multierror.Error {
	p.mu.Lock()
	hooks := p.hooks
	p.mu.Unlock()
	var errs *multierror.Error
	for i := len(hooks) - 1; i >= 0; i-- {
		if err := p.runHook(hooks[i]); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %s: %w", StageHooks, hooks[i].name, err))
		}
	}
	return errs
}

func (p *Pool[T]) runHook(h hook) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.opts.HookTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		done <- h.fn(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// The hook ignored its context; it is left running.
		return fmt.Errorf("%w after %v: %w", ErrHookTimeout, p.opts.HookTimeout, ctx.Err())
	}
}

func (p *Pool[T]) log(msg string, args ...any) {
	if p.opts.Logger != nil {
		p.opts.Logger.Info(msg, args...)
	}
}
