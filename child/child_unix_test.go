//go:build unix

package child_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/child"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// waitGroup waits, a bounded time, until the process group pgid has at least
// min running processes (min > 0) or none (min == 0), and returns them.
func waitGroup(t *testing.T, pgid, min int) []int {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		g := group(t, pgid)
		if (min == 0 && len(g) == 0) || (min > 0 && len(g) >= min) {
			return g
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d: running %v after %v, want %s", pgid, g, waitTimeout,
				map[bool]string{true: "none", false: "more"}[min == 0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCancelKillsShellTree: a shell that ignores SIGTERM, with a background
// and a foreground child that inherit the ignore, is stopped with its whole
// process group WaitDelay after its context ends: no process of the group
// runs afterwards.
func TestCancelKillsShellTree(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := child.Command(ctx, "sh", "-c", `trap "" TERM; sleep 120 & sleep 120; echo not stopped`)
	cmd.WaitDelay = 300 * time.Millisecond
	require.NoError(t, child.Start(cmd))
	pgid := cmd.Process.Pid
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) }) // if the test fails
	running := waitGroup(t, pgid, 3)                               // sh and both sleeps
	t.Logf("group %d runs %v", pgid, running)
	cancel()
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, syscall.SIGKILL, ee.Sys().(syscall.WaitStatus).Signal(), "sh ignores SIGTERM: only SIGKILL stops it")
	waitGroup(t, pgid, 0)
}

// TestCallerSysProcAttrKept: the caller's SysProcAttr is kept (here Setsid,
// which also makes the child lead its own group, so setpgid is left out),
// and the caller's struct itself is not changed.
func TestCallerSysProcAttrKept(t *testing.T) {
	attr := &syscall.SysProcAttr{Setsid: true}
	cmd := self(context.Background(), "greet")
	cmd.SysProcAttr = attr
	var out []byte
	cmd.Stdout = (*sink)(&out)
	require.NoError(t, child.Start(cmd))
	pid := cmd.Process.Pid
	sid, err := unix.Getsid(pid)
	require.NoError(t, err)
	pgid, err := syscall.Getpgid(pid)
	require.NoError(t, err)
	require.NoError(t, cmd.Wait())
	assert.Equal(t, pid, sid, "the child leads a session of its own, as the caller asked")
	assert.Equal(t, pid, pgid, "the child leads a process group of its own")
	assert.True(t, cmd.SysProcAttr.Setsid)
	assert.Equal(t, syscall.SysProcAttr{Setsid: true}, *attr, "the caller's struct is unchanged")
	assert.Equal(t, "hello from a child program\n", string(out))
}

// TestPgidIsAnError: a Pgid, which would put the child in another process
// group, is an error that names it, and nothing starts.
func TestPgidIsAnError(t *testing.T) {
	cmd := self(context.Background(), "greet")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: 1}
	err := child.Start(cmd)
	assert.ErrorContains(t, err, "SysProcAttr.Pgid is 1")
	assert.Nil(t, cmd.Process)
}

// sink is an io.Writer that appends to a byte slice.
type sink []byte

func (s *sink) Write(p []byte) (int, error) { *s = append(*s, p...); return len(p), nil }

// TestSignalNeedsAGroup: Signal to a child that does not lead a process
// group (started by exec.Cmd's Start, in this program's group) is an error
// that says so, and the test's own group gets nothing.
func TestSignalNeedsAGroup(t *testing.T) {
	cmd := ctrlctest.Self("proc", "deaf", t.TempDir(), "c", "0")
	_, err := startAndRead(cmd, (*exec.Cmd).Start)
	require.NoError(t, err)
	watch(t, cmd.Process.Pid)
	err = child.Signal(cmd, syscall.SIGTERM)
	assert.ErrorContains(t, err, "no process group")
	assert.ErrorIs(t, err, syscall.ESRCH)
	require.NoError(t, cmd.Process.Kill())
	assert.Error(t, cmd.Wait())
}

func init() { scenarios["exitearly"] = childExitEarly }

// childExitEarly starts a shell with child.Start whose own child (a sleep)
// ignores SIGTERM, prints "ready" with both pids, and ends by ctrlc.Exit.
// Mode "running": at once, while the shell runs. Mode "cancelled": once the
// shell's context has ended and SIGTERM has ended the shell, but long before
// its forced stop is due, as after a hurried drain. Mode "code": cancelled,
// then child.KillAll and exit status 3, as a daemon ends.
func childExitEarly() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The sleep is started with SIGTERM ignored already (it inherits that),
	// not told to ignore it later: a SIGTERM that came first would end it.
	cmd := child.Command(ctx, "sh", "-c", `trap "" TERM; sleep 120 & trap - TERM; echo ready $$ $!; wait`)
	cmd.WaitDelay = lifetime // the forced stop would come after the test gave up
	line, err := startAndRead(cmd, child.Start)
	if err != nil {
		fmt.Println("start:", err)
		return 1
	}
	fmt.Println(line)
	if mode := scenarioArgs[0]; mode == "cancelled" || mode == "code" {
		cancel()
		if err := cmd.Wait(); !strings.Contains(result(err), "terminated") {
			fmt.Println("the shell did not end by SIGTERM:", result(err))
			return 1
		}
	}
	if scenarioArgs[0] == "code" {
		child.KillAll()
		return 3
	}
	ctrlc.Exit(ctrlc.Event{Kind: ctrlc.Interrupt})
	return 1
}

// TestExitKillsWhatTheChildStarted: a program that ends by ctrlc.Exit while
// a child runs, or after the child's context ended and before its grace
// (WaitDelay) is over, or that calls child.KillAll before it exits with a
// code, leaves nothing of the child's group running: the processes the
// child started, which the death signal does not reach, are killed too.
func TestExitKillsWhatTheChildStarted(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	for _, mode := range []string{"running", "cancelled", "code"} {
		t.Run(mode, func(t *testing.T) {
			p := ctrlctest.Start(t, ctrlctest.Self("exitearly", mode))
			procs := watchAll(t, pids(t, p.WaitFor("ready"))...)
			require.Len(t, procs, 2)
			st := p.Wait()
			if mode == "code" {
				require.Equal(t, 3, st.Code, "%v; output:\n%s", st, p.Output())
			} else {
				require.True(t, st.EndedBy(ctrlc.Interrupt), "%v; output:\n%s", st, p.Output())
			}
			waitGone(t, "the shell and its sleep, after ctrlc.Exit", procs...)
		})
	}
}
