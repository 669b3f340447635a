//go:build unix || windows

package child_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/child"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/internal/testkit"
	"github.com/ctrlc-go/ctrlc/internal/wine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunReturnsExitStatus: a child program runs, its output comes back,
// and Run returns its exit status.
func TestRunReturnsExitStatus(t *testing.T) {
	needProcesses(t)
	var out strings.Builder
	cmd := self(context.Background(), "greet")
	cmd.Stdout = &out
	require.NoError(t, child.Run(cmd))
	assert.Equal(t, "hello from a child program\n", out.String())

	fail := self(context.Background(), "no-such-scenario")
	var ee *exec.ExitError
	require.ErrorAs(t, child.Run(fail), &ee)
	assert.Equal(t, 3, ee.ExitCode(), "ctrlctest.RunChild's exit code for an unknown scenario")
}

// TestBadInputIsNamedError: every misuse is an error that names it, never a
// panic, and starts nothing.
func TestBadInputIsNamedError(t *testing.T) {
	needProcesses(t)
	for name, err := range map[string]error{
		"Start":  child.Start(nil),
		"Run":    child.Run(nil),
		"Signal": child.Signal(nil, os.Kill),
	} {
		assert.EqualError(t, err, "child."+name+": nil *exec.Cmd")
	}

	notStarted := self(context.Background(), "greet")
	assert.ErrorContains(t, child.Signal(notStarted, os.Kill), "child.Signal: "+notStarted.Path+" not started")

	missing := child.Command(context.Background(), filepath.Join(testkit.TempDir(t), "no-such-program"))
	err := child.Start(missing)
	assert.ErrorContains(t, err, "no-such-program", "a program that cannot start")
	assert.Nil(t, missing.Process)

	// Started with exec.Cmd's own Start: child.Start refuses it and leaves
	// it as it is.
	running := self(context.Background(), "proc", "deaf", os.TempDir(), "running", "0")
	_, err = startAndRead(running, (*exec.Cmd).Start)
	require.NoError(t, err)
	watch(t, running.Process.Pid)
	err = child.Start(running)
	assert.ErrorContains(t, err, "already started")
	assert.ErrorContains(t, err, running.Path)
	assert.ErrorContains(t, child.Run(running), "already started")
	assert.ErrorContains(t, child.Signal(running, nil), "child.Signal: nil signal for "+running.Path)
	require.NoError(t, running.Process.Kill())
	assert.Error(t, running.Wait())

	// Once Wait has reaped the child, its group id is no longer its own.
	done := self(context.Background(), "greet")
	require.NoError(t, child.Run(done))
	assert.ErrorIs(t, child.Signal(done, os.Kill), os.ErrProcessDone)
}

// TestCancelAsksTheGroupToStop: when the item's context is cancelled, the
// child and its own child (in the child's group) both get the polite request
// (SIGTERM; CTRL_BREAK_EVENT, seen as os.Interrupt, on Windows), stop, and
// Wait reports the cancellation.
func TestCancelAsksTheGroupToStop(t *testing.T) {
	needProcesses(t)
	want := "terminated"
	if runtime.GOOS == "windows" {
		want = "interrupt"
	}
	testPoliteStop(t, nil, want)
}

// TestCancelWithCallersSignal: a Cancel of the caller's that sends another
// signal with child.Signal reaches the whole group the same way.
func TestCancelWithCallersSignal(t *testing.T) {
	needProcesses(t)
	testPoliteStop(t, func(cmd *exec.Cmd) func() error {
		return func() error { return child.Signal(cmd, os.Interrupt) }
	}, "interrupt")
}

func testPoliteStop(t *testing.T, cancelFunc func(*exec.Cmd) func() error, want string) {
	dir := testkit.TempDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := self(ctx, "proc", "polite", dir, "c", "1")
	cmd.WaitDelay = waitTimeout // the polite request alone must do
	if cancelFunc != nil {
		cmd.Cancel = cancelFunc(cmd)
	}
	line, err := startAndRead(cmd, child.Start)
	require.NoError(t, err)
	tree := watchAll(t, pids(t, line)...)
	if underWine() {
		// Probe the console once: Wine refuses the request that Cancel makes.
		if err := child.Signal(cmd, os.Interrupt); err != nil {
			if cancelFunc != nil {
				// The caller's Cancel fails the same way, and has no fallback:
				// the forced stop would come after the grace.
				require.NoError(t, child.Signal(cmd, os.Kill))
			}
			cancel()
			_ = cmd.Wait()
			waitGone(t, "the tree, after Command's Cancel fell back to terminating the job", tree...)
			t.Skipf("Wine: %v; Command's Cancel then terminates the job at once (the tree is gone); TestCancelKillsTheTree covers that path, real Windows this one", err)
		}
	}
	cancel()
	err = cmd.Wait()
	require.ErrorIs(t, err, context.Canceled, "a child that exits 0 after Cancel: Wait reports the context's error")
	for _, name := range []string{"c", "c.g"} {
		b, err := os.ReadFile(filepath.Join(dir, name+".stopped"))
		if assert.NoError(t, err, "%s did not record a stop signal", name) {
			assert.Equal(t, want, string(b), "the signal %s got", name)
		}
	}
	waitGone(t, "the tree after the polite stop", tree...)
}

// TestCancelKillsTheTree: a child and grandchild that take the polite
// request and ignore it are killed, both, cmd.WaitDelay after the context
// ends. os/exec's WaitDelay alone kills only the child: the grandchild
// would live on.
func TestCancelKillsTheTree(t *testing.T) {
	needProcesses(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := self(ctx, "proc", "deaf", os.TempDir(), "c", "1")
	cmd.WaitDelay = 300 * time.Millisecond
	line, err := startAndRead(cmd, child.Start)
	require.NoError(t, err)
	tree := watchAll(t, pids(t, line)...)
	require.Len(t, tree, 2)
	cancel()
	err = cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "the child was killed")
	waitGone(t, "the child and grandchild after the grace", tree...)
}

// TestKillAllKillsTheTrees: KillAll kills a running child, whose context
// never ended, with the process it started, and a child whose context
// ended but whose grace is not over, with its own, at once; a child that
// has exited by itself is no obstacle.
func TestKillAllKillsTheTrees(t *testing.T) {
	needProcesses(t)
	running := self(context.Background(), "proc", "deaf", os.TempDir(), "r", "1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopping := self(ctx, "proc", "deaf", os.TempDir(), "s", "1")
	// A request to stop that asks nothing (Command's would terminate the
	// job at once where the console refuses CTRL_BREAK_EVENT, as under
	// Wine), and a forced stop that comes after the test gave up.
	stopping.Cancel = func() error { return nil }
	stopping.WaitDelay = 2 * waitTimeout
	var tree []*proc
	for _, cmd := range []*exec.Cmd{running, stopping} {
		line, err := startAndRead(cmd, child.Start)
		require.NoError(t, err)
		tree = append(tree, watchAll(t, pids(t, line)...)...)
	}
	require.Len(t, tree, 4)
	cancel() // stopping's grace begins
	time.Sleep(100 * time.Millisecond)
	for _, p := range tree {
		require.True(t, p.alive(), "process %d runs before KillAll", p.pid)
	}
	done := self(context.Background(), "greet")
	require.NoError(t, child.Run(done))

	child.KillAll()
	waitGone(t, "both children and what they started, after KillAll", tree...)
	var ee *exec.ExitError
	require.ErrorAs(t, running.Wait(), &ee, "the running child was killed")
	require.ErrorAs(t, stopping.Wait(), &ee, "the stopping child was killed")
}

// TestCtrlCSparesChildren: a Ctrl-C typed at the terminal (SIGINT to the
// foreground process group; on Windows CTRL_C_EVENT to every process on the
// console) reaches the parent program, and not its children started with
// child.Start: each finishes its item after the Ctrl-C, while the parent
// drains, and records it. The control child, started with exec.Cmd's own
// Start, dies of the Ctrl-C, as every child did before.
func TestCtrlCSparesChildren(t *testing.T) {
	dir := testkit.TempDir(t)
	const n = 3
	p := ctrlctest.Start(t, ctrlctest.Self("parent", dir, "3"))
	children := pids(t, p.WaitFor("ready"))
	require.Len(t, children, n+1)
	watchAll(t, children...)
	typeCtrlC(t, p, children)
	// The workers wait for this file, so that each is mid-item when the
	// Ctrl-C comes.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sent"), nil, 0o600))
	st := p.Wait()
	require.True(t, st.Success(), "parent: %v; output:\n%s", st, p.Output())
	require.True(t, p.Order("interrupted: draining", "w0: ok", "w1: ok", "w2: ok", "control: "), "output:\n%s", p.Output())
	for _, w := range []string{"w0", "w1", "w2"} {
		assert.FileExists(t, filepath.Join(dir, w+".done"), "%s finished its item", w)
	}
	assert.NoFileExists(t, filepath.Join(dir, "control.done"), "the control child survived the Ctrl-C: the test sent none")
	control := p.Lines()[len(p.Lines())-1]
	t.Log(control)
	if !underWine() {
		assert.NotEqual(t, "control: ok", control, "the control died of the Ctrl-C")
	} // Wine's default console handler ends the process with exit code 0
}

// underWine reports whether the test runs under Wine.
func underWine() bool {
	_, ok := wine.Version()
	return ok
}
