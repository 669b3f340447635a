// Package pool runs items on a fixed set of workers and, when the shutdown
// channel fires, stops in order and hands back every item it did not finish,
// by value.
//
// # Stages
//
// A shutdown (Shutdown, or Run at the first event) runs these stages, one
// after the other, and names each in Report.Stages:
//
//  1. announce: the BeforeStop functions, first registered first, while
//     Submit still accepts items: turn readiness off, stop HTTP servers.
//  2. intake: Submit and TrySubmit return ErrClosed; blocked submitters wake.
//  3. queue: with policy Finish the workers run every queued item; with
//     Abandon none runs. What did not run comes back in Report.Unprocessed.
//  4. in-flight: running items get until DrainTimeout (counted from the start
//     of the queue stage); then their context is cancelled and queued items
//     are handed back; an item that then returns an error is Interrupted,
//     and whatever still runs after KillTimeout is Abandoned, never waited
//     on forever.
//  5. hooks: the OnStop functions, last registered first, like deferred
//     calls.
//
// Report.Stages starts with a "run" stage of its own: the errors of items
// that failed before the shutdown began.
//
// # One budget
//
// Options.ShutdownTimeout (default DefaultShutdownTimeout, 25 s: inside
// Kubernetes' default 30 s grace period with room to print the report and
// exit) bounds the whole shutdown, hooks included. Each stage gets the
// smaller of its own timeout and what is left of the budget; the context
// given to Shutdown ends the budget early. Run ends the budget before the
// event's Deadline, less RunDeadlineReserve to print the report: a Windows
// close, logoff or shutdown event carries one, and so does every event of a
// listener made with ctrlc.WithGracePeriod.
//
// # Every item accounted for
//
// Every item that Submit or TrySubmit accepted ends in exactly one outcome:
// Completed (counted), Failed, Panicked, Unprocessed, Interrupted or
// Abandoned (each by value), and Report.Balanced holds. The per-item path
// does not allocate.
//
// Every error of every stage (item errors, panics, timeouts, hook errors)
// comes back in one *multierror.Error, each prefixed with its stage;
// errors.Is and errors.As reach the original errors.
package pool
