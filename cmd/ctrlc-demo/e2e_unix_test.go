//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Real signals to the demo: each test starts it, waits for the ready line,
// lets commands flow for a moment, sends SIGINT or SIGTERM with kill(2), and
// checks what the demo printed and how it exited.

// startSplit starts the demo with its standard output sent to a file of its
// own, so that the test sees what a script piping it would: the child's
// lines are its standard error only. The shell execs the demo, which keeps
// the process (and the pid the signals go to).
func startSplit(t *testing.T, args ...string) (c *ctrlctest.Process, stdoutFile string) {
	t.Helper()
	needDemo(t)
	stdoutFile = filepath.Join(t.TempDir(), "stdout")
	cmd := exec.Command("/bin/sh", append([]string{"-c", `exec "$0" "$@" >"$DEMO_STDOUT"`, demoPath}, args...)...)
	cmd.Env = append(os.Environ(), "DEMO_STDOUT="+stdoutFile)
	c = ctrlctest.Start(t, cmd)
	c.WaitFor("press Ctrl-C to stop")
	return c, stdoutFile
}

// wantExit waits for the child and checks its exit code.
func wantExit(t *testing.T, c *ctrlctest.Process, want int) {
	t.Helper()
	code, err := c.Wait()
	require.Equal(t, want, code, "exit code (%v); output:\n%s", err, c.Output())
}

// wantSignal waits for the child and checks that the signal sig ended it:
// the wait status a shell reads (WIFSIGNALED), not an exit code of 128+n.
func wantSignal(t *testing.T, c *ctrlctest.Process, sig syscall.Signal) {
	t.Helper()
	st := c.Status()
	require.Equal(t, os.Signal(sig), st.Signal, "want the demo killed by %v; it ended with %v; output:\n%s", sig, st, c.Output())
}

// assertStory checks that the lines of the story came once each, in order,
// with "Good bye!" last, and that progress lines came only where they belong.
func assertStory(t *testing.T, c *ctrlctest.Process, event string, workers int) {
	t.Helper()
	lines := c.Lines()
	story := []string{
		"ctrlc-demo (pid ",
		"received " + event + ", shutting down…",
		"Worker loop done.",
		fmt.Sprintf("dropped worker pool (%s joined)", count(workers, "worker")),
		"report: ",
		"Good bye!",
	}
	last, prev := -1, "the start"
	for _, want := range story {
		i := lineIndex(lines, want)
		if !assert.Greater(t, i, last, "%q comes after %q; output:\n%s", want, prev, c.Output()) {
			return
		}
		assert.Equal(t, 1, c.Count(want), "%q printed once", want)
		last, prev = i, want
	}
	assert.Equal(t, "Good bye!", lines[len(lines)-1], "the last line")
	received, dropped := lineIndex(lines, "received "), lineIndex(lines, "dropped worker pool")
	for i, l := range lines {
		if strings.HasPrefix(l, "running ") {
			assert.Less(t, i, received, "a running line after the event: %q", l)
		}
		if strings.HasPrefix(l, "draining ") {
			assert.True(t, received < i && i < dropped, "a draining line outside the drain: %q", l)
		}
	}
}

var reportLine = regexp.MustCompile(`^report: (\d+) commands? received: (\d+) completed, (\d+) failed, (\d+) panicked, (\d+) unprocessed, (\d+) interrupted, (\d+) abandoned$`)

// humanReport parses the report line: received, completed, failed,
// panicked, unprocessed, interrupted, abandoned.
func humanReport(t *testing.T, c *ctrlctest.Process) (n [7]int) {
	t.Helper()
	line := c.WaitFor("report: ")
	m := reportLine.FindStringSubmatch(line)
	require.NotNil(t, m, "report line %q", line)
	for i := range n {
		fmt.Sscan(m[i+1], &n[i])
	}
	return n
}

// readSummary reads the JSON report, which must be all the demo wrote to
// its standard output, and checks that its counts balance.
func readSummary(t *testing.T, file string) *summary {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(data), "\n"), "one line of JSON on stdout, nothing else:\n%s", data)
	var s summary
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&s), "stdout:\n%s", data)
	// The README's equation, balanceEquation, with the numbers.
	assert.Equal(t, s.Received, s.Completed+s.Failed+s.Panicked+s.Unprocessed+s.Interrupted+s.Abandoned, "counts balance: %+v", s)
	assert.Equal(t, fmt.Sprintf("%d = %d + %d + %d + %d + %d + %d",
		s.Received, s.Completed, s.Failed, s.Panicked, s.Unprocessed, s.Interrupted, s.Abandoned), s.Balance)
	assert.True(t, s.Balanced)
	assert.Equal(t, s.Received, s.Submitted+s.Held, "every command received reached the pool or was held")
	assert.LessOrEqual(t, s.Held, 1, "only the command in the loop's hand can be held")
	assert.Len(t, s.NotDoneIDs, s.Unprocessed+s.Interrupted+s.Abandoned)
	var names []string
	for _, st := range s.Stages {
		names = append(names, st.Name)
		assert.GreaterOrEqual(t, st.Seconds, 0.0)
	}
	assert.Equal(t, []string{"run", "announce", "intake", "queue", "in-flight", "hooks"}, names)
	return &s
}

// readUnprocessed reads an -unprocessed file.
func readUnprocessed(t *testing.T, file string) []Command {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var cmds []Command
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var cmd Command
		require.NoError(t, json.Unmarshal(sc.Bytes(), &cmd), "line %q", sc.Text())
		require.Positive(t, cmd.ID)
		require.NotEmpty(t, cmd.Name)
		require.NotEmpty(t, cmd.Channel)
		require.False(t, cmd.At.IsZero())
		cmds = append(cmds, cmd)
	}
	require.NoError(t, sc.Err())
	return cmds
}

// TestInterrupt runs the demo as `go run ./cmd/ctrlc-demo` does, with no
// flags, and presses Ctrl-C: it drains, says good bye, and then ends by
// SIGINT, as a command-line tool should.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	c := startDemo(t)
	time.Sleep(300 * time.Millisecond) // a few commands at the default 10/s
	c.Interrupt()
	wantSignal(t, c, syscall.SIGINT)
	assertStory(t, c, "interrupt (SIGINT)", 8)
	n := humanReport(t, c)
	assert.Positive(t, n[0], "commands received")
	assert.Equal(t, [7]int{n[0], n[0], 0, 0, 0, 0, 0}, n, "every command completed")
	assert.Zero(t, c.Count("errors ("))
}

// TestTerminateSlowDrain sends SIGTERM while a backlog waits and the
// receiver loop is blocked with a command in hand: the backpressure was
// shown, the drain shows its progress and names what would cut it short,
// the loop hands its last command over, every command runs, and the demo
// exits 0, as a daemon stopped by its supervisor does.
func TestTerminateSlowDrain(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-workers", "2", "-work", "300ms", "-rate", "100", "-queue", "4")
	assert.Contains(t, c.WaitFor("press Ctrl-C to stop"), "(more than the 6.7/s the workers can finish: the queue will fill)")
	c.WaitFor("the queue is full: the receiver loop waits for a worker, and the source for the loop (100 commands/s in, at most 6.7/s out)")
	time.Sleep(100 * time.Millisecond) // 2 running, 4 queued, the loop blocked in Submit
	c.Terminate()
	wantExit(t, c, 0)
	assertStory(t, c, "terminate (SIGTERM)", 2)
	progress := c.WaitFor("draining ")
	assert.Regexp(t, `^draining [0-9.]+m?s: \d+ queued( \(full: the receiver loop waits to hand over its last command\))?, [0-2] in flight; `+
		`a second SIGTERM \(or Ctrl-C\) exits at once and loses the commands not done \(-unprocessed FILE keeps them\)$`, progress)
	n := humanReport(t, c)
	assert.GreaterOrEqual(t, n[0], 7, "2 running + 4 queued + 1 in the loop's hand at least")
	assert.Equal(t, [7]int{n[0], n[0], 0, 0, 0, 0, 0}, n, "every command received completed, the loop's last one too")
	assert.Zero(t, c.Count("held by the receiver loop"))
	assert.Equal(t, 1, c.Count("the queue is full"), "said once")
}

// TestSecondInterruptLastWord: two Ctrl-Cs 300 ms apart during a slow drain
// (a human's, not a duplicate) force the exit; the last word writes every
// command not done to the -unprocessed file, and the demo dies by SIGINT.
func TestSecondInterruptLastWord(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "left.jsonl")
	c := startDemo(t, "-workers", "2", "-work", "1m", "-rate", "100", "-queue", "3", "-unprocessed", file)
	c.WaitFor("the queue is full") // 2 running, 3 queued, 1 in the loop's hand
	c.Interrupt()
	assert.Equal(t, "3 queued (full: the receiver loop waits to hand over its last command), 2 in flight; "+
		"a second Ctrl-C (or SIGTERM) exits at once, writing the commands not done to "+file,
		strings.SplitN(c.WaitFor("draining "), ": ", 2)[1])
	time.Sleep(300 * time.Millisecond)
	c.Interrupt()
	wantSignal(t, c, syscall.SIGINT)
	assert.True(t, c.Order("received interrupt (SIGINT), shutting down…", "draining ",
		"ctrlc: interrupt (SIGINT) is event 2 during shutdown", "interrupt (SIGINT): the last word: ", "not done: "), c.Output())
	m := regexp.MustCompile(`: the last word: 0 of (\d+) commands received done, (\d+) not done$`).FindStringSubmatch(c.WaitFor(": the last word: "))
	require.NotNil(t, m, "no command of a minute finished; output:\n%s", c.Output())
	require.Equal(t, m[1], m[2])
	var received int
	fmt.Sscan(m[1], &received)
	assert.GreaterOrEqual(t, received, 6, "2 running + 3 queued + 1 in hand")
	assert.Equal(t, fmt.Sprintf("not done: %d commands written to %s", received, file), c.WaitFor("not done: "))
	var want []int
	for id := 1; id <= received; id++ {
		want = append(want, id)
	}
	got := ids(readUnprocessed(t, file))
	slices.Sort(got)
	assert.Equal(t, want, got, "every command received, none done: all in the file, once")
	assert.Zero(t, c.Count("Good bye!"))
	assert.Zero(t, c.Count("report: "))
}

// TestSecondInterruptWithoutFile: the last word names the commands it loses.
func TestSecondInterruptWithoutFile(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-workers", "1", "-work", "1m", "-rate", "100", "-queue", "2")
	c.WaitFor("the queue is full")
	c.Interrupt()
	c.WaitFor("draining ")
	c.Terminate()
	wantSignal(t, c, syscall.SIGTERM)
	assert.Regexp(t, `^terminate \(SIGTERM\): the last word: 0 of \d+ commands received done, \d+ not done$`, c.WaitFor(": the last word: "))
	assert.Regexp(t, `^not done: #1-#\d+ are lost \(-unprocessed FILE keeps them\)$`, c.WaitFor("not done: "))
}

// TestDuplicateInterrupt: a copy of the first SIGINT 1 ms behind it (a
// wrapper forwarding what the terminal sent) does not force the exit: the
// drain runs to its end, and the demo then ends by SIGINT.
func TestDuplicateInterrupt(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-workers", "2", "-work", "400ms", "-rate", "100", "-queue", "2")
	c.WaitFor("the queue is full")
	c.Interrupt()
	time.Sleep(time.Millisecond)
	c.Interrupt()
	wantSignal(t, c, syscall.SIGINT)
	assertStory(t, c, "interrupt (SIGINT)", 2)
	assert.Zero(t, c.Count("the last word"))
	assert.Zero(t, c.Count("ctrlc: "))
	n := humanReport(t, c)
	assert.Equal(t, [7]int{n[0], n[0], 0, 0, 0, 0, 0}, n, "every command completed")
}

// TestShellLoopStops: a bash loop around the demo, in a process group of its
// own like a terminal's foreground job, gets Ctrl-C (SIGINT to the whole
// group): the demo drains, ends by SIGINT, and bash stops the loop instead
// of starting the next run.
func TestShellLoopStops(t *testing.T) {
	t.Parallel()
	needDemo(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash:", err)
	}
	c := ctrlctest.Start(t, exec.Command(bash, "-c", `for i in 1 2 3; do "$0" -rate 50; echo "next $i"; done; echo "loop done"`, demoPath))
	// Should the loop go on, end the whole group, the demo it started too:
	// the demo holds the output pipe, and the test would wait for it.
	t.Cleanup(func() { _ = syscall.Kill(-c.Cmd.Process.Pid, syscall.SIGKILL) })
	c.WaitFor("press Ctrl-C to stop")
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, syscall.Kill(-c.Cmd.Process.Pid, syscall.SIGINT), "SIGINT to the group")
	wantSignal(t, c, syscall.SIGINT) // bash itself, as it does when its child dies of SIGINT
	assert.Equal(t, 1, c.Count("Good bye!"), "the first run drained; output:\n%s", c.Output())
	assert.Zero(t, c.Count("next "), "the loop went on; output:\n%s", c.Output())
	assert.Equal(t, 1, c.Count("press Ctrl-C to stop"), "a second run started")
}

// TestJSONReport: with -json, stdout is the report alone, and it balances.
func TestJSONReport(t *testing.T) {
	t.Parallel()
	c, stdout := startSplit(t, "-json", "-workers", "4", "-rate", "200", "-work", "20ms")
	time.Sleep(200 * time.Millisecond)
	c.Interrupt()
	wantSignal(t, c, syscall.SIGINT)
	s := readSummary(t, stdout)
	assert.Equal(t, "interrupt (SIGINT)", s.Event)
	assert.Positive(t, s.Submitted)
	assert.Equal(t, s.Received, s.Completed)
	assert.Empty(t, s.Errors)
	assert.Equal(t, 130, s.ExitCode, "what a shell reports for the demo's end by SIGINT")
	assertStory(t, c, "interrupt (SIGINT)", 4) // on stderr, as without -json
	assert.NotContains(t, c.Output(), `"submitted"`, "no JSON on stderr")
	n := humanReport(t, c)
	assert.Equal(t, [7]int{s.Received, s.Completed, 0, 0, 0, 0, 0}, n, "the human report says the same")
}

// TestFailRate: failing commands make the drain report errors, exit 1
// after SIGTERM, and every failure is listed.
func TestFailRate(t *testing.T) {
	t.Parallel()
	c, stdout := startSplit(t, "-json", "-fail-rate", "0.2", "-rate", "200", "-work", "5ms")
	time.Sleep(250 * time.Millisecond)
	c.Terminate()
	wantExit(t, c, 1)
	s := readSummary(t, stdout)
	assert.Equal(t, 1, s.ExitCode)
	require.GreaterOrEqual(t, s.Received, 5, "enough commands for one to fail")
	assert.Equal(t, s.Received/5, s.Failed, "exactly every fifth command fails")
	assert.Equal(t, s.Received-s.Failed, s.Completed)
	require.Len(t, s.Errors, s.Failed, "one error per failed command")
	for i, e := range s.Errors {
		assert.Regexp(t, `^(run|queue|in-flight): item #\d+ .*: simulated failure \(-fail-rate 0\.2\)$`, e)
		assert.Contains(t, e, fmt.Sprintf("item #%d ", 5*(i+1)), "the fifth, tenth, ... command")
	}
	assert.Equal(t, fmt.Sprintf("errors (%d):", s.Failed), c.WaitFor("errors ("))
	assert.Equal(t, s.Failed, c.Count(": simulated failure (-fail-rate 0.2)"), "the human report lists each")
	assertStory(t, c, "terminate (SIGTERM)", 8)
}

// TestAbandonWritesUnprocessed: policy abandon runs no queued command, and
// every one of them lands in the -unprocessed file.
func TestAbandonWritesUnprocessed(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "unprocessed.jsonl")
	c, stdout := startSplit(t, "-json", "-policy", "abandon", "-workers", "2", "-work", "300ms",
		"-rate", "200", "-queue", "50", "-unprocessed", file)
	time.Sleep(200 * time.Millisecond)
	c.Terminate()
	wantExit(t, c, 0)
	s := readSummary(t, stdout)
	assert.Positive(t, s.Unprocessed, "queued commands set aside")
	assert.Zero(t, s.Failed+s.Interrupted+s.Abandoned)
	assert.Equal(t, file, s.UnprocessedFile)
	cmds := readUnprocessed(t, file)
	assert.Len(t, cmds, s.Unprocessed, "one line per unprocessed command")
	assert.Equal(t, s.NotDoneIDs, ids(cmds))
	assert.Equal(t, fmt.Sprintf("not done: %d commands written to %s", s.Unprocessed, file), c.WaitFor("not done: "))
	assertStory(t, c, "terminate (SIGTERM)", 2)
}

// TestDrainTimeout: past -drain-timeout the running commands are cancelled
// (interrupted) and the queued ones set aside, all of them kept in the file;
// the errors are reported, and after Ctrl-C the demo still ends by SIGINT.
func TestDrainTimeout(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "unprocessed.jsonl")
	c, stdout := startSplit(t, "-json", "-workers", "2", "-work", "1m", "-rate", "200", "-queue", "10",
		"-drain-timeout", "300ms", "-unprocessed", file)
	time.Sleep(150 * time.Millisecond)
	c.Interrupt()
	wantSignal(t, c, syscall.SIGINT)
	s := readSummary(t, stdout)
	assert.Equal(t, 130, s.ExitCode)
	assert.Zero(t, s.Completed, "no command of a minute finished")
	assert.Equal(t, 2, s.Interrupted, "the running commands, cancelled")
	assert.Positive(t, s.Unprocessed)
	assert.Equal(t, s.NotDoneIDs, ids(readUnprocessed(t, file)))
	assert.Len(t, s.NotDoneIDs, s.Received, "none done: every command in the file")
	assert.Contains(t, strings.Join(s.Errors, "\n"), "cancelled after")
	assertStory(t, c, "interrupt (SIGINT)", 2)
}

// TestAbandonWithoutFile: commands set aside with no -unprocessed file are
// named as lost, not passed over in silence.
func TestAbandonWithoutFile(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-policy", "abandon", "-workers", "1", "-work", "200ms", "-rate", "200", "-queue", "5")
	c.WaitFor("the queue is full")
	c.Terminate()
	wantExit(t, c, 0)
	n := humanReport(t, c)
	require.Positive(t, n[4], "queued commands set aside")
	assert.Regexp(t, `^not done: #\d+(-#\d+)?( #\d+(-#\d+)?)* are lost when the program ends \(-unprocessed FILE keeps them\)$`,
		c.WaitFor("not done: "))
	assert.NotContains(t, strings.ToLower(c.Output()), "nothing is lost")
	assertStory(t, c, "terminate (SIGTERM)", 1)
}

// TestInterruptIgnoredAtStart: started with SIGINT ignored (as `demo &` in a
// script is), the demo says Ctrl-C will do nothing and what stops it; a
// SIGINT then changes nothing, and SIGTERM drains it.
func TestInterruptIgnoredAtStart(t *testing.T) {
	t.Parallel()
	needDemo(t)
	c := ctrlctest.Start(t, exec.Command("/bin/sh", "-c", `trap '' INT; exec "$0" -rate 50`, demoPath))
	ready := c.WaitFor("stays ignored")
	assert.Regexp(t, `^ctrlc-demo \(pid \d+\): 8 workers, 50 commands/s, 500ms each \(more than the 16/s the workers can finish: the queue will fill\); `+
		"stop it with SIGTERM \\(SIGINT was ignored when the demo started, as a script's `cmd &` does, and stays ignored: Ctrl-C does nothing\\)$", ready)
	c.Interrupt()
	time.Sleep(200 * time.Millisecond)
	assert.Zero(t, c.Count("received "), "the ignored SIGINT started a shutdown")
	c.Terminate()
	wantExit(t, c, 0)
	assertStory(t, c, "terminate (SIGTERM)", 8)
}
