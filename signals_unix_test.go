//go:build unix

package ctrlc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/proctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func init() {
	childScenarios["events"] = childEvents
	childScenarios["slow-shutdown"] = childSlowShutdown
	childScenarios["stopped"] = childStopped
}

// childEvents prints each event it gets and exits after CHILD_COUNT of them.
func childEvents() int {
	kinds := []Kind{Interrupt, Terminate}
	if os.Getenv("CHILD_HANGUP") != "" {
		kinds = append(kinds, Hangup)
	}
	l, err := Notify(WithKinds(kinds...), WithoutForceExit())
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	n, _ := strconv.Atoi(os.Getenv("CHILD_COUNT"))
	fmt.Println("ready")
	for i := 0; i < n; i++ {
		e := <-l.C()
		fmt.Printf("got %v seq=%d exit=%d\n", e, e.Seq, e.ExitCode())
	}
	fmt.Println("bye")
	return 0
}

// childSlowShutdown starts a shutdown that takes far longer than the test
// waits, with the default force-exit policy.
func childSlowShutdown() int {
	var opts []Option
	if w := os.Getenv("CHILD_REPEAT_WINDOW"); w != "" {
		d, err := time.ParseDuration(w)
		if err != nil {
			fmt.Println(err)
			return 3
		}
		opts = append(opts, WithRepeatWindow(d))
	}
	l, err := Notify(opts...)
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
func childStopped() int {
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

func child(t *testing.T, name string, env ...string) *proctest.Child {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cmd := proctest.Self(name)
	cmd.Env = append(cmd.Env, env...)
	c := startWithDefaults(t, cmd)
	c.WaitFor("ready")
	return c
}

// startWithDefaults starts cmd with SIGHUP and SIGINT at their default
// action. This test may itself run with them ignored (nohup, cmd & in a
// script), which the child would inherit; a caught signal is reset to the
// default in the child instead.
func startWithDefaults(t *testing.T, cmd *exec.Cmd) *proctest.Child {
	t.Helper()
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, unix.SIGHUP, unix.SIGINT)
	c := proctest.Start(t, cmd)
	signal.Stop(caught)
	return c
}

func TestChildGetsRealSIGINTThenSIGTERM(t *testing.T) {
	c := child(t, "events", "CHILD_COUNT=2")
	c.Interrupt()
	c.WaitFor("got interrupt (SIGINT) seq=1 exit=130")
	c.Terminate()
	c.WaitFor("got terminate (SIGTERM) seq=2 exit=143")
	code, err := c.Wait()
	require.NoError(t, err, c.Output())
	assert.Equal(t, 0, code)
	assert.True(t, c.Order("ready", "interrupt (SIGINT)", "terminate (SIGTERM)", "bye"), c.Output())
}

// A human's second Ctrl-C, well after the first, forces the exit: the child
// dies by SIGINT, so that a shell loop around it stops too.
func TestSecondSIGINTDuringShutdownDiesBySIGINT(t *testing.T) {
	c := child(t, "slow-shutdown")
	c.Interrupt()
	c.WaitFor("shutting down after interrupt (SIGINT)")
	time.Sleep(300 * time.Millisecond) // a human's pace, far beyond DefaultRepeatWindow
	c.Interrupt()
	assertKilledBy(t, c, unix.SIGINT)
	assert.Contains(t, c.Output(), "ctrlc: interrupt (SIGINT) is event 2 during shutdown: exiting with code 130")
	assert.NotContains(t, c.Output(), "clean exit")
}

// A SIGINT 1 ms behind the first, as a wrapper forwarding the terminal's
// Ctrl-C sends it, is a duplicate: it does not force the exit.
func TestDuplicateSIGINTDoesNotForceExit(t *testing.T) {
	c := child(t, "slow-shutdown", "CHILD_SLEEP=1s")
	c.Interrupt()
	time.Sleep(time.Millisecond)
	c.Interrupt()
	c.WaitFor("clean exit")
	code, err := c.Wait()
	require.NoError(t, err, c.Output())
	assert.Equal(t, 0, code)
	assert.Equal(t, 1, c.Count("shutting down after interrupt (SIGINT)"), c.Output())
	assert.NotContains(t, c.Output(), "during shutdown", "no forced exit")

	// The control: without the window the same two signals do force the
	// exit, so both did reach the listener above.
	forced := 0
	for i := 0; i < 5 && forced == 0; i++ {
		c := child(t, "slow-shutdown", "CHILD_SLEEP=1s", "CHILD_REPEAT_WINDOW=0")
		c.Interrupt()
		time.Sleep(time.Millisecond)
		c.Interrupt()
		_, _ = c.Wait()
		if c.Count("during shutdown") == 1 {
			forced++
		}
	}
	assert.Equal(t, 1, forced, "without a repeat window a SIGINT 1 ms behind the first forces the exit")
}

// Different kinds never coalesce: a SIGTERM right behind a SIGINT forces the
// exit, and the child dies by the forcing event's signal.
func TestSIGTERMAfterSIGINTDiesBySIGTERM(t *testing.T) {
	c := child(t, "slow-shutdown")
	c.Interrupt()
	c.WaitFor("shutting down")
	c.Terminate()
	assertKilledBy(t, c, unix.SIGTERM)
	assert.Contains(t, c.Output(), "ctrlc: terminate (SIGTERM) is event 2 during shutdown: exiting with code 143")
}

// assertKilledBy waits for the child and checks that sig killed it: the wait
// status, not merely an exit code of 128+sig.
func assertKilledBy(t *testing.T, c *proctest.Child, sig unix.Signal) {
	t.Helper()
	_, err := c.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, c.Output())
	ws := ee.Sys().(syscall.WaitStatus)
	require.True(t, ws.Signaled(), "want death by %v, got wait status %v; output:\n%s", sig, ws, c.Output())
	assert.Equal(t, sig, ws.Signal(), c.Output())
}

func TestAfterStopSIGINTKills(t *testing.T) {
	c := child(t, "stopped")
	c.Interrupt()
	assertKilledBy(t, c, unix.SIGINT)
	assert.NotContains(t, c.Output(), "still alive")
}

func TestIgnoredSIGHUPStaysIgnored(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	// Like nohup: the child starts with SIGHUP ignored.
	signal.Ignore(unix.SIGHUP)
	cmd := proctest.Self("events")
	cmd.Env = append(cmd.Env, "CHILD_COUNT=1", "CHILD_HANGUP=1")
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, unix.SIGINT) // the child gets SIGINT's default even if this test runs with it ignored
	c := proctest.Start(t, cmd)
	signal.Stop(caught)
	signal.Reset(unix.SIGHUP)
	c.WaitFor("ready")
	c.Signal(unix.SIGHUP)
	time.Sleep(100 * time.Millisecond)
	c.Interrupt()
	code, err := c.Wait()
	require.NoError(t, err, c.Output())
	assert.Equal(t, 0, code)
	assert.Equal(t, 0, c.Count("hangup"), c.Output())
	assert.Equal(t, 1, c.Count("got interrupt (SIGINT) seq=1"), c.Output())
}

func TestHangupWhenAskedFor(t *testing.T) {
	c := child(t, "events", "CHILD_COUNT=1", "CHILD_HANGUP=1")
	c.Signal(unix.SIGHUP)
	c.WaitFor("got hangup (SIGHUP) seq=1 exit=129")
	code, _ := c.Wait()
	assert.Equal(t, 0, code)
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
	assert.Equal(t, "interrupt (SIGINT)", e.String())
	assert.Equal(t, 130, e.ExitCode())
}

func TestNotifyContextWithRealSIGTERM(t *testing.T) {
	ctx, stop := NotifyContext(context.Background())
	defer stop()
	killSelf(t, unix.SIGTERM)
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	var e Event
	require.True(t, errors.As(context.Cause(ctx), &e))
	assert.Equal(t, "terminate (SIGTERM)", e.String())
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
