//go:build unix

package ctrlc_test

import (
	"fmt"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The parent side of Exit's tests: real signals to the child scenarios of
// exit_unix_test.go.

func runExit(t *testing.T, k ctrlc.Kind, env ...string) *ctrlctest.Process {
	t.Helper()
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cmd := ctrlctest.Self("exit")
	cmd.Env = append(cmd.Env, append(env, "CHILD_KIND="+strconv.Itoa(int(k)))...)
	c := startWithDefaults(t, cmd)
	c.WaitFor("exiting")
	return c
}

func TestExitDiesByTheSignal(t *testing.T) {
	for _, tc := range []struct {
		kind ctrlc.Kind
		sig  unix.Signal
	}{{ctrlc.Interrupt, unix.SIGINT}, {ctrlc.Terminate, unix.SIGTERM}, {ctrlc.Hangup, unix.SIGHUP}} {
		for _, listen := range []string{"", "1"} {
			t.Run(fmt.Sprintf("%v/listening=%v", tc.kind, listen != ""), func(t *testing.T) {
				c := runExit(t, tc.kind, "CHILD_LISTEN="+listen)
				assertKilledBy(t, c, tc.sig)
				assert.NotContains(t, c.Output(), "Exit returned")
			})
		}
	}
}

// Kinds with no signal of their own on Unix, and Quit (a goroutine dump in
// Go), exit with the event's code.
func TestExitWithCodeWhereNoSignalFits(t *testing.T) {
	for k, want := range map[ctrlc.Kind]int{ctrlc.Quit: 131, ctrlc.Break: 130, ctrlc.Close: 143, ctrlc.Logoff: 143, ctrlc.Shutdown: 143, 0: 0, 99: 1} {
		t.Run(k.String(), func(t *testing.T) {
			c := runExit(t, k, "CHILD_LISTEN=")
			st := c.Wait()
			assert.Equal(t, want, st.Code, c.Output())
			assert.Nil(t, st.Signal, c.Output()) // exited, not killed by a signal
			if k >= ctrlc.Interrupt && k <= ctrlc.Shutdown {
				assert.True(t, st.EndedBy(k), "%v", st)
			}
		})
	}
}

// A SIGINT ignored at start stays ignored even for Exit: it falls back to
// the exit code.
func TestExitWithIgnoredSIGINTFallsBackToCode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	self := ctrlctest.Self("exit")
	self.Env = append(self.Env, "CHILD_KIND="+strconv.Itoa(int(ctrlc.Interrupt)))
	c := ctrlctest.Start(t, ignoring(self, "INT"))
	st := c.Wait()
	assert.Equal(t, 130, st.Code, c.Output())
	assert.Nil(t, st.Signal, c.Output())
	assert.NotContains(t, c.Output(), "Exit returned")
}

// Exit holds the registry: a listener made meanwhile, on another goroutine,
// cannot catch the signal Exit raises. Each of 30 children makes and stops
// SIGINT listeners on one goroutine while it calls Exit(Interrupt) on
// another; every one must die by SIGINT, none exit with the fallback 130.
// (Before the lock, 14 to 25 of 30 fell back.)
func TestExitWhileAListenerIsMadeDiesBySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const children = 30
	var fell []string
	for i := 0; i < children; i++ {
		c := startWithDefaults(t, ctrlctest.Self("exit-race"))
		st := c.Wait()
		if st.Signal != unix.SIGINT {
			fell = append(fell, fmt.Sprintf("child %d: %v; output: %q", i, st, c.Output()))
		}
	}
	assert.Empty(t, fell, "%d of %d children did not die by SIGINT", len(fell), children)
}

// A shell loop around a tool stops at the first Ctrl-C when the tool ends
// with Exit: bash, which got the SIGINT too, sees its child die by it and
// stops. A tool that exits 130 instead looks to bash as if it handled the
// interrupt on purpose, and the loop goes on (the control).
func TestShellLoopStopsAtFirstCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	for _, plain := range []bool{false, true} {
		t.Run(fmt.Sprintf("plain-exit=%v", plain), func(t *testing.T) {
			self := ctrlctest.Self("tool")
			if plain {
				self.Env = append(self.Env, "CHILD_PLAIN_EXIT=1")
			}
			loop := `for i in 1 2; do "$0" -test.run='^$'; echo "next $i"; done; echo "loop done"`
			cmd := exec.Command(bash, "-c", loop, self.Path)
			cmd.Env = self.Env
			c := startWithDefaults(t, cmd)
			// Ctrl-C in a terminal reaches the whole foreground process
			// group: the shell and the tool it waits for.
			pgid := cmd.Process.Pid
			c.WaitFor("ready")
			require.NoError(t, unix.Kill(-pgid, unix.SIGINT))
			c.WaitFor("drained after interrupt (SIGINT)")
			if !plain {
				assertKilledBy(t, c, unix.SIGINT) // bash itself
				assert.Zero(t, c.Count("next 1"), c.Output())
				return
			}
			c.WaitFor("next 1") // the loop went on to the next file
			require.Eventually(t, func() bool { return c.Count("ready") == 2 }, 30*time.Second, time.Millisecond)
			require.NoError(t, unix.Kill(-pgid, unix.SIGINT))
			c.WaitFor("loop done")
		})
	}
}

// As PID 1 (a container's init), a signal with its default action cannot
// kill the process: Exit exits with the event's code instead, not with the
// status 2 of Go's runtime when a signal it raised did not kill.
func TestExitAsPID1(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare(1) to start a child as PID 1")
	}
	if out, err := exec.Command(unshare, "--fork", "--pid", "true").CombinedOutput(); err != nil {
		t.Skipf("cannot make a PID namespace here: %v %s", err, out)
	}
	for k, want := range map[ctrlc.Kind]int{ctrlc.Interrupt: 130, ctrlc.Terminate: 143} {
		t.Run(k.String(), func(t *testing.T) {
			self := ctrlctest.Self("exit")
			cmd := exec.Command(unshare, append([]string{"--fork", "--pid", "--kill-child"}, self.Args...)...)
			cmd.Env = append(self.Env, "CHILD_KIND="+strconv.Itoa(int(k)), "CHILD_LISTEN=1", "CHILD_PRINT_PID=1")
			c := startWithDefaults(t, cmd)
			c.WaitFor("pid 1")
			st := c.Wait()
			assert.Equal(t, want, st.Code, c.Output())
			assert.True(t, st.EndedBy(k), "%v", st)
		})
	}
}
