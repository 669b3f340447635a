//go:build unix

package ctrlc_test

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
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
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cmd := ctrlctest.Self(name)
	cmd.Env = append(cmd.Env, env...)
	// This test may itself run with SIGHUP ignored (nohup, CI), which the
	// child would inherit; a caught signal is reset to the default in the
	// child instead.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, unix.SIGHUP)
	c := ctrlctest.Start(t, cmd)
	signal.Stop(hup)
	c.WaitFor("ready")
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

func TestSecondSIGINTDuringShutdownExits130(t *testing.T) {
	c := child(t, "slow-shutdown")
	c.Interrupt()
	c.WaitFor("shutting down after interrupt (SIGINT)")
	c.Interrupt()
	code, _ := c.Wait()
	assert.Equal(t, 130, code, c.Output())
	assert.Contains(t, c.Output(), "ctrlc: interrupt (SIGINT) is event 2 during shutdown: exiting with code 130")
	assert.NotContains(t, c.Output(), "clean exit")
}

func TestSIGTERMAfterSIGINTForcesExit143(t *testing.T) {
	c := child(t, "slow-shutdown")
	c.Interrupt()
	c.WaitFor("shutting down")
	c.Terminate()
	code, _ := c.Wait()
	assert.Equal(t, 143, code, "the forcing event's code: %s", c.Output())
}

func TestAfterStopSIGINTKills(t *testing.T) {
	c := child(t, "stopped")
	c.Interrupt()
	_, err := c.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, c.Output())
	ws := ee.Sys().(syscall.WaitStatus)
	assert.True(t, ws.Signaled(), "killed by a signal")
	assert.Equal(t, unix.SIGINT, ws.Signal())
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
	c := ctrlctest.Start(t, cmd)
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
