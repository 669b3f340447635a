package pool

import (
	"time"

	"github.com/ctrlc-go/ctrlc"
)

// The stages, as they name errors and Report.Stages, in order.
const (
	StageRun      = "run"      // items that failed before the shutdown began
	StageAnnounce = "announce" // the BeforeStop functions
	StageIntake   = "intake"
	StageQueue    = "queue"
	StageInFlight = "in-flight"
	StageHooks    = "hooks" // the OnStop functions
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
// Each item is in exactly one outcome, and the items a caller may need to
// requeue are there by value.
type Report[T any] struct {
	Event     ctrlc.Event // what started the shutdown; zero when Shutdown was called by hand
	Submitted int         // items accepted by Submit or TrySubmit
	Completed int         // items whose handler returned nil (also after the drain deadline)

	Failed   []T // items whose handler returned an error before the drain deadline
	Panicked []T // items whose handler panicked (or called runtime.Goexit) before the drain deadline
	// Unprocessed are the items accepted but never started, in the order
	// they were accepted (for one submitter, the order of its calls).
	Unprocessed []T
	// Interrupted are the items running when the drain deadline cancelled
	// their context, which then returned an error or panicked.
	Interrupted []T
	// Abandoned are the items still running after KillTimeout (or when the
	// budget ran out). The pool no longer waits for them: whatever they do
	// later is not reported.
	Abandoned []T

	// Errors are the item errors kept (at most Options.MaxItemErrors), in
	// the order they happened; they are also in the returned error.
	Errors []*ItemError[T]
	// Stages are StageRun, StageAnnounce, StageIntake, StageQueue,
	// StageInFlight and StageHooks, in this order.
	Stages []Stage
}

// Balanced reports whether every submitted item is accounted for:
// Submitted == Completed + len(Failed) + len(Panicked) + len(Unprocessed) +
// len(Interrupted) + len(Abandoned). It holds for every report the pool
// returns; it is here so that callers and tests can check it. Submitted is
// counted at admission, apart from the outcomes, so that an item the pool
// lost track of (a bug, also named in the in-flight stage's error) shows.
func (r *Report[T]) Balanced() bool {
	return r.Submitted == r.Completed+len(r.Failed)+len(r.Panicked)+len(r.Unprocessed)+
		len(r.Interrupted)+len(r.Abandoned)
}

func (r *Report[T]) stage(name string, start time.Time) {
	r.Stages = append(r.Stages, Stage{Name: name, Duration: time.Since(start)})
}

// Stats is a snapshot of a pool's counts, for progress lines and metrics.
// The counts are read one after another without stopping the pool, so
// while items move they can be a few items apart; after Shutdown returned
// they match the report (Abandoned items stay counted as abandoned).
type Stats struct {
	Submitted   int // accepted so far: the sum of the counts below
	Queued      int // waiting in the queue
	InFlight    int // running now (abandoned items excepted)
	Completed   int
	Failed      int
	Panicked    int
	Unprocessed int // handed back by the shutdown or TakePending
	Interrupted int
	Abandoned   int
}
