//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -exec: each command runs a child program, here this test binary as the
// worker below, in a process group of its own (package child). The tests
// send SIGINT to the demo's whole process group, as a terminal does on
// Ctrl-C: it must reach the demo and not the children.

// The worker's environment: workerEnv names the directory where it records
// what it did, one file per command (started-ID holds its pid, then done-ID
// or term-ID); workEnv how long a command takes; treeEnv, when set, makes it
// start a grandchild (sleep) in its group; ignoreTermEnv makes it ignore
// SIGTERM, as a program stuck in a system call would seem to.
const (
	workerEnv     = "CTRLC_DEMO_TEST_WORKER"
	workEnv       = "CTRLC_DEMO_TEST_WORK"
	treeEnv       = "CTRLC_DEMO_TEST_TREE"
	ignoreTermEnv = "CTRLC_DEMO_TEST_IGNORE_TERM"
)

func init() { helpers[workerEnv] = worker }

// worker is the -exec program: it works on command args[0] for $workEnv,
// and records when it started and when it finished, or that it was asked to
// stop (SIGTERM), which ends it with status 1.
func worker(args []string) int {
	dir := os.Getenv(workerEnv)
	if len(args) != 1 {
		fmt.Fprintf(os.Stderr, "worker: want a command number, got %q\n", args)
		return 2
	}
	id := args[0]
	work, err := time.ParseDuration(os.Getenv(workEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	term := make(chan os.Signal, 1)
	if os.Getenv(ignoreTermEnv) != "" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(term, syscall.SIGTERM)
	}
	pids := strconv.Itoa(os.Getpid())
	var grand *exec.Cmd
	if os.Getenv(treeEnv) != "" {
		grand = exec.Command("sleep", "60") // in this worker's group
		if err := grand.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			return 2
		}
		pids += " " + strconv.Itoa(grand.Process.Pid)
	}
	record(dir, "started-"+id, pids)
	select {
	case <-time.After(work):
		if grand != nil {
			_ = grand.Process.Kill()
			_ = grand.Wait()
		}
		record(dir, "done-"+id, "")
		return 0
	case <-term:
		if grand != nil {
			_ = grand.Wait() // the SIGTERM to the group ended it too
		}
		record(dir, "term-"+id, "")
		return 1
	}
}

// record writes a file whole, under its final name only once written.
func record(dir, name, content string) {
	tmp := filepath.Join(dir, "."+name)
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(2)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(2)
	}
}

// records returns the command numbers the workers recorded as kind
// ("started", "done", "term"), in increasing order.
func records(t *testing.T, dir, kind string) []int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := []int{}
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), kind+"-"); ok {
			id, err := strconv.Atoi(n)
			require.NoError(t, err, "record %s", e.Name())
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// startedPids returns the pid of each worker that recorded its start (each
// leads a process group of its own), and of its grandchild if any.
func startedPids(t *testing.T, dir string) (workers, all []int) {
	t.Helper()
	for _, id := range records(t, dir, "started") {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("started-%d", id)))
		require.NoError(t, err)
		for i, f := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(f)
			require.NoError(t, err)
			if i == 0 {
				workers = append(workers, pid)
			}
			all = append(all, pid)
		}
	}
	return workers, all
}

// proc is a process of the system, as ps shows it.
type proc struct {
	pid, pgid int
	state     string // the first letter of ps's STAT: R, S, Z, ...
	args      string
}

// processes lists the processes of the system: from /proc on Linux, from
// ps elsewhere.
func processes(t *testing.T) []proc {
	t.Helper()
	var out []proc
	if runtime.GOOS == "linux" {
		dirs, err := filepath.Glob("/proc/[0-9]*/stat")
		require.NoError(t, err)
		for _, f := range dirs {
			data, err := os.ReadFile(f)
			if err != nil {
				continue // gone meanwhile
			}
			// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
			s := string(data)
			open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
			fields := strings.Fields(s[close+1:])
			if open < 0 || close < open || len(fields) < 3 {
				continue
			}
			var p proc
			p.pid, _ = strconv.Atoi(strings.TrimSpace(s[:open]))
			p.state, p.args = fields[0], s[open+1:close]
			p.pgid, _ = strconv.Atoi(fields[2])
			out = append(out, p)
		}
		return out
	}
	data, err := exec.Command("ps", "-A", "-o", "pid=,pgid=,stat=,args=").Output()
	require.NoError(t, err, "ps")
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		var p proc
		p.pid, _ = strconv.Atoi(f[0])
		p.pgid, _ = strconv.Atoi(f[1])
		p.state, p.args = f[2][:1], strings.Join(f[3:], " ")
		out = append(out, p)
	}
	return out
}

// leftAlive returns the processes still alive (zombies are not: they have
// exited, and only wait for a parent to reap them, which an orphan's new
// parent may never do in a container) among pids or in the groups pgids.
func leftAlive(t *testing.T, pids, pgids []int) []proc {
	t.Helper()
	var left []proc
	for _, p := range processes(t) {
		if p.state != "Z" && (slices.Contains(pids, p.pid) || slices.Contains(pgids, p.pgid)) {
			left = append(left, p)
		}
	}
	return left
}

// waitGone waits, up to limit, until none of pids is alive and no process
// is left in the groups pgids, and fails the test with those left.
func waitGone(t *testing.T, limit time.Duration, pids, pgids []int) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		left := leftAlive(t, pids, pgids)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after the demo ended, processes of its children are left: %+v", limit, left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startExec starts the demo with -exec this test binary as the worker,
// commands of work, and stdout to a file; it returns the demo, the stdout
// file and the workers' directory. When the test ends, whatever is left of
// the workers' groups is killed.
func startExec(t *testing.T, work time.Duration, env []string, args ...string) (c *ctrlctest.Process, stdout, dir string) {
	t.Helper()
	needDemo(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	dir = t.TempDir()
	env = append([]string{workerEnv + "=" + dir, workEnv + "=" + work.String()}, env...)
	c, stdout = startSplitEnv(t, env, append([]string{"-exec", exe, "-json"}, args...)...)
	t.Cleanup(func() {
		workers, _ := startedPids(t, dir)
		for _, pid := range workers {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	})
	pgid, err := syscall.Getpgid(c.Pid())
	require.NoError(t, err)
	require.Equal(t, c.Pid(), pgid, "the demo leads its process group, as a terminal's foreground job")
	return c, stdout, dir
}

// waitStarted waits until at least n workers recorded their start.
func waitStarted(t *testing.T, c *ctrlctest.Process, dir string, n int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for len(records(t, dir, "started")) < n {
		require.True(t, time.Now().Before(deadline), "fewer than %d workers started; output:\n%s", n, c.Output())
		time.Sleep(10 * time.Millisecond)
	}
}

// ctrlC sends SIGINT to the demo's process group, as a terminal does.
func ctrlC(t *testing.T, c *ctrlctest.Process) {
	t.Helper()
	if err := syscall.Kill(-c.Pid(), syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("SIGINT to the group %d: %v", c.Pid(), err)
	}
}

// TestExecCtrlC: Ctrl-C to the demo's process group reaches the demo and
// not its -exec children: every child running at the time finishes its
// command and records it, the drain runs the queued ones too, the report
// counts as completed exactly the commands the children recorded done, and
// no process of the children is left.
func TestExecCtrlC(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "left.jsonl")
	c, stdout, dir := startExec(t, time.Second, []string{treeEnv + "=1"}, "-workers", "4", "-rate", "8", "-unprocessed", file)
	assert.Contains(t, c.WaitFor("press Ctrl-C"), "4 workers, 8 commands/s, each runs ")
	waitStarted(t, c, dir, 4)
	time.Sleep(300 * time.Millisecond)
	running := records(t, dir, "started")
	ctrlC(t, c)
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	assertStory(t, c.Lines(), "interrupt (SIGINT)")

	s := readSummary(t, stdout)
	done := records(t, dir, "done")
	assert.Empty(t, records(t, dir, "term"), "no child was asked to stop")
	assert.Subset(t, done, running, "every child running at the Ctrl-C finished its command")
	var completed []int
	for id := 1; id <= s.Received; id++ {
		if !slices.Contains(s.NotDoneIDs, id) {
			completed = append(completed, id)
		}
	}
	assert.Equal(t, completed, done, "the commands recorded done are the completed ones")
	assert.Len(t, done, s.Completed)
	assert.Equal(t, s.Received, s.Completed, "the drain ran every command; output:\n%s", c.Output())
	assert.Empty(t, s.Errors)
	assertSaved(t, s, file)
	workers, all := startedPids(t, dir)
	waitGone(t, 2*time.Second, all, append(workers, c.Pid()))
}

// TestExecHurry: a second Ctrl-C to the group hurries the drain: each child
// still running gets the polite signal (SIGTERM to its group, which it
// records before it exits) and is reported interrupted; none finishes
// after it; and no process of the tree, grandchildren included, is left.
// (The kill that package child arms for 5 s after the polite signal does
// not come into play: these children stop when asked.)
func TestExecHurry(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "left.jsonl")
	c, stdout, dir := startExec(t, 3*time.Second, []string{treeEnv + "=1"}, "-workers", "4", "-rate", "8", "-unprocessed", file)
	waitStarted(t, c, dir, 4)
	ctrlC(t, c)
	c.WaitFor("received interrupt (SIGINT), shutting down…")
	time.Sleep(200 * time.Millisecond)
	ctrlC(t, c)
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	assertStory(t, c.Lines(), "interrupt (SIGINT)")
	assert.Equal(t, 1, c.Count("ctrlc: interrupt (SIGINT) again: hurrying the shutdown"), c.Output())

	s := readSummary(t, stdout)
	assert.Positive(t, s.Interrupted, "children were running at the hurry")
	assert.Zero(t, s.Abandoned, "every child stopped when asked")
	require.Len(t, s.NotDoneIDs, s.Queued+s.Interrupted+s.Abandoned)
	interrupted := s.NotDoneIDs[s.Queued : s.Queued+s.Interrupted] // queued, interrupted, abandoned
	started, done, term := records(t, dir, "started"), records(t, dir, "done"), records(t, dir, "term")
	assert.NotEmpty(t, term, "the running children got the polite signal")
	assert.Subset(t, interrupted, term, "each child asked to stop is reported interrupted")
	for _, id := range interrupted {
		// A child that got SIGTERM before it could catch it (as it started)
		// died of it, and recorded nothing.
		if slices.Contains(started, id) {
			assert.Contains(t, term, id, "command %d, interrupted, started: its child recorded the polite signal", id)
		}
		assert.NotContains(t, done, id, "command %d, interrupted, finished anyway", id)
	}
	assert.Len(t, done, s.Completed, "the commands recorded done are the completed ones")
	assert.Equal(t, s.Received, s.Completed+len(s.NotDoneIDs))
	assertSaved(t, s, file)
	workers, all := startedPids(t, dir)
	waitGone(t, 2*time.Second, all, append(workers, c.Pid()))
}

// TestExecHurryLeavesNoOrphans: children that ignore the polite signal,
// each with a grandchild that does too, are abandoned by the hurried drain
// (its bound, about a second, is shorter than their 5 s grace): the demo
// reports and saves them, and no process of the tree is left running.
// After two Ctrl-Cs it ends by SIGINT, and ctrlc.Exit kills their groups;
// after two SIGTERMs, as a supervisor or kill(1) sends them, it exits with
// a code (1: the shutdown gave up on commands), and child.KillAll does.
func TestExecHurryLeavesNoOrphans(t *testing.T) {
	for _, tc := range []struct {
		event string
		send  func(*testing.T, *ctrlctest.Process)
		ended func(*testing.T, *ctrlctest.Process)
	}{
		{"interrupt (SIGINT)", ctrlC, func(t *testing.T, c *ctrlctest.Process) { wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT) }},
		{"terminate (SIGTERM)",
			func(t *testing.T, c *ctrlctest.Process) { require.NoError(t, c.Cmd.Process.Signal(syscall.SIGTERM)) },
			func(t *testing.T, c *ctrlctest.Process) { wantExit(t, c, 1) }},
	} {
		t.Run(tc.event, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "left.jsonl")
			c, stdout, dir := startExec(t, time.Minute, []string{ignoreTermEnv + "=1", treeEnv + "=1"}, "-workers", "2", "-rate", "20", "-unprocessed", file)
			waitStarted(t, c, dir, 2)
			tc.send(t, c)
			c.WaitFor("received " + tc.event + ", shutting down…")
			time.Sleep(100 * time.Millisecond)
			tc.send(t, c)
			tc.ended(t, c)
			s := readSummary(t, stdout)
			assert.Positive(t, s.Abandoned, "children that ignore SIGTERM are abandoned; output:\n%s", c.Output())
			assert.Empty(t, records(t, dir, "done"))
			assertSaved(t, s, file)
			workers, all := startedPids(t, dir)
			require.Len(t, all, 2*len(workers), "each worker started a grandchild")
			waitGone(t, 2*time.Second, all, workers)
		})
	}
}

// TestExecThirdInterrupt: when the hurried drain waits for children that
// ignore the polite signal, a third Ctrl-C ends the demo at once, by
// SIGINT, without the report; the children die with it, and so do the
// processes they started (ctrlc.Exit kills their groups).
func TestExecThirdInterrupt(t *testing.T) { // not in parallel: its bound is a timing
	c, _, dir := startExec(t, time.Minute, []string{ignoreTermEnv + "=1", treeEnv + "=1"}, "-workers", "2", "-rate", "20")
	waitStarted(t, c, dir, 2)
	ctrlC(t, c)
	c.WaitFor("received interrupt (SIGINT), shutting down…")
	time.Sleep(100 * time.Millisecond)
	ctrlC(t, c)
	c.WaitFor("ctrlc: interrupt (SIGINT) again: hurrying the shutdown")
	time.Sleep(100 * time.Millisecond)
	third := time.Now()
	ctrlC(t, c)
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	took := time.Since(third)
	assert.Less(t, took, time.Second, "the third Ctrl-C ends the demo at once; output:\n%s", c.Output())
	assert.Equal(t, 1, c.Count("ctrlc: interrupt (SIGINT) is event 3 during the shutdown: exiting now"), c.Output())
	assert.Zero(t, c.Count("Good bye!"), "no report after the third event")
	workers, all := startedPids(t, dir)
	waitGone(t, time.Second, all, workers)
}

// TestExecDemoKilled: on Linux, a demo killed by SIGKILL mid-work takes its
// children with it (Pdeathsig): none is left a second later.
func TestExecDemoKilled(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("the death signal is tested on Linux; %s has none (FreeBSD has one, not tested here)", runtime.GOOS)
	} // not in parallel: its bound is a timing
	c, _, dir := startExec(t, time.Minute, nil, "-workers", "3", "-rate", "20")
	waitStarted(t, c, dir, 3)
	require.NoError(t, c.Cmd.Process.Kill())
	st := c.Wait()
	require.Equal(t, os.Signal(syscall.SIGKILL), st.Signal, "%v", st)
	workers, _ := startedPids(t, dir)
	require.GreaterOrEqual(t, len(workers), 3)
	waitGone(t, time.Second, workers, workers)
	assert.Empty(t, records(t, dir, "done"))
}
