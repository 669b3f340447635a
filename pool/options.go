package pool

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"
	"unsafe"
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

// Defaults for the zero fields of Options. Together they fit inside
// Kubernetes' default grace period of 30 s: a drain of 15 s, 3 s for
// cancelled items to return, and hooks of 5 s each, all inside a budget of
// 25 s, which leaves 5 s to print the report and exit.
const (
	DefaultShutdownTimeout = 25 * time.Second
	DefaultDrainTimeout    = 15 * time.Second
	DefaultKillTimeout     = 3 * time.Second
	DefaultHookTimeout     = 5 * time.Second
	// DefaultQueuePerWorker sizes the queue when Options.QueueSize is 0.
	DefaultQueuePerWorker = 4
	// DefaultMaxItemErrors is how many item errors a pool keeps when
	// Options.MaxItemErrors is 0.
	DefaultMaxItemErrors = 100
)

// Limits on Options, so that New returns an error instead of crashing the
// process: a channel's buffer and the workers' slots are allocated up front.
const (
	// MaxWorkers bounds Options.Workers: every worker is a goroutine
	// started by New.
	MaxWorkers = 1 << 16
	// MaxQueueBytes bounds the memory of the queue's buffer
	// (QueueSize × the size of an item plus 4 bytes) and, separately, of the
	// workers' slots.
	MaxQueueBytes = 1 << 30
)

// Options configures a Pool. A zero field takes its default; a negative one
// is an error.
type Options struct {
	Workers   int // how many items run at once; default runtime.GOMAXPROCS(0); at most MaxWorkers
	QueueSize int // how many items wait; default DefaultQueuePerWorker × Workers

	// ShutdownTimeout is the budget of the whole shutdown, hooks included:
	// each stage gets the smaller of its own timeout and what is left.
	ShutdownTimeout time.Duration
	DrainTimeout    time.Duration // how long the queue and in-flight stages may take before items are cancelled
	KillTimeout     time.Duration // how long cancelled items get to return before they are abandoned
	HookTimeout     time.Duration // how long each BeforeStop and OnStop function gets

	// MaxItemErrors bounds the *ItemError values a pool keeps (Report.Errors
	// and the returned error), so that a long-running pool with a failing
	// handler does not grow its errors without end; the rest are counted in
	// their stage's error. The failed items themselves are always kept, by
	// value, in Report.Failed, Panicked and Interrupted.
	MaxItemErrors int

	// BaseContext is the parent of the context every item gets: its values
	// (request-scoped values, trace spans) reach the handler, and cancelling
	// it cancels every item's context (not the pool). Default
	// context.Background().
	BaseContext context.Context

	Policy Policy       // what happens to queued items at shutdown
	Logger *slog.Logger // where the stages are logged; nil logs nothing
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
		{"KillTimeout", int64(o.KillTimeout)},
		{"HookTimeout", int64(o.HookTimeout)},
		{"MaxItemErrors", int64(o.MaxItemErrors)},
	} {
		if f.v < 0 {
			return fmt.Errorf("pool: Options.%s is %d: must not be negative", f.name, f.v)
		}
	}
	if o.Policy > Abandon {
		return fmt.Errorf("pool: Options.Policy is %d: must be Finish or Abandon", o.Policy)
	}
	if o.Workers > MaxWorkers {
		return fmt.Errorf("pool: Options.Workers is %d: at most MaxWorkers (%d)", o.Workers, MaxWorkers)
	}
	// An item type over 64 KiB does not compile (a channel element's
	// limit): such items must be queued by pointer.
	var item T
	slot := unsafe.Sizeof(entry[T]{})
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if n := uint64(o.Workers) * uint64(unsafe.Sizeof(worker[T]{})); n > MaxQueueBytes {
		return fmt.Errorf("pool: Options.Workers is %d: the workers' slots for %T would take %d bytes, over MaxQueueBytes (%d)",
			o.Workers, item, n, MaxQueueBytes)
	}
	what := "is"
	if o.QueueSize == 0 {
		o.QueueSize = DefaultQueuePerWorker * o.Workers
		what = "defaults to"
	}
	if uint64(o.QueueSize) > MaxQueueBytes/uint64(slot) { // no multiplication: it could overflow
		return fmt.Errorf("pool: Options.QueueSize %s %d: slots of %d bytes (%T) would take over MaxQueueBytes (%d)",
			what, o.QueueSize, slot, item, MaxQueueBytes)
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
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
	if o.MaxItemErrors == 0 {
		o.MaxItemErrors = DefaultMaxItemErrors
	}
	if o.BaseContext == nil {
		o.BaseContext = context.Background()
	}
	return nil
}
