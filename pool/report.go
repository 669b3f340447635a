package pool

import (
	"time"

	"github.com/ctrlc-go/ctrlc"
)

// The stages, as they name errors and Report.Stages, in order.
const (
	StageRun        = "run"         // items that failed before the shutdown began
	StageBeforeStop = "before-stop" // the BeforeStop functions, while Submit still accepts
	StageQueue      = "queue"       // the input closes; the queued items run (Finish) or come back (Skip)
	StageInFlight   = "in-flight"   // the running items end, are cancelled, or are abandoned
	StageOnStop     = "on-stop"     // the OnStop functions
)

// Stage is how one stage went.
type Stage struct {
	Name string
	// Duration is how long the stage took; for StageRun, the time from New
	// to the start of the shutdown.
	Duration time.Duration
	Err      error // nil, or a *multierror.Error of what went wrong in the stage
}

// Report tells what became of every item that Submit or TrySubmit accepted.
// Each item is in exactly one outcome; the items not done are there by
// value, for the caller to save or requeue (Unprocessed).
type Report[T any] struct {
	// Event is the stop event that started the shutdown or joined it, or
	// the zero Event when there was none: the input ended (Close) and every
	// item ran, or the context was cancelled another way.
	Event ctrlc.Event

	Accepted  int // items accepted by Submit or TrySubmit, counted as they were
	Completed int // items whose handler returned nil (also after the drain deadline)
	Failed    int // items whose handler returned an error before the drain deadline or the hurry
	Panicked  int // items whose handler panicked or called runtime.Goexit before then

	// Queued are the items accepted but never started, in the order they
	// were accepted (for one submitter, the order of its calls).
	Queued []T
	// Interrupted are the items running when the drain deadline or a hurry
	// cancelled their context, which then returned an error or panicked.
	Interrupted []T
	// Abandoned are the items still running after CancelGrace, or when the
	// budget ran out. The pool no longer waits for them: whatever they do
	// later is not reported.
	Abandoned []T

	// Errors are the item errors kept (at most Options.MaxItemErrors), in
	// the order they happened, each with its item; they are also in the
	// returned error.
	Errors []*ItemError[T]
	// Stages are StageRun, StageBeforeStop, StageQueue, StageInFlight and
	// StageOnStop, in this order.
	Stages []Stage
}

// Unprocessed returns every item the pool did not finish, by value: Queued,
// then Interrupted, then Abandoned. These are the items to save or requeue.
func (r *Report[T]) Unprocessed() []T {
	if r == nil {
		return nil
	}
	out := make([]T, 0, len(r.Queued)+len(r.Interrupted)+len(r.Abandoned))
	out = append(out, r.Queued...)
	out = append(out, r.Interrupted...)
	return append(out, r.Abandoned...)
}

// Balanced reports whether every accepted item is accounted for: Accepted
// == Completed + Failed + Panicked + len(Queued) + len(Interrupted) +
// len(Abandoned). It holds for every report the pool returns; it is here so
// that callers and tests can check it. Accepted is counted at admission,
// apart from the outcomes, so that an item the pool lost track of (a bug,
// also named in the in-flight stage's error) shows.
func (r *Report[T]) Balanced() bool {
	if r == nil {
		return false
	}
	return r.Accepted == r.Completed+r.Failed+r.Panicked+len(r.Queued)+len(r.Interrupted)+len(r.Abandoned)
}

func (r *Report[T]) stage(name string, start time.Time) {
	r.Stages = append(r.Stages, Stage{Name: name, Duration: time.Since(start)})
}

// Stats is a snapshot of a pool's counts, for progress lines and metrics.
// The counts are read one after another without stopping the pool, so
// while items move they can be a few items apart; the Report is the
// account.
type Stats struct {
	Queued    int // waiting in the queue
	Running   int // running now (abandoned items excepted)
	Completed int
	Failed    int
	Panicked  int
	// Hurried is set once a second stop event has hurried the shutdown
	// (see Run): the queued items come back unrun and the running ones are
	// cancelled. A progress line can then stop offering the hurry.
	Hurried bool
}
