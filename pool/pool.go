package pool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/escalate"
	"github.com/ctrlc-go/ctrlc/internal/guard"
)

// Pool runs items of type T on a fixed number of workers. Its methods are
// safe for concurrent use. A Pool's workers start with its first items,
// one with each accepted submission until all of Options.Workers run, and
// run until Run's shutdown ends, or until the input ended (Close) and the
// queue is empty.
type Pool[T any] struct {
	handler func(context.Context, T) error
	opts    Options
	// hookTimeout ends a hook that ran for HookTimeout.
	hookTimeout error
	born        time.Time

	queue   chan entry[T]
	closing chan struct{} // closed when intake stops, waking blocked submitters
	// hired counts the worker slots given a goroutine (hire). It is read by
	// every submission, and written only until every slot has one.
	hired atomic.Int64

	// state is the word every Submit writes; it sits on a cache line of its
	// own, so that it doesn't evict the fields the workers read per item.
	_     [64]byte
	state atomic.Uint64 // see stateInFlight
	_     [56]byte

	rejected   atomic.Uint64 // submissions admitted in state that then failed
	itemCtx    context.Context
	cancelItem context.CancelCauseFunc
	phase      atomic.Value // the stage an item failing now belongs to
	abandon    atomic.Bool  // workers hand items back instead of running them
	expired    atomic.Bool  // the drain deadline cancelled the items' context
	workers    []worker[T]
	live       atomic.Int64  // worker goroutines not yet returned
	idle       chan struct{} // closed when the last worker returned, or by closeIntake when none was hired
	idleOnce   sync.Once
	emptied    chan struct{} // closed by the first worker to find the queue closed and empty
	emptyOnce  sync.Once
	intakeOnce sync.Once
	readMu     sync.Mutex // one reader of the workers' slots at a time (settle)

	hurryOnce sync.Once
	hurryWhy  error       // the hurry's cause, set before the budget hears of it
	hurried   atomic.Bool // for Stats: set with hurryWhy

	mu          sync.Mutex
	unprocessed []entry[T] // handed back unrun
	failed      int
	panicked    int
	interrupted []T
	abandoned   []T
	itemErrs    []*ItemError[T]
	dropped     map[string]int   // item errors not kept, per stage
	cancelStage string           // the stage in which the drain deadline passed
	before      []hook           // BeforeStop
	hooks       []hook           // OnStop
	begun       bool             // the shutdown began: call is claimed
	call        *shutdownCall[T] // made by New
	started     chan struct{}    // closed when the shutdown begins
	esc         *escalate.State
	down        *shutdown[T] // made by New, run once by stop
}

// entry is a queued item with its admission ticket, which orders the items
// handed back.
type entry[T any] struct {
	seq  uint32
	item T
}

// Pool.state packs, into one word, what Submit must update, so that an
// accepted item costs two atomic adds (admission, then the end of the send):
//
//   - bits 0-30, stateInFlight: the submitters between admission and the end
//     of their send. The queue channel may be closed only when none is left.
//   - bit 31, closedBit: set when intake stops; no submitter is admitted after.
//     A rejected call reads it and writes nothing, so callers spinning on a
//     closed pool cannot hold the intake stage open.
//   - bits 32-63: tickets, one per admission, modulo 2^32. An entry's seq is
//     its ticket; tickets minus Pool.rejected is the number of items
//     accepted, modulo 2^32, which settle checks its count against.
const (
	stateInFlight = 1<<31 - 1
	closedBit     = 1 << 31
	ticketShift   = 32
	admitOne      = 1<<ticketShift + 1
	sendDone      = ^uint64(0) // adding it subtracts 1
)

// ownKey marks the contexts the pool hands to its items and hooks, so that
// Run can tell a call from inside.
type ownKey struct{ p any }

type hook struct {
	name string
	fn   func(context.Context) error
}

// New makes a pool whose workers run handler on each submitted item, with
// a context derived from Options.BaseContext that is cancelled when the
// drain deadline passes or the shutdown is hurried. It returns an error
// naming the bad field for invalid options, and for sizes whose memory
// (allocated up front) would be too large.
func New[T any](handler func(ctx context.Context, item T) error, opts Options) (*Pool[T], error) {
	if handler == nil {
		return nil, errors.New("pool: nil handler")
	}
	if err := fill[T](&opts); err != nil {
		return nil, err
	}
	p := &Pool[T]{
		handler: handler,
		opts:    opts,
		born:    time.Now(),
		queue:   make(chan entry[T], opts.QueueSize),
		closing: make(chan struct{}),
		workers: make([]worker[T], opts.Workers),
		idle:    make(chan struct{}),
		emptied: make(chan struct{}),
		dropped: map[string]int{},
		started: make(chan struct{}),
	}
	p.itemCtx, p.cancelItem = context.WithCancelCause(context.WithValue(opts.BaseContext, ownKey{p}, true))
	p.hookTimeout = fmt.Errorf("%w: HookTimeout (%v)", ErrTimeout, opts.HookTimeout)
	p.down = newShutdown(p)
	p.call = &shutdownCall[T]{done: make(chan struct{})}
	p.phase.Store(StageRun)
	return p, nil
}

// logging reports whether the pool has a Logger.
func (p *Pool[T]) logging() bool { return p.opts.Logger != nil }

func (p *Pool[T]) made() bool { return p != nil && p.queue != nil }

// errNotNew is the error of every method of a Pool that New did not make (a
// nil pointer or a zero Pool).
var errNotNew = errors.New("pool: the Pool was not made by New")

// Submit queues item, waiting while the queue is full. It returns ErrClosed
// once the input ended or the shutdown's queue stage began (a waiting
// Submit wakes with it), and ctx's error if ctx ends first; a nil ctx is an
// error too. An item Submit accepted (nil error) is in the report,
// whatever happens.
func (p *Pool[T]) Submit(ctx context.Context, item T) error {
	if !p.made() {
		return errNotNew
	}
	if ctx == nil {
		return errors.New("pool: Submit: nil context")
	}
	if err := ctx.Err(); err != nil { // ended before the call: not even room in the queue takes the item
		return err
	}
	if p.state.Load()&closedBit != 0 {
		return ErrClosed
	}
	s := p.state.Add(admitOne)
	if s&closedBit != 0 {
		return p.reject(ErrClosed)
	}
	if p.hired.Load() < int64(len(p.workers)) {
		p.hire()
	}
	e := entry[T]{seq: uint32(s >> ticketShift), item: item}
	select {
	case p.queue <- e:
		p.state.Add(sendDone)
		return nil
	default:
		return p.sendWaiting(ctx, e)
	}
}

// sendWaiting is Submit's wait for room. It calls ctx's methods, the
// caller's code, while counted in flight: should one panic or call
// runtime.Goexit, the admission is undone, so that the intake can still
// close, and the panic goes on to the caller.
func (p *Pool[T]) sendWaiting(ctx context.Context, e entry[T]) error {
	inFlight := true
	defer func() {
		if inFlight {
			p.reject(nil)
		}
	}()
	var err error
	select {
	case p.queue <- e:
		inFlight = false
		p.state.Add(sendDone)
		return nil
	case <-p.closing:
		err = ErrClosed
	case <-ctx.Done():
		if err = ctx.Err(); err == nil { // a broken context: nil would say the item was accepted
			err = context.Canceled
		}
	}
	inFlight = false
	return p.reject(err)
}

// TrySubmit queues item if there is room, and returns ErrQueueFull if not,
// or ErrClosed once the input ended or the shutdown's queue stage began.
func (p *Pool[T]) TrySubmit(item T) error {
	if !p.made() {
		return errNotNew
	}
	if p.state.Load()&closedBit != 0 {
		return ErrClosed
	}
	s := p.state.Add(admitOne)
	if s&closedBit != 0 {
		return p.reject(ErrClosed)
	}
	if p.hired.Load() < int64(len(p.workers)) {
		p.hire()
	}
	select {
	case p.queue <- entry[T]{seq: uint32(s >> ticketShift), item: item}:
		p.state.Add(sendDone)
		return nil
	default:
		return p.reject(ErrQueueFull)
	}
}

// reject undoes an admission: the rejection is counted before the
// submitter leaves the in-flight count, so that once none is in flight the
// accepted count is final.
func (p *Pool[T]) reject(err error) error {
	p.rejected.Add(1)
	p.state.Add(sendDone)
	return err
}

// Close ends the input, as at the end of a batch: Submit and TrySubmit
// return ErrClosed from then on, blocked submitters wake with it, and the
// queued items go on running with no deadline. Run then returns once every
// item ran (its stages find nothing left to do), or drains as usual if its
// context ends first: a Ctrl-C while a batch finishes is honoured, and a
// second one hurries. Close is idempotent and returns nil for a pool made by
// New.
func (p *Pool[T]) Close() error {
	if !p.made() {
		return errNotNew
	}
	p.closeIntake()
	return nil
}

// BeforeStop registers fn to run first in the shutdown, in the before-stop
// stage, while Submit still accepts items: the place to turn readiness off
// and call http.Server.Shutdown, so that what is still arriving gets queued.
// BeforeStop functions run first registered first, each with a context that
// ends after HookTimeout or when the budget is spent (as for OnStop); name
// prefixes their errors. It returns ErrClosed once the shutdown began, and
// an error for a nil fn.
func (p *Pool[T]) BeforeStop(name string, fn func(ctx context.Context) error) error {
	if !p.made() { // before &p.before, which a nil p cannot take
		return errNotNew
	}
	return p.addHook(&p.before, "BeforeStop", name, fn)
}

// OnStop registers fn to run last in the shutdown, in the on-stop stage,
// after every worker stopped (or was abandoned): the place to flush and
// close a store. OnStop functions run last registered first, like deferred
// calls, each with a context that ends after HookTimeout or when the budget
// is spent; name prefixes their errors. The drain ends early enough to
// leave them that time, up to half of what it had (see
// Options.ShutdownTimeout), a hurry included. A function that starts with
// the budget spent gets its context already done, and the smaller of
// HookTimeout and 20 ms to return before the next one starts. It returns
// ErrClosed once the shutdown began, and an error for a nil fn.
func (p *Pool[T]) OnStop(name string, fn func(ctx context.Context) error) error {
	if !p.made() { // before &p.hooks, which a nil p cannot take
		return errNotNew
	}
	return p.addHook(&p.hooks, "OnStop", name, fn)
}

func (p *Pool[T]) addHook(to *[]hook, method, name string, fn func(context.Context) error) error {
	if fn == nil {
		return fmt.Errorf("pool: %s(%q): nil function", method, name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.begun {
		return fmt.Errorf("pool: %s(%q): %w", method, name, ErrClosed)
	}
	*to = append(*to, hook{name, fn})
	return nil
}

// Stats returns a snapshot of the pool's counts. It takes no lock on the
// items' path: it reads each worker's counter and, briefly, the lock that
// failing items take.
func (p *Pool[T]) Stats() Stats {
	if !p.made() {
		return Stats{}
	}
	var s Stats
	for i := range p.workers {
		st := p.workers[i].state.Load()
		s.Completed += int(st >> slotCountShift)
		if st&(slotBusy|slotClaimed) == slotBusy {
			s.Running++
		}
	}
	s.Queued = len(p.queue)
	s.Hurried = p.hurried.Load()
	p.mu.Lock()
	s.Failed, s.Panicked = p.failed, p.panicked
	p.mu.Unlock()
	return s
}

// log logs through Options.Logger, on a goroutine of its own that it waits
// for: a Logger that panics or calls runtime.Goexit is not the items'
// fault, and must not end the goroutine that logs (a worker, or the caller
// of Run). Its panic or Goexit is reported on standard error, as ctrlc
// reports its own Logger's.
//
// Callers check logging first: the arguments cost allocations, and a
// shutdown with no Logger should cost none.
func (p *Pool[T]) log(msg string, args ...any) {
	if p.opts.Logger == nil {
		return
	}
	returned, panicked, value := guard.Call(func() { p.opts.Logger.Info(msg, args...) })
	switch {
	case returned:
	case panicked:
		fmt.Fprintf(os.Stderr, "pool: the Logger panicked on %q: %v\n", msg, value)
	default:
		fmt.Fprintf(os.Stderr, "pool: the Logger called runtime.Goexit on %q\n", msg)
	}
}
