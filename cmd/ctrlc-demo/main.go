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
	"sync/atomic"
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

// serve runs the bot until a stop event and drains it; it returns the exit code.
func serve(cfg *config, stdout, stderr io.Writer) int {
	say := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	supervisor := newSupervisor(stderr)

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
	// commands to the workers. Submit waits while the queue is full; at
	// shutdown a waiting Submit gives up, and the loop keeps its command.
	source := startSource(cfg.rate)
	submitCtx, stopSubmitting := context.WithCancel(context.Background())
	defer stopSubmitting()
	var submitted atomic.Int64
	var held []Command // commands that found the queue full at shutdown
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		for cmd := range source.Commands() {
			if err := workers.Submit(submitCtx, cmd); err != nil {
				held = append(held, cmd)
				continue
			}
			submitted.Add(1)
		}
	}()
	say("ctrlc-demo (pid %d): %s; %s", os.Getpid(), cfg.describe(), howToStop(cfg))
	supervisor.ready(cfg.describe())
	status := statusLines{bot, source, &submitted, cfg.policy}
	stopStatus := every(stderr, 2*time.Second, 2*time.Second, supervisor.running(status.running))

	// 4. Wait for Ctrl-C, then stop the source and let the loop end.
	event := <-listener.C()
	stopStatus()
	say("received %v, shutting down…", event)
	supervisor.stopping(event)
	source.Stop()
	stopSubmitting()
	<-loopDone
	say("Worker loop done.")

	// 5. Drain the pool: every queued command runs (or, with -policy
	// abandon, is set aside), every running one finishes.
	stopStatus = every(stderr, 500*time.Millisecond, drainReportEvery, supervisor.draining(status.draining))
	drainCtx, cancelDrain := drainContext(event)
	report, drainErr := workers.Shutdown(drainCtx)
	cancelDrain()
	stopStatus()
	say("dropped worker pool (%s)", joined(cfg.workers, report.Abandoned))

	// 6. Account for every command, keep the ones that did not run, report.
	summary := summarize(event, int(source.emitted.Load()), held, report, drainErr)
	if err := summary.save(cfg.unprocessed); err != nil {
		say("ctrlc-demo: %v", err)
	}
	if err := summary.print(stdout, stderr, cfg.json); err != nil {
		say("ctrlc-demo: %v", err)
	}
	say("Good bye!")
	return summary.ExitCode
}

// drainContext bounds the drain after event. Windows ends a console program
// soon after a close, logoff or shutdown event (ctrlc holds it open for at
// most ctrlc.DefaultCloseGrace): the drain then gets 3 s of that, leaving
// time for the report and the -unprocessed file. Other events leave the
// bound to -drain-timeout.
func drainContext(event ctrlc.Event) (context.Context, context.CancelFunc) {
	switch event.Kind {
	case ctrlc.Close, ctrlc.Logoff, ctrlc.Shutdown:
		return context.WithTimeout(context.Background(), ctrlc.DefaultCloseGrace-1500*time.Millisecond)
	}
	return context.WithCancel(context.Background())
}
