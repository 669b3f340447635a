package pool

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/hashicorp/go-multierror"
)

// shutdown is one run of the stages: what one stage leaves for the next.
// Each stage is a method, so that the stack a shutdown needs is that of its
// largest stage, not of all of them: the caller of Run (often the main
// goroutine) runs it, and a stack that must grow at the stop costs time.
type shutdown[T any] struct {
	p *Pool[T]
	b *budget
	r *Report[T]
	// The hooks' parents: the budget's contexts, with ownKey.
	beforeCtx, afterCtx context.Context
	before              []hook // BeforeStop, as registered
	after               []hook // OnStop, as registered

	drain context.Context // the queue and in-flight stages' deadline
	// cut is the drain's end: nil, or the cause the items were cancelled
	// with; cutIn is the stage it came in, and queuedBefore the items
	// handed back before it.
	cut          error
	cutIn        string
	queuedBefore int

	snap  snapshot[T]
	extra map[string][]error // the stages' own errors, beside the items': made at the first
}

// newShutdown makes, with the pool, what its shutdown needs: the budget, the
// report and its stages.
func newShutdown[T any](p *Pool[T]) *shutdown[T] {
	sd := &shutdown[T]{p: p, r: &Report[T]{Stages: make([]Stage, 0, 5)},
		b: newBudget(p.opts.HookTimeout, func() error { return p.hurryWhy })}
	sd.beforeCtx = context.WithValue(sd.b.before, ownKey{p}, true)
	sd.afterCtx = context.WithValue(sd.b.ctx, ownKey{p}, true)
	return sd
}

// stop runs the stages, in five steps, and returns the report.
func (p *Pool[T]) stop(e ctrlc.Event) (*Report[T], error) {
	sd := p.down
	sd.start(e)
	defer sd.b.release()
	sd.beforeStop()    // 1. the BeforeStop functions, while Submit still accepts
	sd.queue()         // 2. the input closes; the queue runs or comes back
	sd.inFlight()      // 3. the running items end, are cancelled, or are abandoned
	sd.onStop()        // 4. the OnStop functions, last registered first
	return sd.report() // 5. a stop event that joined, and every error by stage
}

// start starts the budget, for the stop event e.
func (sd *shutdown[T]) start(e ctrlc.Event) {
	p := sd.p
	begin := time.Now()
	end := begin.Add(p.opts.ShutdownTimeout)
	if d := e.Deadline.Add(-deadlineReserve); !e.Deadline.IsZero() && d.Before(end) {
		end = d
	}
	sd.r.Event = e
	sd.r.Stages = append(sd.r.Stages, Stage{Name: StageRun, Duration: begin.Sub(p.born)})
	p.mu.Lock()
	sd.before, sd.after = p.before, p.hooks
	p.mu.Unlock()
	end = sd.b.start(begin, end, len(sd.after)) // with a joining event's earlier end, and a hurry, that came before
	if p.logging() {
		p.log("pool: shutdown", "event", eventText(e), "policy", policyName[p.opts.Policy], "budget", end.Sub(begin))
	}
}

// fail files errs under stage.
func (sd *shutdown[T]) fail(stage string, errs ...error) {
	if len(errs) == 0 {
		return
	}
	if sd.extra == nil {
		sd.extra = map[string][]error{}
	}
	sd.extra[stage] = append(sd.extra[stage], errs...)
}

func (sd *shutdown[T]) beforeStop() {
	start := time.Now()
	sd.p.phase.Store(StageBeforeStop)
	sd.fail(StageBeforeStop, sd.p.runHooks(sd.beforeCtx, sd.b, sd.before, false)...)
	sd.r.stage(StageBeforeStop, start)
}

// queue closes the input; the workers run the queue (Finish) until the
// drain deadline, or it comes back unrun (Skip, a hurry).
func (sd *shutdown[T]) queue() {
	p := sd.p
	start := time.Now()
	p.phase.Store(StageQueue)
	if p.opts.Policy == Skip {
		// Before closing the intake, whose wait for submitters mid-send
		// leaves the queue open: a worker freed meanwhile must not start a
		// queued item.
		p.abandon.Store(true)
	}
	p.closeIntake()
	sd.drain = sd.b.startDrain(p.opts.DrainTimeout)
	if p.opts.Policy == Skip {
		p.handBackQueue()
	} else if !wait(sd.drain, p.emptied) {
		sd.expire(StageQueue)
		p.handBackQueue() // workers hand back what they take too
	}
	sd.r.stage(StageQueue, start)
}

// expire ends the drain in stage: the items are cancelled with its cause.
func (sd *shutdown[T]) expire(stage string) {
	p := sd.p
	sd.cut, sd.cutIn = context.Cause(sd.drain), stage
	p.mu.Lock()
	sd.queuedBefore = len(p.unprocessed)
	p.cancelStage = stage
	p.mu.Unlock()
	// Abandon before cancelling: a worker freed by the cancel must not
	// start another queued item; expired before cancelling: an item that
	// fails because of the cancel is Interrupted.
	p.abandon.Store(true)
	p.expired.Store(true)
	p.cancelItem(sd.cut)
}

// inFlight waits for the running items until the drain deadline; then they
// are cancelled and get CancelGrace to return, or are abandoned. It takes
// the snapshot of every item's outcome.
func (sd *shutdown[T]) inFlight() {
	p, r := sd.p, sd.r
	start := time.Now()
	p.phase.Store(StageInFlight)
	if sd.cut == nil && !wait(sd.drain, p.idle) {
		sd.expire(StageInFlight)
	}
	if sd.cut != nil {
		sd.b.waitCancelled(p.opts.CancelGrace, p.idle)
	}
	sd.snap = p.settle()
	s := &sd.snap
	r.Accepted = s.accepted // not the sum of the outcomes: a lost item leaves the report unbalanced
	r.Completed, r.Failed, r.Panicked = s.completed, s.failed, s.panicked
	r.Queued, r.Interrupted, r.Abandoned, r.Errors = s.unprocessed, s.interrupted, s.abandoned, s.errs
	if sd.cut != nil || len(s.abandoned) > 0 || s.missing != 0 {
		sd.explain(time.Since(start))
	}
	r.stage(StageInFlight, start)
}

// explain files the errors that say what the drain's end did to the items:
// handed back, interrupted, abandoned after waited, or lost.
func (sd *shutdown[T]) explain(waited time.Duration) {
	s, cut := &sd.snap, sd.cut
	if n := len(s.unprocessed) - sd.queuedBefore; cut != nil && n > 0 {
		sd.fail(StageQueue, fmt.Errorf("%d queued %s handed back unrun: %w", n, plural(n), cut))
	}
	if n := len(s.interrupted); n > 0 { // in the stage of their own errors
		sd.fail(sd.cutIn, fmt.Errorf("%d running %s interrupted: %w", n, plural(n), cut))
	}
	if n := len(s.abandoned); n > 0 {
		sd.fail(StageInFlight, fmt.Errorf("%d %s still running after %v, abandoned: %w",
			n, plural(n), waited.Round(time.Millisecond), cut))
	}
	if s.missing != 0 {
		sd.fail(StageInFlight, fmt.Errorf("%d items accepted, %d accounted for (a bug in the pool)",
			sd.r.Accepted, sd.r.Accepted-s.missing))
	}
}

func (sd *shutdown[T]) onStop() {
	start := time.Now()
	sd.p.phase.Store(StageOnStop)
	sd.fail(StageOnStop, sd.p.runHooks(sd.afterCtx, sd.b, sd.after, true)...)
	sd.r.stage(StageOnStop, start)
	sd.p.cancelItem(context.Canceled)
}

// report completes the report: a stop event that joined a shutdown begun
// another way, and every error by stage.
func (sd *shutdown[T]) report() (*Report[T], error) {
	p, r := sd.p, sd.r
	if r.Event.Kind == 0 {
		p.mu.Lock()
		esc := p.esc
		p.mu.Unlock()
		if esc != nil {
			errors.As(esc.First(), &r.Event)
		}
	}
	err := sd.stageErrors()
	if p.logging() {
		for _, st := range r.Stages {
			p.log("pool: stage", "stage", st.Name, "duration", st.Duration, "error", st.Err)
		}
		p.log("pool: stopped", "accepted", r.Accepted, "completed", r.Completed, "failed", r.Failed,
			"panicked", r.Panicked, "queued", len(r.Queued), "interrupted", len(r.Interrupted),
			"abandoned", len(r.Abandoned))
	}
	return r, err
}

// stageErrors files every error of the shutdown under its stage in
// r.Stages and returns them all, or nil: the items' (with a count of those
// not kept) and the stages' own.
func (sd *shutdown[T]) stageErrors() error {
	r, s, extra := sd.r, &sd.snap, sd.extra
	if len(s.errs) == 0 && len(s.dropped) == 0 && len(extra) == 0 {
		return nil
	}
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
				st.Name, n, sd.p.opts.MaxItemErrors))
		}
		for _, err := range extra[st.Name] {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", st.Name, err))
		}
		if errs != nil {
			errs.ErrorFormat = listErrors
			st.Err = errs
			all = multierror.Append(all, errs)
		}
	}
	if all != nil {
		all.ErrorFormat = listErrors
	}
	return all.ErrorOrNil()
}
