package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/internal/escalate"
	"github.com/ctrlc-go/ctrlc/internal/stack"
)

// deadlineReserve is what Run keeps, before a stop event's Deadline, for
// the program to save the report and exit once Run returned.
const deadlineReserve = 100 * time.Millisecond

// killFloor is how long cancelled items get to return even when the budget
// is spent before the kill wait, capped by CancelGrace: long enough for an
// item that honours its context to return and be reported Interrupted
// rather than Abandoned, short next to any supervisor's grace period.
const killFloor = 20 * time.Millisecond

type shutdownCall[T any] struct {
	done   chan struct{}
	report *Report[T]
	err    error
}

// Run runs the pool until ctx is done, then shuts it down in its stages
// (see the package documentation) and returns the report, with every error
// of every stage in one *multierror.Error, or nil when all went well. It
// also returns, without a stop, once the input ended (Close) and every
// queued item ran.
//
// When ctx comes from ctrlc.NotifyContext (or derives from such a
// context), its first stop event is Report.Event, its Deadline ends the
// budget early, and its second event hurries the shutdown: the queued items
// come back unrun, the running ones are cancelled, the OnStop hooks get
// what is left of a budget cut to about a second, and Run returns the
// report. A context that reports a Deadline is taken to be done then, even
// if it never says so.
//
// Run may be called from several goroutines: the first context to end
// starts the shutdown, and every call returns the same report once it is
// over. A call after the shutdown returns its report at once. A nil ctx,
// the context of one of the pool's own items or hooks (Run would wait for
// itself), and a Pool not made by New are errors; the report is then empty,
// never nil.
func (p *Pool[T]) Run(ctx context.Context) (*Report[T], error) {
	switch {
	case !p.made():
		return &Report[T]{}, errNotNew
	case ctx == nil:
		return &Report[T]{}, errors.New("pool: Run: nil context")
	case ctx.Value(ownKey{p}) != nil:
		return &Report[T]{}, errors.New("pool: Run called with the context of one of the pool's own items or hooks: it would wait for itself")
	}
	var hurried <-chan struct{}
	esc := escalate.From(ctx)
	if esc != nil {
		// The hurry reaches the pool through p.hurry, called on the
		// delivery path: no goroutine waits for it.
		leave := esc.Enter(p.hurry)
		defer leave()
		hurried = esc.Hurried()
		p.mu.Lock()
		if p.esc == nil {
			p.esc = esc
		}
		p.mu.Unlock()
	}
	var deadline <-chan time.Time
	if d, ok := ctx.Deadline(); ok {
		t := time.NewTimer(time.Until(d))
		defer t.Stop()
		deadline = t.C
	}
	stack.Reserve(0) // the stages run on this goroutine, and its stack must not grow at the stop
	var e ctrlc.Event
	select {
	case <-ctx.Done():
		errors.As(context.Cause(ctx), &e)
	case <-deadline:
	case <-hurried:
		errors.As(esc.First(), &e)
	case <-p.idle: // the input ended and every item ran
	case <-p.started:
	}
	call, first := p.begin()
	if !first {
		p.join(e) // an event that joined a shutdown begun another way: its Deadline counts too
	}
	if e.Kind == 0 {
		// The shutdown began another way: ctx's stop event, should it come
		// while the shutdown runs, joins it.
		defer context.AfterFunc(ctx, func() {
			var late ctrlc.Event
			if errors.As(context.Cause(ctx), &late) {
				p.join(late)
			}
		})()
	}
	if first {
		p.runShutdown(call, e) // on this goroutine: no hand-off between the stop and the drain
	}
	<-call.done
	return call.report, call.err
}

// join brings the budget's end forward to e's Deadline, less
// deadlineReserve, if e has one that comes sooner: the operating system or
// the supervisor ends the process then, whoever began the shutdown.
func (p *Pool[T]) join(e ctrlc.Event) {
	if e.Deadline.IsZero() {
		return
	}
	p.down.b.cut(e.Deadline.Add(-deadlineReserve))
}

// hurry hurries the shutdown: cause is the event that asked for it. It runs
// on the delivery path of that event (escalate.State.Hurry), and blocks
// on nothing.
func (p *Pool[T]) hurry(cause error) {
	p.hurryOnce.Do(func() {
		p.hurryWhy = fmt.Errorf("%w by %w", ErrHurried, cause)
		p.hurried.Store(true)
	})
	p.down.b.hurry()
}

// begin claims the shutdown and reports whether the caller is the first,
// who runs it.
func (p *Pool[T]) begin() (call *shutdownCall[T], first bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.begun {
		return p.call, false
	}
	p.begun = true
	close(p.started)
	return p.call, true
}

// runShutdown runs the stages for call and publishes the result. No user
// code runs on this goroutine (hooks and the Logger run on goroutines of
// their own), so a runtime.Goexit cannot end the caller's Run; should the
// pool itself panic, the callers still get a report and the error.
func (p *Pool[T]) runShutdown(call *shutdownCall[T], e ctrlc.Event) {
	defer close(call.done)
	returned := false
	defer func() {
		if !returned {
			v := recover() // nil only for runtime.Goexit: panic(nil) is a *runtime.PanicNilError
			if v == nil {
				v = ErrGoexit
			}
			call.report = &Report[T]{Event: e}
			call.err = fmt.Errorf("pool: shutdown failed: %w", &PanicError{Value: v, Stack: debug.Stack()})
		}
	}()
	call.report, call.err = p.stop(e)
	returned = true
}

func plural(n int) string {
	if n == 1 {
		return "item"
	}
	return "items"
}

func eventText(e ctrlc.Event) string {
	if e.Kind == 0 {
		return "none"
	}
	return e.Error()
}

// wait waits for done or the end of ctx, and reports whether done is
// closed: when both are ready, done wins, so that an idle pool shut down
// with an ended context reports no error.
func wait(ctx context.Context, done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	case <-ctx.Done():
		select {
		case <-done:
			return true
		default:
			return false
		}
	}
}
