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
	"github.com/ctrlc-go/ctrlc/child"
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

	// 2. The workers that run the commands (with -exec, each as a child
	// program). What a child started ends with the demo, however it ends:
	// ctrlc.Exit sees to it, and so does this when the demo exits with a
	// code, after a hurry gave up on children that ignored the request.
	defer child.KillAll()
	workers, poolErr := pool.New(cfg.handle, cfg.poolOptions())
	if err = errors.Join(err, poolErr); err != nil {
		say("ctrlc-demo: " + err.Error())
		return 2
	}

	// 3. The event source, and the receiver loop that hands each of its
	// commands to the workers. At the stop, the shutdown's first stage stops
	// the source and lets the loop hand over its last command and end. A
	// line every other second says how it goes, and every second once it
	// drains.
	commands, stopSource := startSource(cfg.rate)
	loop := startReceiver(commands, workers)
	progress := startProgress(ctx, stderr, workers, loop, tell)
	_ = workers.BeforeStop("receiver loop", func(hookCtx context.Context) error {
		received := "shutting down"
		if why := context.Cause(ctx); why != nil { // the stop event
			received = "received " + why.Error() + ", shutting down"
		}
		progress.draining(received + "…")
		tell(service.Stopping(), service.Progress(received, 5*time.Second))
		stopSource()
		loop.finish(hookCtx, cfg.policy == pool.Skip, func() { say("Worker loop done.") })
		return nil
	})
	say(fmt.Sprintf("ctrlc-demo (pid %d): %s", os.Getpid(), cfg.describe()))
	tell(service.Ready(), service.Status("running: "+cfg.describe()))

	// 4. Run until the stop, then drain: every queued command runs (or,
	// with -policy skip, is set aside), every running one finishes, within
	// -drain-timeout and the event's deadline. A second Ctrl-C hurries it.
	report, drainErr := workers.Run(ctx)
	progress.stop()
	stopSource()
	sayLast := func(format string, a ...any) { fmt.Fprintf(ending, format, a...); ending.WriteByte('\n') }
	loop.finish(ctx, true, func() { sayLast("Worker loop done.") }) // said already, unless the shutdown failed
	sayLast("%s", dropped(len(report.Abandoned)))

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

// dropped is the line that says the pool is gone, and whether any of its
// workers is still running a command it gave up on.
func dropped(abandoned int) string {
	switch abandoned {
	case 0:
		return "Dropped the worker pool: no worker left running."
	case 1:
		return "Dropped the worker pool: 1 worker left running an abandoned command."
	}
	return fmt.Sprintf("Dropped the worker pool: %d workers left running abandoned commands.", abandoned)
}

// lenient writes to w and succeeds whatever happens: a person may be gone.
type lenient struct{ w io.Writer }

func (l lenient) Write(b []byte) (int, error) { l.w.Write(b); return len(b), nil }

// progress prints a line every 2 s while the bot runs and every second
// while it drains, and passes each on to the supervisor (a drain's line
// promises the next within 5 s), until stop. The drain's lines begin after
// the line that announces it (draining), and never before: a tick between
// the stop event and that line prints nothing. The lines come from a
// timer, not from a goroutine of their own, so that the stop wakes nothing
// here and stop returns at once.
type progress struct {
	ctx     context.Context
	w       io.Writer
	workers *pool.Pool[Command]
	loop    *receiver
	tell    func(...error)
	start   time.Time

	mu      sync.Mutex // held while a line is printed
	tick    *time.Timer
	ticks   int
	drain   time.Time // when the drain began; zero until draining
	stopped bool
}

func startProgress(ctx context.Context, w io.Writer, workers *pool.Pool[Command], loop *receiver, tell func(...error)) *progress {
	pr := &progress{ctx: ctx, w: w, workers: workers, loop: loop, tell: tell, start: time.Now()}
	pr.mu.Lock()
	pr.tick = time.AfterFunc(time.Second, pr.line)
	pr.mu.Unlock()
	return pr
}

// draining prints announcement, the first line of the drain, which began
// at the stop event.
func (pr *progress) draining(announcement string) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	io.WriteString(pr.w, announcement+"\n")
	pr.drain = time.Now()
	var e ctrlc.Event
	if errors.As(context.Cause(pr.ctx), &e) {
		pr.drain = e.Time
	}
}

// stop ends the lines; one being printed is finished first.
func (pr *progress) stop() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.stopped = true
	pr.tick.Stop()
}

func (pr *progress) line() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.stopped {
		return
	}
	defer pr.tick.Reset(time.Second)
	pr.ticks++
	running := pr.drain.IsZero()
	if running && (pr.ctx.Err() != nil || pr.ticks%2 == 1) {
		return // running: every other second; stopped, but not yet draining: nothing
	}
	st, phase, more, since := pr.workers.Stats(), "running", "", pr.start
	if pr.loop.waiting.Load() {
		st.Queued++ // the command the loop holds: the report counts it queued too
		more = " (full: the receiver loop holds one, waiting for room)"
	}
	if !running {
		phase, since = "draining", pr.drain
		if st.Hurried {
			more += "; hurried: the commands not done come back, and one more Ctrl-C (or stop event) ends the program now"
		} else {
			more += "; a second Ctrl-C (or stop event) hurries it, keeping the commands not done"
		}
	}
	text := fmt.Sprintf("%s %v: %s received, %d done, %d running, %d queued%s", phase,
		time.Since(since).Round(100*time.Millisecond), plural(int(pr.loop.received.Load()), "command"), st.Completed+st.Failed+st.Panicked, st.Running, st.Queued, more)
	fmt.Fprintln(pr.w, text)
	if running {
		pr.tell(service.Status(text))
	} else {
		pr.tell(service.Progress(text, 5*time.Second))
	}
}
