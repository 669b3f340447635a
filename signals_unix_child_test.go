//go:build unix

package ctrlc_test

import (
	"os"
	"os/exec"
	"os/signal"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Real signals to child programs (the test binary again, running a scenario
// of signals_unix_test.go), sent with ctrlctest.

func child(t *testing.T, name string, env ...string) *ctrlctest.Process {
	t.Helper()
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cmd := ctrlctest.Self(name)
	cmd.Env = append(cmd.Env, env...)
	c := startWithDefaults(t, cmd)
	c.WaitFor("ready")
	return c
}

// startWithDefaults starts cmd with SIGHUP and SIGINT at their default
// action. This test may itself run with them ignored (nohup, cmd & in a
// script), which the child would inherit; a caught signal is reset to the
// default in the child instead.
func startWithDefaults(t *testing.T, cmd *exec.Cmd) *ctrlctest.Process {
	t.Helper()
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, unix.SIGHUP, unix.SIGINT)
	c := ctrlctest.Start(t, cmd)
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
func assertKilledBy(t *testing.T, c *ctrlctest.Process, sig unix.Signal) {
	t.Helper()
	_, err := c.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, c.Output())
	st := c.Status()
	require.NotNil(t, st.Signal, "want death by %v, got %v; output:\n%s", sig, st, c.Output())
	assert.Equal(t, sig, st.Signal, c.Output())
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
	cmd := ctrlctest.Self("events")
	cmd.Env = append(cmd.Env, "CHILD_COUNT=1", "CHILD_HANGUP=1")
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, unix.SIGINT) // the child gets SIGINT's default even if this test runs with it ignored
	c := ctrlctest.Start(t, cmd)
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
