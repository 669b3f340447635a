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

// The second Ctrl-C forces the exit; the last word saves what the program
// still holds first. (Not run here: it ends the process.)
func ExampleWithLastWord() {
	var (
		mu      sync.Mutex
		pending = []string{"order 17", "order 18"} // e.g. pool.TakePending()
	)
	l, err := ctrlc.Notify(ctrlc.WithLastWord(2*time.Second, func(ctx context.Context, e ctrlc.Event) {
		mu.Lock()
		defer mu.Unlock()
		_ = os.WriteFile("unprocessed.txt", []byte(strings.Join(pending, "\n")), 0o600)
		fmt.Fprintf(os.Stderr, "%s: saved %d unfinished items\n", e, len(pending))
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Stop()
	<-l.C()
	// ... a slow drain, during which the user may press Ctrl-C again ...
}

// A wrapper that forwards the terminal's Ctrl-C delivers it twice within
// microseconds: the copy coalesces into the first event.
func ExampleWithRepeatWindow() {
	l, err := ctrlc.Notify(ctrlc.WithRepeatWindow(ctrlc.DefaultRepeatWindow))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Stop()

	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}) // the terminal's SIGINT
	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}) // the wrapper's copy: no forced exit

	e := <-l.C()
	fmt.Println(e.Kind, "event", e.Seq, "pending:", len(l.C()))
	// Output: interrupt event 1 pending: 0
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
