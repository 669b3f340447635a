// Command ctrlc-demo is the program the ctrlc library was written for: a bot
// whose event source delivers commands that a receiver loop hands to a pool
// of workers. Without ctrlc, Ctrl-C kills such a program mid-work. With it,
// Ctrl-C stops the source, the receiver loop ends, the pool drains, the
// program accounts for every command, keeps the ones not done, and says
// good bye. A second Ctrl-C hurries the drain; a third ends the program.
//
//	go run ./cmd/ctrlc-demo        # then press Ctrl-C; -h lists the flags
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
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
	say := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	supervisor := newSupervisor(stderr)

	// 1. Catch Ctrl-C, SIGTERM, SIGHUP (the terminal went away) and, on
	// Windows, a console close, from here on. The context ends at the first.
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), cfg.listenOptions()...)
	if err != nil {
		say("ctrlc-demo: %v", err)
		return 2
	}
	defer stop()

	// 2. The workers that run the commands.
	workers, err := pool.New(newBot(cfg).handle, cfg.poolOptions())
	if err != nil {
		say("ctrlc-demo: %v", err)
		return 2
	}

	// 3. The event source, and the receiver loop that hands each of its
	// commands to the workers. At the stop, the shutdown's first stage stops
	// the source and lets the loop hand over its last command and end.
	source := startSource(cfg.rate)
	loop := startReceiver(source, workers)
	_ = workers.BeforeStop("receiver loop", func(hookCtx context.Context) error {
		say("received %v, shutting down…", context.Cause(ctx))
		supervisor.stopping(context.Cause(ctx))
		source.Stop()
		loop.finish(hookCtx, cfg.policy == pool.Skip)
		say("Worker loop done.")
		return nil
	})
	say("ctrlc-demo (pid %d): %s; %s", os.Getpid(), cfg.describe(), cfg.howToStop())
	supervisor.ready(cfg.describe())
	progress := startProgress(ctx, stderr, workers, loop, supervisor)

	// 4. Run until the stop, then drain: every queued command runs (or,
	// with -policy skip, is set aside), every running one finishes, within
	// -drain-timeout and the event's deadline. A second Ctrl-C hurries it.
	report, drainErr := workers.Run(ctx)
	progress.stop()
	source.Stop()
	loop.finish(ctx, true) // ended already, unless the shutdown failed
	say("Dropped the worker pool: %s.", joined(cfg.workers, len(report.Abandoned)))

	// 5. Account for every command, keep the ones not done, say good bye.
	s := summarize(report, int(loop.received.Load()), loop.held, drainErr)
	if err := s.save(cfg.unprocessed); err != nil {
		say("ctrlc-demo: %v", err)
	}
	s.print(stdout, stderr, cfg.json)
	say("Good bye!")
	if endsBySignal(report.Event) {
		ctrlc.Exit(report.Event) // as if nobody had caught it: a shell loop around the demo stops
	}
	return s.ExitCode
}

// lenient writes to w and reports success whatever happens: the demo's
// messages are for a person, who may be gone.
type lenient struct{ w io.Writer }

func (l lenient) Write(b []byte) (int, error) {
	_, _ = l.w.Write(b)
	return len(b), nil
}

// progress prints a line every 2 s while the bot runs and every second
// while it drains, and passes each on to the supervisor.
type progress struct{ quit, done chan struct{} }

func startProgress(ctx context.Context, w io.Writer, workers *pool.Pool[Command], loop *receiver, sv *supervisor) *progress {
	p := &progress{quit: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(p.done)
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		stopped := ctx.Done()
		for {
			select {
			case <-p.quit:
				return
			case <-stopped:
				stopped, start = nil, time.Now()
				tick.Reset(time.Second)
				continue
			case <-tick.C:
			}
			st := workers.Stats()
			elapsed := time.Since(start).Round(100 * time.Millisecond)
			if stopped != nil {
				line := fmt.Sprintf("running %v: %d commands received, %d done, %d running, %d queued%s",
					elapsed, loop.received.Load(), st.Completed+st.Failed+st.Panicked, st.Running, st.Queued, loop.waitNote())
				fmt.Fprintln(w, line)
				sv.status(line)
				continue
			}
			line := fmt.Sprintf("draining %v: %d queued, %d running%s; %s",
				elapsed, st.Queued, st.Running, loop.waitNote(), hurryHint(context.Cause(ctx)))
			fmt.Fprintln(w, line)
			sv.progress(line)
		}
	}()
	return p
}

func (p *progress) stop() {
	close(p.quit)
	<-p.done
}

// joined says what dropping the pool joined.
func joined(workers, abandoned int) string {
	if abandoned == 0 {
		return fmt.Sprintf("%d workers joined", workers)
	}
	return fmt.Sprintf("%d workers joined, %d left running an abandoned command", workers-abandoned, abandoned)
}

// hurryHint says what a second event does during the drain that cause
// started.
func hurryHint(cause error) string {
	var e ctrlc.Event
	switch {
	case !errors.As(cause, &e):
		return "a stop event hurries it"
	case e.Kind == ctrlc.Interrupt:
		return "press Ctrl-C again to hurry, keeping the commands not done"
	case e.Kind == ctrlc.Close, e.Kind == ctrlc.Logoff, e.Kind == ctrlc.Shutdown:
		return "Windows ends the program at the event's deadline; the drain stops before it"
	}
	return fmt.Sprintf("a second %v hurries it, keeping the commands not done", e.Kind)
}
