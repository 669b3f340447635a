package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/hashicorp/go-multierror"
)

// RunDeadlineReserve is what Run keeps, before an event's deadline, for the
// program to print the report and exit once the shutdown returned.
const RunDeadlineReserve = 100 * time.Millisecond

// killFloor is how long cancelled items get to return even when the budget
// is spent (or the caller's context ended) before the kill stage, capped by
// KillTimeout: long enough for an item that honours its context to return
// and be reported Interrupted rather than Abandoned, short next to any
// supervisor's grace period.
const killFloor = 20 * time.Millisecond

type shutdownCall[T any] struct {
	done   chan struct{}
	report *Report[T]
	err    error
}

// Run waits for the first event on events (a ctrlc Listener's C()), then
// shuts the pool down and returns what Shutdown returns, with the event in
// Report.Event. A closed events channel starts the shutdown too. When the
// event has a Deadline (the OS or a supervisor will end the process then),
// the whole shutdown's budget ends RunDeadlineReserve before it, if that is
// sooner than ShutdownTimeout. If the shutdown is started another way
// meanwhile (Shutdown, or from inside the pool), Run returns its result.
func (p *Pool[T]) Run(events <-chan ctrlc.Event) (*Report[T], error) {
	if !p.made() {
		return nil, ErrNotNew
	}
	if events == nil {
		return nil, errors.New("pool: Run: nil events channel: it would wait forever")
	}
	select {
	case e := <-events:
		return p.shutdownWith(context.Background(), e, e.Deadline)
	case <-p.started:
		return p.shutdownWith(context.Background(), ctrlc.Event{}, time.Time{})
	}
}

// Shutdown stops the pool in its stages and returns the report and every
// error, or nil when all went well. The budget is ShutdownTimeout, ended
// earlier by ctx: each stage gets the smaller of its own timeout and what is
// left, and the drain ends early enough to leave the OnStop hooks
// HookTimeout each, at most half of what it had (see
// Options.ShutdownTimeout). Calling it again (or concurrently) waits for the first call, or for
// its own ctx, and returns the first call's result.
//
// A nil ctx returns ErrNilContext, and the pool is left as it was. Called
// with the context of one of the pool's items or hooks, Shutdown returns
// ErrShutdownFromInside at once, having begun the shutdown in the background
// (an item waiting for its own drain would be cancelled and abandoned); the
// report comes from a Run or Shutdown call outside. Called from inside with
// an unrelated context, it cannot tell: the item then waits for its own
// drain, is cancelled at the drain deadline and, if it still waits, reported
// Abandoned after KillTimeout, when this call returns.
func (p *Pool[T]) Shutdown(ctx context.Context) (*Report[T], error) {
	if !p.made() {
		return nil, ErrNotNew
	}
	if ctx == nil {
		return nil, ErrNilContext
	}
	if ctx.Value(ownKey{p}) != nil {
		p.mu.Lock()
		begun := p.shutdown != nil
		p.mu.Unlock()
		if !begun {
			go func() { _, _ = p.shutdownWith(context.Background(), ctrlc.Event{}, time.Time{}) }()
		}
		return nil, ErrShutdownFromInside
	}
	return p.shutdownWith(ctx, ctrlc.Event{}, time.Time{})
}

func (p *Pool[T]) shutdownWith(ctx context.Context, e ctrlc.Event, deadline time.Time) (*Report[T], error) {
	p.mu.Lock()
	call := p.shutdown
	first := call == nil
	if first {
		call = &shutdownCall[T]{done: make(chan struct{})}
		p.shutdown = call
		close(p.started)
	}
	p.mu.Unlock()
	if first {
		func() {
			// Whatever happens in stop (a Logger calling runtime.Goexit
			// included), later calls must not wait forever.
			defer close(call.done)
			returned := false
			defer func() {
				if !returned {
					v := recover() // nil only for runtime.Goexit: panic(nil) is a *runtime.PanicNilError
					if v == nil {
						v = ErrGoexit
					}
					call.err = fmt.Errorf("pool: shutdown failed: %w", &PanicError{Value: v, Stack: debug.Stack()})
				}
			}()
			call.report, call.err = p.stop(ctx, e, deadline)
			returned = true
		}()
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		select {
		case <-call.done:
		default:
			return nil, fmt.Errorf("pool: Shutdown: waiting for the shutdown in progress: %w", context.Cause(ctx))
		}
	}
	return call.report, call.err
}

// stop runs the stages. osDeadline, when not zero, is when the process will
// be killed.
func (p *Pool[T]) stop(ctx context.Context, e ctrlc.Event, osDeadline time.Time) (*Report[T], error) {
	begin := time.Now()
	deadline := begin.Add(p.opts.ShutdownTimeout)
	if d := osDeadline.Add(-RunDeadlineReserve); !osDeadline.IsZero() && d.Before(deadline) {
		deadline = d
	}
	budget, cancelBudget := context.WithDeadlineCause(context.WithValue(ctx, ownKey{p}, true), deadline,
		fmt.Errorf("%w (%v)", ErrShutdownTimeout, deadline.Sub(begin).Round(time.Millisecond)))
	defer cancelBudget()

	r := &Report[T]{Event: e, Stages: []Stage{{Name: StageRun, Duration: begin.Sub(p.born)}}}
	extra := map[string][]error{}
	p.log("pool: shutdown", "event", e.String(), "policy", p.opts.Policy.String(), "budget", deadline.Sub(begin))

	start := time.Now()
	p.phase.Store(StageAnnounce)
	p.mu.Lock()
	before, hooks := p.before, p.hooks
	p.mu.Unlock()
	extra[StageAnnounce] = p.runHooks(budget, before, false)
	r.stage(StageAnnounce, start)

	start = time.Now()
	p.phase.Store(StageIntake)
	if p.opts.Policy == Abandon {
		// Before closing the intake, whose wait for submitters mid-send
		// leaves the queue open: a worker freed meanwhile must not start a
		// queued item.
		p.abandon.Store(true)
	}
	p.closeIntake()
	p.phase.Store(StageQueue)
	r.stage(StageIntake, start)

	// The queue and in-flight stages share one drain deadline, and they
	// and the wait for cancelled items end within window: the budget less
	// what is kept back for the OnStop hooks.
	start = time.Now()
	window := budget
	if reserve := p.hookReserve(budget, len(hooks)); reserve > 0 {
		var cancelWindow context.CancelFunc
		window, cancelWindow = context.WithDeadlineCause(budget, deadline.Add(-reserve),
			fmt.Errorf("%w (%v, less %v kept for the OnStop hooks)", ErrShutdownTimeout,
				deadline.Sub(begin).Round(time.Millisecond), reserve.Round(time.Millisecond)))
		defer cancelWindow()
		p.log("pool: drain", "hookReserve", reserve)
	}
	drain, cancelDrain := context.WithTimeoutCause(window, p.opts.DrainTimeout, ErrDrainTimeout)
	defer cancelDrain()
	var expired error    // the drain's end: nil, or the items' cancel cause
	var expiredIn string // the stage it ended in
	unprocessedBefore := 0
	expire := func(stage string) {
		expired = context.Cause(drain)
		if !errors.Is(expired, ErrDrainTimeout) {
			expired = fmt.Errorf("%w: %w", ErrDrainTimeout, expired)
		}
		expiredIn = stage
		p.mu.Lock()
		unprocessedBefore = len(p.unprocessed)
		p.cancelStage = stage
		p.mu.Unlock()
		// Abandon before cancelling: a worker freed by the cancel must not
		// start another queued item; expired before cancelling: an item
		// that fails because of the cancel is Interrupted.
		p.abandon.Store(true)
		p.expired.Store(true)
		p.cancelItem(expired)
	}
	if p.opts.Policy == Abandon {
		p.handBackQueue()
	} else if !wait(drain, p.emptied) {
		expire(StageQueue)
		p.handBackQueue() // workers hand back what they take too
	}
	p.phase.Store(StageInFlight)
	r.stage(StageQueue, start)

	start = time.Now()
	if expired == nil && !wait(drain, p.idle) {
		expire(StageInFlight)
	}
	if expired != nil {
		// The kill stage's context is not derived from window: even with
		// the window closed, cancelled items get killFloor to return.
		d := p.opts.KillTimeout
		if left, ok := window.Deadline(); ok {
			d = min(d, max(time.Until(left), killFloor))
		}
		if window.Err() != nil {
			d = min(p.opts.KillTimeout, killFloor)
		}
		kill, cancelKill := context.WithTimeout(context.Background(), d)
		wait(kill, p.idle)
		cancelKill()
	}
	s := p.settle(true)
	r.Submitted = s.accepted // not the sum of the outcomes: a lost item leaves the report unbalanced
	r.Completed, r.Failed, r.Panicked = s.completed, s.failed, s.panicked
	r.Unprocessed, r.Interrupted, r.Abandoned, r.Errors = s.unprocessed, s.interrupted, s.abandoned, s.errs
	if n := len(s.unprocessed) - unprocessedBefore; expired != nil && n > 0 {
		extra[StageQueue] = append(extra[StageQueue], fmt.Errorf("%d queued items handed back unrun after %v: %w",
			n, r.Stages[len(r.Stages)-1].Duration.Round(time.Millisecond), expired))
	}
	if n := len(s.interrupted); n > 0 { // in the stage of their own errors
		extra[expiredIn] = append(extra[expiredIn], fmt.Errorf("%d running items interrupted: %w", n, expired))
	}
	if n := len(s.abandoned); n > 0 {
		extra[StageInFlight] = append(extra[StageInFlight], fmt.Errorf("%d items still running after %v: %w: %w",
			n, time.Since(start).Round(time.Millisecond), ErrAbandoned, expired))
	}
	if s.missing != 0 {
		extra[StageInFlight] = append(extra[StageInFlight], fmt.Errorf("%d items accepted, %d accounted for (a bug in the pool)",
			r.Submitted, r.Submitted-s.missing))
	}
	r.stage(StageInFlight, start)

	start = time.Now()
	p.phase.Store(StageHooks)
	extra[StageHooks] = p.runHooks(budget, hooks, true)
	r.stage(StageHooks, start)
	p.cancelItem(context.Canceled)

	var all *multierror.Error
	for i := range r.Stages {
		st := &r.Stages[i]
		var errs *multierror.Error
		for _, err := range s.errs {
			if err.Stage == st.Name {
				errs = multierror.Append(errs, err)
			}
		}
		if n := s.dropped[st.Name]; n > 0 {
			errs = multierror.Append(errs, fmt.Errorf("%s: %d more item errors not kept (MaxItemErrors is %d)",
				st.Name, n, p.opts.MaxItemErrors))
		}
		for _, err := range extra[st.Name] {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", st.Name, err))
		}
		if errs != nil {
			st.Err = errs
			all = multierror.Append(all, errs)
		}
		p.log("pool: stage", "stage", st.Name, "duration", st.Duration, "error", st.Err)
	}
	p.log("pool: stopped", "submitted", r.Submitted, "completed", r.Completed, "failed", len(r.Failed),
		"panicked", len(r.Panicked), "unprocessed", len(r.Unprocessed), "interrupted", len(r.Interrupted),
		"abandoned", len(r.Abandoned))
	return r, all.ErrorOrNil()
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
