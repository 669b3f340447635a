package ctrlc_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
)

// A program catches Ctrl-C and SIGTERM on one channel and shuts down in its
// own time. Here Trigger stands in for the user pressing Ctrl-C.
func ExampleNotify() {
	l, err := ctrlc.Notify()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Stop() // from here on, Ctrl-C ends the process again

	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}) // the user presses Ctrl-C

	e := <-l.C()
	fmt.Printf("received %s (event %d), shutting down\n", e.Kind, e.Seq)
	// Output: received interrupt (event 1), shutting down
}

// The context's cause says which event cancelled it; it is a cancellation
// too.
func ExampleNotifyContext() {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}) // e.g. kill <pid>

	<-ctx.Done()
	var e ctrlc.Event
	if errors.As(context.Cause(ctx), &e) {
		fmt.Println("stopped by", e.Kind)
	}
	fmt.Println(errors.Is(context.Cause(ctx), context.Canceled))
	// Output:
	// stopped by terminate
	// true
}

// A command-line tool drains a pool under the context: the first Ctrl-C
// finishes the work, the second hurries it, and what is not done comes back
// by value to be saved. (Not run here: it ends the process.)
func ExampleNotifyContext_pool() {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer stop()
	p, err := pool.New(func(ctx context.Context, file string) error {
		// ... convert file, giving up when ctx ends ...
		return ctx.Err()
	}, pool.Options{Workers: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() {
		for _, f := range os.Args[1:] {
			if p.Submit(ctx, f) != nil {
				break
			}
		}
		_ = p.Close() // the end of the input
	}()
	report, err := p.Run(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	if left := report.Unprocessed(); len(left) > 0 {
		_ = os.WriteFile("unprocessed.txt", []byte(strings.Join(left, "\n")), 0o600)
	}
	if report.Event.Kind != 0 {
		stop()
		ctrlc.Exit(report.Event) // a shell loop around the tool stops too
	}
}

// SetHandler is the Go counterpart of Rust's ctrlc::set_handler: the handler
// runs on its own goroutine for each event.
func ExampleSetHandler() {
	done := make(chan struct{})
	var once sync.Once
	if err := ctrlc.SetHandler(func(e ctrlc.Event) {
		once.Do(func() {
			fmt.Println("handler got", e.Kind, "event", e.Seq)
			close(done)
		})
	}); err != nil {
		fmt.Println(err)
		return
	}
	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt})
	<-done

	fmt.Println(ctrlc.SetHandler(func(ctrlc.Event) {})) // one handler for the program's life
	// Output:
	// handler got interrupt event 1
	// ctrlc: a handler is already set
}

// Options that make no sense are errors that name them.
func ExampleWithGracePeriod_invalid() {
	_, err := ctrlc.Notify(ctrlc.WithGracePeriod(0))
	fmt.Println(err)
	_, err = ctrlc.Notify(ctrlc.WithoutForceExit(), nil)
	fmt.Println(err)
	// Output:
	// ctrlc: WithGracePeriod(0s): the grace period must be positive
	// ctrlc: option 2 is nil
}

// A command-line tool that a user interrupts drains, then ends the way the
// interrupt would have ended it, so that a shell loop around it stops too.
// (Not run here: it ends the process.)
func ExampleExit() {
	l, err := ctrlc.Notify()
	if err != nil {
		fmt.Println(err)
		return
	}
	e := <-l.C()
	// ... finish or save the work in progress ...
	l.Stop()
	ctrlc.Exit(e) // the shell sees death by SIGINT (or exit status 0xC000013A on Windows)
}

// Kubernetes sends SIGTERM and kills the pod terminationGracePeriodSeconds
// later: the event says when.
func ExampleWithGracePeriod() {
	l, err := ctrlc.Notify(ctrlc.WithGracePeriod(30 * time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Stop()

	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate})

	e := <-l.C()
	fmt.Println("drain within", e.Deadline.Sub(e.Time))
	// Output: drain within 30s
}

// ParseKind reads the names people type in flags and configuration files,
// native ones included, whatever the platform.
func ExampleParseKind() {
	for _, name := range []string{"interrupt", "SIGTERM", "hup", "CTRL_CLOSE_EVENT", "SIGKILL"} {
		k, err := ctrlc.ParseKind(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s -> %s\n", name, k)
	}
	// Output:
	// interrupt -> interrupt
	// SIGTERM -> terminate
	// hup -> hangup
	// CTRL_CLOSE_EVENT -> close
	// ctrlc: unknown kind: "SIGKILL" (want one of interrupt, terminate, hangup, quit, break, close, logoff, shutdown, or a native name such as SIGINT, TERM, CTRL_C_EVENT)
}
