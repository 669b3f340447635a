package ctrlc_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/ctrlc-go/ctrlc"
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
	fmt.Printf("received %s, shutting down; a shell would report exit code %d\n", e.Kind, e.ExitCode())
	// Output: received interrupt, shutting down; a shell would report exit code 130
}

// The context's cause says which event cancelled it.
func ExampleNotifyContext() {
	ctx, stop := ctrlc.NotifyContext(context.Background())
	defer stop()

	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate}) // e.g. kill <pid>

	<-ctx.Done()
	var e ctrlc.Event
	if errors.As(context.Cause(ctx), &e) {
		fmt.Println("stopped by", e.Kind)
	}
	// Output: stopped by terminate
}

// SetHandler is the Go counterpart of Rust's ctrlc::set_handler: the handler
// runs on its own goroutine for each event.
func ExampleSetHandler() {
	done := make(chan struct{})
	if err := ctrlc.SetHandler(func(e ctrlc.Event) {
		fmt.Println("handler got", e.Kind, "event", e.Seq)
		close(done)
	}); err != nil {
		fmt.Println(err)
		return
	}
	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt})
	<-done

	fmt.Println(ctrlc.TrySetHandler(func(ctrlc.Event) {}))
	// Output:
	// handler got interrupt event 1
	// ctrlc: a handler is already set
}

// Options that make no sense are errors that name them.
func ExampleWithForceExit() {
	_, err := ctrlc.Notify(ctrlc.WithForceExit(0))
	fmt.Println(err)
	// Output: ctrlc: WithForceExit(0): n must be at least 1
}
