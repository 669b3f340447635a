package pool

import (
	"context"
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"github.com/ctrlc-go/ctrlc/internal/guard"
)

// Policy says what the drain does with the queued items.
type Policy uint8

const (
	// Finish runs every queued item before the pool stops.
	Finish Policy = iota
	// Skip runs no queued item: they come back in Report.Queued.
	Skip
)

// policyName is how the Logger names a Policy (fill refuses any other).
var policyName = [...]string{Finish: "finish", Skip: "skip"}

// The defaults of the zero fields of Options. Together they fit inside
// Kubernetes' default grace period of 30 s: a drain of 15 s, 3 s for
// cancelled items to return, and hooks of 5 s each, all inside a budget of
// 25 s, which leaves 5 s to print the report and exit.
const (
	defaultShutdownTimeout = 25 * time.Second
	defaultDrainTimeout    = 15 * time.Second
	defaultCancelGrace     = 3 * time.Second
	defaultHookTimeout     = 5 * time.Second
	defaultQueuePerWorker  = 4
	defaultMaxItemErrors   = 20
)

// Limits on Options, so that New returns an error instead of crashing the
// process: a channel's buffer and the workers' slots are allocated up front.
const (
	maxWorkers    = 1 << 16 // every worker is a goroutine, once hired
	maxQueueBytes = 1 << 30 // the queue's buffer, and separately the workers' slots
)

// Options configures a Pool. A zero field takes its default; a negative one
// is an error.
type Options struct {
	Workers   int // how many items run at once; default runtime.GOMAXPROCS(0); at most 65536
	QueueSize int // how many items wait; default 4 × Workers; the queue's memory at most 1 GiB

	// ShutdownTimeout is the budget of the whole shutdown, hooks included
	// (default 25 s). Run ends it sooner, 100 ms before the stop event's
	// Deadline, and a hurry ends it about a second after the hurry. Each
	// stage gets the smaller of its own timeout and what is left; the drain
	// also keeps back time for the OnStop hooks: HookTimeout × the number of
	// OnStop hooks, at most half of what is left when the drain begins.
	ShutdownTimeout time.Duration
	DrainTimeout    time.Duration // how long the queue and in-flight stages may take before the items' context is cancelled (default 15 s)
	CancelGrace     time.Duration // how long items get to return once their context is cancelled, before they are abandoned (default 3 s)
	HookTimeout     time.Duration // how long each BeforeStop and OnStop function gets (default 5 s)

	// MaxItemErrors bounds the *ItemError values a pool keeps, each with
	// its item (default 20): Report.Errors and the returned error. The rest
	// are counted in their stage's error, so that a long-running pool with a
	// failing handler keeps its memory and its error's text bounded.
	MaxItemErrors int

	// BaseContext is the parent of the context every item gets: its values
	// (request-scoped values, trace spans) reach the handler, and cancelling
	// it cancels every item's context (not the pool). Default
	// context.Background().
	BaseContext context.Context

	Policy Policy // what the drain does with the queued items (default Finish)

	// Logger is where the stages are logged, at info level: typically a
	// *slog.Logger. Nil, or a nil pointer or func, logs nothing. (The
	// package does not import log/slog, so that a program that logs
	// nothing does not link it.)
	Logger interface {
		Info(msg string, args ...any)
	}
}

// fill checks o and fills in the defaults, for items of type T.
func fill[T any](o *Options) error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"Workers", int64(o.Workers)},
		{"QueueSize", int64(o.QueueSize)},
		{"ShutdownTimeout", int64(o.ShutdownTimeout)},
		{"DrainTimeout", int64(o.DrainTimeout)},
		{"CancelGrace", int64(o.CancelGrace)},
		{"HookTimeout", int64(o.HookTimeout)},
		{"MaxItemErrors", int64(o.MaxItemErrors)},
	} {
		if f.v < 0 {
			return fmt.Errorf("pool: Options.%s is %d: must not be negative", f.name, f.v)
		}
	}
	if guard.IsNil(o.Logger) {
		o.Logger = nil // a nil *slog.Logger, say: no logging, as documented
	}
	if o.Policy > Skip {
		return fmt.Errorf("pool: Options.Policy is %d: must be Finish or Skip", o.Policy)
	}
	if o.Workers > maxWorkers {
		return fmt.Errorf("pool: Options.Workers is %d: at most %d", o.Workers, maxWorkers)
	}
	// An item type over 64 KiB does not compile (a channel element's
	// limit): such items must be queued by pointer.
	var item T
	slot := unsafe.Sizeof(entry[T]{})
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if n := uint64(o.Workers) * uint64(unsafe.Sizeof(worker[T]{})); n > maxQueueBytes {
		return fmt.Errorf("pool: Options.Workers is %d: the workers' slots for %T would take %d bytes, over %d bytes",
			o.Workers, item, n, maxQueueBytes)
	}
	what := "is"
	if o.QueueSize == 0 {
		o.QueueSize = defaultQueuePerWorker * o.Workers
		what = "defaults to"
	}
	if uint64(o.QueueSize) > maxQueueBytes/uint64(slot) { // no multiplication: it could overflow
		return fmt.Errorf("pool: Options.QueueSize %s %d: slots of %d bytes (%T) would take over %d bytes",
			what, o.QueueSize, slot, item, maxQueueBytes)
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = defaultShutdownTimeout
	}
	if o.DrainTimeout == 0 {
		o.DrainTimeout = defaultDrainTimeout
	}
	if o.CancelGrace == 0 {
		o.CancelGrace = defaultCancelGrace
	}
	if o.HookTimeout == 0 {
		o.HookTimeout = defaultHookTimeout
	}
	if o.MaxItemErrors == 0 {
		o.MaxItemErrors = defaultMaxItemErrors
	}
	if o.BaseContext == nil {
		o.BaseContext = context.Background()
	}
	return nil
}
