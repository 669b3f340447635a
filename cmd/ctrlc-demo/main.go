// Command ctrlc-demo is the program the ctrlc library was written for: a bot
// whose event source delivers commands that a receiver loop hands to a pool
// of workers. On Ctrl-C the source stops, the receiver loop ends, the pool
// drains, and the bot keeps the commands not done and says good bye.
//
//	go run ./cmd/ctrlc-demo        # then press Ctrl-C; -h lists the flags
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/ctrlc-go/ctrlc/service"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the whole program; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "ctrlc-demo: %v\nRun 'ctrlc-demo -h' for the flags.\n", err)
		return 2
	}
	return supervise(cfg, stdout, stderr, serve)
}

// serve runs the bot until a stop event and drains it. It returns the exit
// code, or ends the process by the event (ctrlc.Exit) after a Ctrl-C.
func serve(cfg *config, stdout, stderr io.Writer) int {
	// The terminal may go away (SIGHUP) and the reader of a pipe may close:
	// a failed write to standard error must not stop the drain.
	stderr = lenient{stderr}
	say := func(line string) { io.WriteString(stderr, line+"\n") }
	tell := teller(stderr)
	// What the demo says after the drain goes out in one write: the
	// terminal (or the pipe's reader) wakes once, and the demo ends sooner
	// after a Ctrl-C. Its buffer is made now, not when the program can least
	// wait for memory. (A hook left running may still say something: it
	// writes to stderr itself.)
	ending := bufio.NewWriter(stderr)

	// 1. Catch Ctrl-C, SIGTERM, SIGHUP (the terminal went away) and, on
	// Windows, a console close, from here on. The context ends at the first.
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), cfg.listenOptions()...)
	defer stop()

	// 2. The workers that run the commands.
	workers, poolErr := pool.New(cfg.handle, cfg.poolOptions())
	if err = errors.Join(err, poolErr); err != nil {
		say("ctrlc-demo: " + err.Error())
		return 2
	}

	// 3. The event source, and the receiver loop that hands each of its
	// commands to the workers. At the stop, the shutdown's first stage stops
	// the source and lets the loop hand over its last command and end.
	commands, stopSource := startSource(cfg.rate)
	loop := startReceiver(commands, workers)
	_ = workers.BeforeStop("receiver loop", func(hookCtx context.Context) error {
		received := "shutting down"
		if why := context.Cause(ctx); why != nil { // the stop event
			received = "received " + why.Error() + ", shutting down"
		}
		say(received + "…")
		tell(service.Stopping(), service.Progress(received, 5*time.Second))
		stopSource()
		loop.finish(hookCtx, cfg.policy == pool.Skip, func() { say("Worker loop done.") })
		return nil
	})
	say(fmt.Sprintf("ctrlc-demo (pid %d): %s", os.Getpid(), cfg.describe()))
	tell(service.Ready(), service.Status("running: "+cfg.describe()))
	stopProgress := progress(ctx, stderr, workers, loop, tell)

	// 4. Run until the stop, then drain: every queued command runs (or,
	// with -policy skip, is set aside), every running one finishes, within
	// -drain-timeout and the event's deadline. A second Ctrl-C hurries it.
	report, drainErr := workers.Run(ctx)
	stopProgress()
	stopSource()
	sayLast := func(format string, a ...any) { fmt.Fprintf(ending, format, a...); ending.WriteByte('\n') }
	loop.finish(ctx, true, func() { sayLast("Worker loop done.") }) // said already, unless the shutdown failed
	sayLast("Dropped the worker pool: %d workers joined, %d left running an abandoned command.",
		cfg.workers-len(report.Abandoned), len(report.Abandoned))

	// 5. Account for every command, keep the ones not done, say good bye.
	s := summarize(report, int(loop.received.Load()), loop.held, drainErr)
	if err := s.save(cfg.unprocessed); err != nil {
		sayLast("ctrlc-demo: %v", err)
	}
	s.print(stdout, ending, cfg.json)
	sayLast("Good bye!")
	ending.Flush() // before Exit, which runs no deferred call
	if endsBySignal(report.Event) {
		ctrlc.Exit(report.Event) // as if nobody had caught it: a shell loop around the demo stops
	}
	return s.ExitCode
}

// lenient writes to w and succeeds whatever happens: a person may be gone.
type lenient struct{ w io.Writer }

func (l lenient) Write(b []byte) (int, error) { l.w.Write(b); return len(b), nil }

// progress prints a line every 2 s while the bot runs and every second
// while it drains, and passes each on to the supervisor (a drain's line
// promises the next within 5 s), until stop. Its lines come from a timer,
// not from a goroutine of its own: the stop wakes nothing here, and stop
// returns at once (a line being printed meanwhile is finished first). The
// drain's first line comes within a second of the stop.
func progress(ctx context.Context, w io.Writer, workers *pool.Pool[Command], loop *receiver, tell func(...error)) (stop func()) {
	var (
		mu      sync.Mutex // held while a line is made; stop waits for it
		stopped bool
		ticks   int
		drain   time.Time // when the drain began, as far as a tick can tell
		tick    *time.Timer
	)
	start := time.Now()
	line := func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		defer tick.Reset(time.Second)
		ticks++
		if drain.IsZero() && ctx.Err() != nil {
			drain = time.Now()
			var e ctrlc.Event
			if errors.As(context.Cause(ctx), &e) {
				drain = e.Time
			}
		}
		if drain.IsZero() && ticks%2 == 1 {
			return // running: every other second
		}
		st, phase, more, since := workers.Stats(), "running", "", start
		if loop.waiting.Load() {
			more = " (full: the receiver loop waits for a worker)"
		}
		if !drain.IsZero() {
			phase, more, since = "draining", more+"; a second Ctrl-C (or stop event) hurries it, keeping the commands not done", drain
		}
		text := fmt.Sprintf("%s %v: %d commands received, %d done, %d running, %d queued%s", phase,
			time.Since(since).Round(100*time.Millisecond), loop.received.Load(), st.Completed+st.Failed+st.Panicked, st.Running, st.Queued, more)
		fmt.Fprintln(w, text)
		if drain.IsZero() {
			tell(service.Status(text))
		} else {
			tell(service.Progress(text, 5*time.Second))
		}
	}
	mu.Lock()
	tick = time.AfterFunc(time.Second, line)
	mu.Unlock()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		tick.Stop()
	}
}
