// Command ctrlc-demo is the program the ctrlc library was written for: a bot
// whose event source delivers commands that a receiver loop hands to a pool
// of workers. Without ctrlc, Ctrl-C kills such a program mid-work. With it,
// Ctrl-C stops the source, the receiver loop ends, the pool drains, the
// program accounts for every command, keeps the ones not done, and says
// good bye.
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
	say := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	cfg, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		say("ctrlc-demo: %v\nRun 'ctrlc-demo -h' for the flags.", err)
		return 2
	}
	return supervise(cfg, stdout, stderr, serve)
}

// serve runs the bot until a stop event and drains it; it returns the exit
// code, or after Ctrl-C ends the process by the signal (ctrlc.Exit).
func serve(cfg *config, stdout, stderr io.Writer) int {
	say := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	supervisor := newSupervisor(stderr)

	// 1. The workers that run the commands.
	bot := newBot(cfg)
	workers, err := pool.New(bot.handle, cfg.poolOptions())
	if err != nil {
		say("ctrlc-demo: %v", err)
		return 2
	}

	// 2. Catch Ctrl-C, SIGTERM and (on Windows) console close from here on.
	// A second event during the drain forces the exit; the demo's last word
	// then saves the commands not done (see ending).
	end := newEnding(cfg, stderr, workers)
	listener, err := ctrlc.Notify(cfg.listenOptions(end.lastWord)...)
	if err != nil {
		say("ctrlc-demo: %v", err)
		return 2
	}
	defer listener.Stop()

	// 3. The event source, and the receiver loop that hands each of its
	// commands to the workers. Submit waits while the queue is full, and the
	// source waits for the loop.
	source := startSource(cfg.rate)
	loop := startReceiver(source, workers, func() { say("%s", queueFull(cfg)) })
	end.started(source, loop)
	say("ctrlc-demo (pid %d): %s; %s", os.Getpid(), cfg.describe(), howToStop(cfg))
	if cfg.unprocessed != nil {
		say("%s", appending(cfg))
	}
	supervisor.ready(cfg.describe())
	status := statusLines{workers: workers, loop: loop, policy: cfg.policy}
	stopStatus := every(stderr, 2*time.Second, 2*time.Second, supervisor.running(status.running))

	// 4. Wait for Ctrl-C, then stop the source. The shutdown's first stage
	// lets the receiver loop hand over its last command and end, within half
	// of what is left of the shutdown's budget: the drain gets the rest.
	event := <-listener.C()
	stopStatus()
	say("received %v, shutting down…", event)
	supervisor.stopping(event)
	source.Stop()
	err = workers.BeforeStop("receiver loop", func(ctx context.Context) error {
		if deadline, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Until(deadline)/2)
			defer cancel()
		}
		loop.finish(ctx, cfg.policy == pool.Abandon)
		say("Worker loop done.")
		return nil
	})
	if err != nil { // the pool is closed already: a last word took it over
		select {}
	}

	// 5. Drain the pool: every queued command runs (or, with -policy
	// abandon, is set aside), every running one finishes. Run bounds it by
	// -drain-timeout, and by the event's deadline when it has one.
	status.forceHint = forceHint(cfg.kinds, event, cfg.unprocessedName())
	stopStatus = every(stderr, 500*time.Millisecond, drainReportEvery, supervisor.draining(status.draining))
	report, drainErr := workers.Run(replay(event))
	stopStatus()
	if !end.claim("report") {
		select {} // a second event came: its last word ends the program
	}
	defer end.finished()
	say("dropped worker pool (%s)", joined(cfg.workers, len(report.Abandoned)))

	// 6. Account for every command, keep the ones not done, report.
	summary := summarize(event, int(loop.received.Load()), loop.finish(context.Background(), true), report, drainErr)
	if err := summary.save(cfg.unprocessed, cfg.earlierLines); err != nil {
		say("ctrlc-demo: %v", err)
	}
	if err := summary.print(stdout, stderr, cfg.json); err != nil {
		say("ctrlc-demo: %v", err)
	}
	say("Good bye!")
	if endsBySignal(event) {
		end.finished()
		ctrlc.Exit(event) // as if nobody had caught it: a shell loop around the demo stops
	}
	return summary.ExitCode
}

// replay returns a channel that holds e, for Run.
func replay(e ctrlc.Event) <-chan ctrlc.Event {
	c := make(chan ctrlc.Event, 1)
	c <- e
	return c
}
