//go:build unix

package ctrlc_test

import (
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
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

// ignoring runs cmd from a shell that ignores the signals first, as nohup
// does for HUP and "cmd &" in a non-interactive shell does for INT.
func ignoring(cmd *exec.Cmd, sigs ...string) *exec.Cmd {
	sh := exec.Command("/bin/sh", append([]string{"-c", `trap "" ` + strings.Join(sigs, " ") + `; exec "$0" "$@"`}, cmd.Args...)...)
	sh.Env = cmd.Env
	return sh
}

func TestChildGetsRealSIGINTThenSIGTERM(t *testing.T) {
	c := child(t, "events", "CHILD_COUNT=2")
	c.Send(ctrlc.Interrupt)
	c.WaitFor("got interrupt (SIGINT) seq=1 exit=130")
	c.Send(ctrlc.Terminate)
	c.WaitFor("got terminate (SIGTERM) seq=2 exit=143")
	st := c.Wait()
	require.True(t, st.Success(), "%v; output:\n%s", st, c.Output())
	assert.True(t, c.Order("ready", "interrupt (SIGINT)", "terminate (SIGTERM)", "bye"), c.Output())
}

// A human's second Ctrl-C, well after the first, ends a plain listener's
// program, which has no drain to hurry: the child dies by SIGINT, so that a
// shell loop around it stops too.
func TestSecondSIGINTDuringShutdownDiesBySIGINT(t *testing.T) {
	c := child(t, "slow-shutdown")
	c.Send(ctrlc.Interrupt)
	c.WaitFor("shutting down after interrupt (SIGINT)")
	time.Sleep(300 * time.Millisecond) // a human's pace, far beyond the 50 ms repeat window
	c.Send(ctrlc.Interrupt)
	assertKilledBy(t, c, unix.SIGINT)
	assert.Contains(t, c.Output(), "ctrlc: interrupt (SIGINT) is event 2 during the shutdown: exiting now")
	assert.NotContains(t, c.Output(), "clean exit")
}

// A SIGINT 1 ms behind the first, as a wrapper forwarding the terminal's
// Ctrl-C sends it, is a duplicate: it does not end the process.
func TestDuplicateSIGINTDoesNotForceExit(t *testing.T) {
	c := child(t, "slow-shutdown", "CHILD_SLEEP=1s")
	c.Send(ctrlc.Interrupt)
	time.Sleep(time.Millisecond)
	c.Send(ctrlc.Interrupt)
	c.WaitFor("clean exit")
	st := c.Wait()
	require.True(t, st.Success(), "%v; output:\n%s", st, c.Output())
	assert.Equal(t, 1, c.Count("shutting down after interrupt (SIGINT)"), c.Output())
	assert.NotContains(t, c.Output(), "exiting now", "no forced exit")

	// The control: without the window the same two signals do end the
	// process, so both did reach the listener above. (The kernel merges a
	// signal into one still pending, so one try in a few may see one.)
	forced := 0
	for i := 0; i < 5 && forced == 0; i++ {
		c := child(t, "slow-shutdown", "CHILD_SLEEP=1s", "CHILD_REPEAT_WINDOW=0")
		c.Send(ctrlc.Interrupt)
		time.Sleep(time.Millisecond)
		c.Send(ctrlc.Interrupt)
		c.Wait()
		if c.Count("during the shutdown: exiting now") == 1 {
			forced++
		}
	}
	assert.Equal(t, 1, forced, "without a repeat window a SIGINT 1 ms behind the first ends the process")
}

// Different kinds never coalesce: a SIGTERM right behind a SIGINT is the
// second event, and the child dies by its signal.
func TestSIGTERMAfterSIGINTDiesBySIGTERM(t *testing.T) {
	c := child(t, "slow-shutdown")
	c.Send(ctrlc.Interrupt)
	c.WaitFor("shutting down")
	c.Send(ctrlc.Terminate)
	assertKilledBy(t, c, unix.SIGTERM)
	assert.Contains(t, c.Output(), "ctrlc: terminate (SIGTERM) is event 2 during the shutdown: exiting now")
}

// assertKilledBy waits for the child and checks that sig killed it: the wait
// status, not merely an exit code of 128+sig.
func assertKilledBy(t *testing.T, c *ctrlctest.Process, sig unix.Signal) {
	t.Helper()
	st := c.Wait()
	require.NotNil(t, st.Signal, "want death by %v, got %v; output:\n%s", sig, st, c.Output())
	assert.Equal(t, sig, st.Signal, c.Output())
}

func TestAfterStopSIGINTKills(t *testing.T) {
	c := child(t, "stopped")
	c.Send(ctrlc.Interrupt)
	assertKilledBy(t, c, unix.SIGINT)
	assert.NotContains(t, c.Output(), "still alive")
}

// SIGHUP is a default kind: a plain Notify hears it.
func TestHangupByDefault(t *testing.T) {
	c := child(t, "events", "CHILD_COUNT=1")
	c.Send(ctrlc.Hangup)
	c.WaitFor("got hangup (SIGHUP) seq=1 exit=129")
	st := c.Wait()
	assert.True(t, st.Success(), "%v; output:\n%s", st, c.Output())
}

// A terminal that goes away (SIGHUP) stops a NotifyContext program with no
// options as a Ctrl-C does: it drains, then dies by SIGHUP through Exit.
// Before SIGHUP was a default kind the child died on the spot, by the same
// signal but without its drain.
func TestNotifyContextDrainsOnSIGHUPByDefault(t *testing.T) {
	c := child(t, "context")
	c.Send(ctrlc.Hangup)
	c.WaitFor("drained after hangup (SIGHUP)")
	st := c.Wait()
	assert.True(t, st.EndedBy(ctrlc.Hangup), "%v; output:\n%s", st, c.Output())
	assertKilledBy(t, c, unix.SIGHUP)
}

// Under nohup the SIGHUP that a default listener would take stays ignored:
// the child neither hears nor dies by it, and stops at the next SIGINT.
func TestNohupSIGHUPStaysIgnored(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, scenario := range []string{"context", "events"} {
		t.Run(scenario, func(t *testing.T) {
			self := ctrlctest.Self(scenario)
			self.Env = append(self.Env, "CHILD_COUNT=1")
			cmd := ignoring(self, "HUP")
			if nohup, err := exec.LookPath("nohup"); err == nil {
				cmd = exec.Command(nohup, self.Args...)
				cmd.Env = self.Env
			}
			c := startWithDefaults(t, cmd) // SIGINT at its default, SIGHUP ignored by nohup after that
			c.WaitFor("ready")
			c.Send(ctrlc.Hangup)
			time.Sleep(100 * time.Millisecond)
			c.Send(ctrlc.Interrupt)
			st := c.Wait()
			assert.Zero(t, c.Count("hangup"), c.Output())
			if scenario == "context" {
				assert.Equal(t, 1, c.Count("drained after interrupt (SIGINT)"), c.Output())
				assert.True(t, st.EndedBy(ctrlc.Interrupt), "%v; output:\n%s", st, c.Output())
			} else {
				assert.Equal(t, 1, c.Count("got interrupt (SIGINT) seq=1"), c.Output())
				assert.True(t, st.Success(), "%v; output:\n%s", st, c.Output())
			}
		})
	}
}
