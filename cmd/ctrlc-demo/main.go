// Command ctrlc-demo is the program the ctrlc library was written for: a bot
// whose event source delivers commands that a receiver loop hands to a pool
// of workers. Without ctrlc, Ctrl-C kills such a program mid-work. With it,
// Ctrl-C stops the source, the receiver loop ends, the pool drains without
// losing a command, and the program says good bye.
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

	// 1. Catch Ctrl-C, SIGTERM and (on Windows) console close from here on.
	// A second event during the drain ends the program at once, with the
	// event's exit code: 130 for Ctrl-C.
	listener, err := ctrlc.Notify(cfg.listenOptions()...)
	if err != nil {
		say("ctrlc-demo: %v", err)
		return 2
	}
	defer listener.Stop()

	// 2. The workers that run the commands.
	bot := newBot(cfg)
	workers, err := pool.New(bot.handle, cfg.poolOptions())
	if err != nil {
		say("ctrlc-demo: %v", err)
		return 2
	}

	// 3. The event source, and the receiver loop that hands each of its
	// commands to the workers. Submit waits while the queue is full, and the
	// source waits for the loop.
	source := startSource(cfg.rate)
	loop := startReceiver(source, workers, func() { say("%s", queueFull(cfg)) })
	say("ctrlc-demo (pid %d): %s; %s", os.Getpid(), cfg.describe(), howToStop(cfg))
	if cfg.unprocessed != nil {
		say("%s", appending(cfg))
	}
	status := statusLines{bot: bot, loop: loop, policy: cfg.policy}
	stopStatus := every(stderr, 2*time.Second, 2*time.Second, status.running)

	// 4. Wait for Ctrl-C, then stop the source and let the loop hand over
	// its last command and end.
	event := <-listener.C()
	stopStatus()
	say("received %v, shutting down…", event)
	source.Stop()
	drainCtx, cancelDrain := drainContext(event, cfg.drainTimeout)
	defer cancelDrain()
	status.forceHint = forceHint(cfg.kinds, event)
	stopStatus = every(stderr, 500*time.Millisecond, time.Second, status.draining)
	held := loop.finish(drainCtx, cfg.policy == pool.Abandon)
	say("Worker loop done.")

	// 5. Drain the pool: every queued command runs (or, with -policy
	// abandon, is set aside), every running one finishes.
	report, drainErr := workers.Shutdown(drainCtx)
	stopStatus()
	say("dropped worker pool (%s)", joined(cfg.workers, report.Abandoned))

	// 6. Account for every command, keep the ones that did not run, report.
	summary := summarize(event, int(loop.received.Load()), held, report, drainErr)
	if err := summary.save(cfg.unprocessed, cfg.earlierLines); err != nil {
		say("ctrlc-demo: %v", err)
	}
	if err := summary.print(stdout, stderr, cfg.json); err != nil {
		say("ctrlc-demo: %v", err)
	}
	say("Good bye!")
	return summary.ExitCode
}

// drainContext bounds the drain after event, the receiver loop's last
// hand-over included, by timeout. Windows ends a console program soon after
// a close, logoff or shutdown event (ctrlc holds it open for at most
// ctrlc.DefaultCloseGrace): the drain then gets at most 3 s of that, leaving
// time for the report and the -unprocessed file.
func drainContext(event ctrlc.Event, timeout time.Duration) (context.Context, context.CancelFunc) {
	switch event.Kind {
	case ctrlc.Close, ctrlc.Logoff, ctrlc.Shutdown:
		timeout = min(timeout, ctrlc.DefaultCloseGrace-1500*time.Millisecond)
	}
	return context.WithTimeout(context.Background(), timeout)
}
