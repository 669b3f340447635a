// Package pool runs items on a fixed set of workers and, when the program is
// asked to stop, drains in order and hands back every item it did not
// finish, by value.
//
// The one path from the stop event to the saved work is Run:
//
//	ctx, stop, err := ctrlc.NotifyContext(context.Background())
//	...
//	p, err := pool.New(handle, pool.Options{Workers: 8})
//	go feed(ctx, p)           // Submit until ctx is done, or Close at the end of the input
//	report, err := p.Run(ctx) // waits for the stop, drains, returns the report
//	save(report.Unprocessed())
//
// Run waits until its context is done (the first Ctrl-C, SIGTERM, a console
// close) or until the input ended (Close) and every item ran, then shuts
// down. A second event hurries the shutdown under way, whoever started it:
// queued items come back unrun, running ones are cancelled, the OnStop hooks
// get what is left of a budget cut to about a second, and Run returns the
// report to the one caller who saves it. The pool knows of ctrlc only
// through the context: any context stops it, and one from
// ctrlc.NotifyContext also hurries it.
//
// # Stages
//
// A shutdown runs these stages, one after the other, and names each in
// Report.Stages:
//
//  1. before-stop: the BeforeStop functions, first registered first, while
//     Submit still accepts items: turn readiness off, stop HTTP servers.
//  2. queue: the input closes (Submit and TrySubmit return ErrClosed;
//     blocked submitters wake). With policy Finish the workers run every
//     queued item; with Skip none runs. What did not run comes back in
//     Report.Queued.
//  3. in-flight: running items get until the drain deadline (DrainTimeout
//     from the start of the queue stage, or sooner: see The budget); then
//     their context is cancelled and queued items are handed back; an item
//     that then returns an error is Interrupted, and whatever still runs
//     after CancelGrace is Abandoned, never waited on forever.
//  4. on-stop: the OnStop functions, last registered first, like deferred
//     calls.
//
// Report.Stages starts with a "run" stage of its own: the errors of items
// that failed before the shutdown began.
//
// # The budget
//
// One budget bounds the whole shutdown, hooks included, whatever started
// it: the earliest of Options.ShutdownTimeout (25 s by default: inside
// Kubernetes' default 30 s grace period with room to save the report and
// exit), the stop event's Deadline less 100 ms (a Windows close, logoff or
// shutdown event carries one, and so does every event of a listener made
// with ctrlc.WithGracePeriod), and, after a hurry, about a second. Each
// stage gets the smaller of its own timeout and what is left, and the drain
// keeps time back for the hooks: HookTimeout × the number of OnStop
// functions, at most half of what is left when the drain begins (a
// cancelled item may still take 20 ms of it to return), so that a drain
// that overruns leaves a store's Close its time. The budget runs on timers
// of its own: no context can stall it.
//
// # Every item accounted for
//
// Every item that Submit or TrySubmit accepted ends in exactly one outcome:
// Completed, Failed or Panicked (counted), or Queued, Interrupted or
// Abandoned (by value: Report.Unprocessed lists them all), and
// Report.Balanced holds. The per-item path does not allocate, and a
// long-lived pool with a failing handler keeps only the first
// MaxItemErrors errors, each with its item.
//
// Every error of every stage (item errors, panics, timeouts, hook errors)
// comes back in one *multierror.Error, each prefixed with its stage;
// errors.Is and errors.As reach the original errors.
package pool
