//go:build unix

package ctrlc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func init() {
	childScenarios["events"] = childEvents
	childScenarios["slow-shutdown"] = childSlowShutdown
	childScenarios["stopped"] = childStopped
	childScenarios["context"] = childContext
}

// childEvents listens to the default kinds, prints each event it gets and
// exits after CHILD_COUNT of them.
func childEvents([]string) int {
	l, err := Notify(WithoutForceExit())
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	n, _ := strconv.Atoi(os.Getenv("CHILD_COUNT"))
	fmt.Println("ready")
	for i := 0; i < n; i++ {
		e := <-l.C()
		fmt.Printf("got %v seq=%d exit=%d\n", e, e.Seq, exitCode(e))
	}
	fmt.Println("bye")
	return 0
}

// childSlowShutdown starts a shutdown that takes far longer than the test
// waits, under a plain listener with the default escalation. With
// CHILD_REPEAT_WINDOW=0 its listener takes every repeat.
func childSlowShutdown([]string) int {
	cfg, err := newConfig(nil)
	if err != nil {
		fmt.Println(err)
		return 3
	}
	if os.Getenv("CHILD_REPEAT_WINDOW") == "0" {
		cfg.repeatWindow = 0
	}
	l, err := newListener(cfg, nil)
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	fmt.Println("ready")
	e := <-l.C()
	fmt.Printf("shutting down after %v\n", e)
	d, err := time.ParseDuration(os.Getenv("CHILD_SLEEP"))
	if err != nil {
		d = 30 * time.Second
	}
	time.Sleep(d)
	fmt.Println("clean exit")
	return 0
}

// childStopped listens, stops, and then lives until a signal kills it.
func childStopped([]string) int {
	l, err := Notify()
	if err != nil {
		fmt.Println(err)
		return 3
	}
	l.Stop()
	fmt.Println("ready")
	time.Sleep(30 * time.Second)
	fmt.Println("still alive")
	return 0
}

// childContext is the smallest program of the documentation: NotifyContext
// with no options, a drain at the first event, then Exit by that event.
func childContext([]string) int {
	ctx, stop, err := NotifyContext(context.Background())
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer stop()
	fmt.Println("ready")
	<-ctx.Done()
	var e Event
	if !errors.As(context.Cause(ctx), &e) {
		fmt.Println("cause:", context.Cause(ctx))
		return 4
	}
	fmt.Printf("drained after %v\n", e)
	stop()
	Exit(e)
	return 5
}

// The tests below signal the test process itself: a real SIGINT through
// kill(2), caught by the listener instead of killing the test binary.

func killSelf(t *testing.T, sig unix.Signal) {
	t.Helper()
	require.NoError(t, unix.Kill(os.Getpid(), sig))
}

func TestRealSignalToSelf(t *testing.T) {
	l, err := Notify(WithoutForceExit(), WithEvenIfIgnored()) // even if the test runs with SIGINT ignored (nohup, &)
	require.NoError(t, err)
	defer l.Stop()
	killSelf(t, unix.SIGINT)
	e := recv(t, l)
	assert.Equal(t, Interrupt, e.Kind)
	assert.Equal(t, int(unix.SIGINT), e.Native)
	assert.Equal(t, "interrupt (SIGINT)", e.Error())
	assert.Equal(t, 130, exitCode(e))
}

func TestNotifyContextWithRealSIGTERM(t *testing.T) {
	ctx, stop, err := NotifyContext(context.Background())
	require.NoError(t, err)
	defer stop()
	killSelf(t, unix.SIGTERM)
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	var e Event
	require.True(t, errors.As(context.Cause(ctx), &e))
	assert.Equal(t, "terminate (SIGTERM)", e.Error())
	assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
}

func TestSetHandlerWithRealSIGINT(t *testing.T) {
	if ignoredKinds().has(Interrupt) {
		t.Skip("this test binary started with SIGINT ignored (cmd & in a script), which SetHandler leaves ignored; go test does not")
	}
	defer resetHandler()
	got := make(chan Event, 2)
	require.NoError(t, SetHandler(func(e Event) { got <- e }))
	// Unix merges a signal into one still pending, so send one at a time.
	for seq := 1; seq <= 2; seq++ {
		killSelf(t, unix.SIGINT)
		select {
		case e := <-got:
			assert.Equal(t, Interrupt, e.Kind)
			assert.Equal(t, seq, e.Seq)
		case <-time.After(10 * time.Second):
			t.Fatalf("handler not run for SIGINT %d", seq)
		}
	}
}

func TestOtherOSSignalUsersKeepTheirSignals(t *testing.T) {
	// A program's own signal.Notify keeps working beside a listener, and
	// stopping the listener does not take the signal away from it.
	own := make(chan os.Signal, 1)
	signal.Notify(own, unix.SIGINT)
	defer signal.Stop(own)
	l, err := Notify(WithoutForceExit(), WithEvenIfIgnored())
	require.NoError(t, err)
	killSelf(t, unix.SIGINT)
	recv(t, l)
	<-own
	l.Stop()
	killSelf(t, unix.SIGINT)
	select {
	case <-own:
	case <-time.After(10 * time.Second):
		t.Fatal("os/signal channel lost SIGINT after Stop")
	}
}
