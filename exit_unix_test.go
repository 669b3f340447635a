//go:build unix

package ctrlc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
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
	childScenarios["exit"] = childExit
	childScenarios["last-word"] = childLastWord
}

// childExit calls Exit with the kind in CHILD_KIND (a number), after
// listening to it when CHILD_LISTEN is set.
func childExit() int {
	n, _ := strconv.Atoi(os.Getenv("CHILD_KIND"))
	k := Kind(n)
	if os.Getenv("CHILD_LISTEN") != "" {
		l, err := Notify(WithKinds(k), WithoutForceExit())
		if err != nil {
			fmt.Println(err)
			return 3
		}
		defer l.Stop()
	}
	if os.Getenv("CHILD_PRINT_PID") != "" {
		fmt.Println("pid", os.Getpid())
	}
	fmt.Println("exiting")
	Exit(Event{Kind: k})
	fmt.Println("Exit returned")
	return 4
}

func runExit(t *testing.T, k Kind, env ...string) *proctest.Child {
	t.Helper()
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cmd := proctest.Self("exit")
	cmd.Env = append(cmd.Env, append(env, "CHILD_KIND="+strconv.Itoa(int(k)))...)
	c := startWithDefaults(t, cmd)
	c.WaitFor("exiting")
	return c
}

func TestExitDiesByTheSignal(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		sig  unix.Signal
	}{{Interrupt, unix.SIGINT}, {Terminate, unix.SIGTERM}, {Hangup, unix.SIGHUP}} {
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
	for k, want := range map[Kind]int{Quit: 131, Break: 130, Close: 143, Logoff: 143, Shutdown: 143, 0: 1, 99: 1} {
		t.Run(k.String(), func(t *testing.T) {
			c := runExit(t, k, "CHILD_LISTEN=")
			code, _ := c.Wait()
			assert.Equal(t, want, code, c.Output())
			assert.False(t, c.Cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled(), c.Output())
		})
	}
}

// A SIGINT ignored at start stays ignored even for Exit: it falls back to
// the exit code.
func TestExitWithIgnoredSIGINTFallsBackToCode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	cmd := ignoringSIGINT(proctest.Self("exit"))
	cmd.Env = append(cmd.Env, "CHILD_KIND="+strconv.Itoa(int(Interrupt)))
	c := proctest.Start(t, cmd)
	code, _ := c.Wait()
	assert.Equal(t, 130, code, c.Output())
	assert.NotContains(t, c.Output(), "Exit returned")
}

// ignoringSIGINT runs cmd from a shell that ignores SIGINT first, as
// "cmd &" in a non-interactive shell does.
func ignoringSIGINT(cmd *exec.Cmd) *exec.Cmd {
	sh := exec.Command("/bin/sh", append([]string{"-c", `trap "" INT; exec "$0" "$@"`}, cmd.Args...)...)
	sh.Env = cmd.Env
	return sh
}

// childLastWord drains slowly; its last word, on a forced exit, writes what
// it still holds to CHILD_FILE.
func childLastWord() int {
	file := os.Getenv("CHILD_FILE")
	timeout, _ := time.ParseDuration(os.Getenv("CHILD_TIMEOUT"))
	l, err := Notify(WithLastWord(timeout, func(ctx context.Context, e Event) {
		fmt.Printf("last word on %v seq=%d\n", e, e.Seq)
		if os.Getenv("CHILD_STUCK") != "" {
			select {} // ignores ctx: only the timeout or another event ends it
		}
		if err := os.WriteFile(file, []byte("item 7\nitem 8\n"), 0o600); err != nil {
			fmt.Println(err)
		}
		fmt.Println("saved")
	}))
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	fmt.Println("ready")
	e := <-l.C()
	fmt.Printf("shutting down after %v\n", e)
	time.Sleep(30 * time.Second)
	fmt.Println("clean exit")
	return 0
}

// The last word runs between the second Ctrl-C and the exit, which is
// still by SIGINT.
func TestLastWordThenDeathBySIGINT(t *testing.T) {
	file := t.TempDir() + "/pending.txt"
	c := child(t, "last-word", "CHILD_FILE="+file)
	c.Interrupt()
	c.WaitFor("shutting down after interrupt (SIGINT)")
	time.Sleep(300 * time.Millisecond)
	c.Interrupt()
	assertKilledBy(t, c, unix.SIGINT)
	assert.True(t, c.Order("shutting down", "is event 2 during shutdown", "last word on interrupt (SIGINT) seq=2", "saved"), c.Output())
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "item 7\nitem 8\n", string(b))
}

// A last word that never returns is cut short by its timeout; the exit is
// still by SIGINT.
func TestStuckLastWordEndsAtTimeout(t *testing.T) {
	c := child(t, "last-word", "CHILD_FILE="+t.TempDir()+"/x", "CHILD_STUCK=1", "CHILD_TIMEOUT=300ms")
	c.Interrupt()
	c.WaitFor("shutting down")
	time.Sleep(300 * time.Millisecond)
	c.Interrupt()
	c.WaitFor("last word on")
	assertKilledBy(t, c, unix.SIGINT)
	assert.True(t, c.Order("last word on", "ctrlc: the last word did not return within 300ms: exiting anyway"), c.Output())
}

// A third Ctrl-C during the last word ends the process at once.
func TestThirdSIGINTDuringLastWordExitsAtOnce(t *testing.T) {
	c := child(t, "last-word", "CHILD_FILE="+t.TempDir()+"/x", "CHILD_STUCK=1", "CHILD_TIMEOUT=1h")
	c.Interrupt()
	c.WaitFor("shutting down")
	time.Sleep(300 * time.Millisecond)
	c.Interrupt()
	c.WaitFor("last word on")
	time.Sleep(300 * time.Millisecond)
	c.Interrupt()
	assertKilledBy(t, c, unix.SIGINT)
	assert.Contains(t, c.Output(), "ctrlc: interrupt (SIGINT) is event 3 during the last word: exiting with code 130 now")
}

func init() { childScenarios["tool"] = childTool }

// childTool is a command-line tool: on Ctrl-C it drains cleanly and then
// exits with Exit, or with os.Exit(e.ExitCode()) when CHILD_PLAIN_EXIT is
// set.
func childTool() int {
	l, err := Notify()
	if err != nil {
		fmt.Println(err)
		return 3
	}
	fmt.Println("ready")
	e := <-l.C()
	fmt.Println("drained after", e)
	l.Stop()
	if os.Getenv("CHILD_PLAIN_EXIT") != "" {
		return e.ExitCode()
	}
	Exit(e)
	return 4
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
			self := proctest.Self("tool")
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
			require.Eventually(t, func() bool { return c.Count("ready") == 2 }, proctest.Timeout, time.Millisecond)
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
	for k, want := range map[Kind]int{Interrupt: 130, Terminate: 143} {
		t.Run(k.String(), func(t *testing.T) {
			self := proctest.Self("exit")
			cmd := exec.Command(unshare, append([]string{"--fork", "--pid", "--kill-child"}, self.Args...)...)
			cmd.Env = append(self.Env, "CHILD_KIND="+strconv.Itoa(int(k)), "CHILD_LISTEN=1", "CHILD_PRINT_PID=1")
			c := startWithDefaults(t, cmd)
			c.WaitFor("pid 1")
			code, _ := c.Wait()
			assert.Equal(t, want, code, c.Output())
		})
	}
}
