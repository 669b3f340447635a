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
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/proctest"
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
func startSplit(t *testing.T, args ...string) (c *proctest.Child, stdoutFile string) {
	t.Helper()
	needDemo(t)
	stdoutFile = filepath.Join(t.TempDir(), "stdout")
	cmd := exec.Command("/bin/sh", append([]string{"-c", `exec "$0" "$@" >"$DEMO_STDOUT"`, demoPath}, args...)...)
	cmd.Env = append(os.Environ(), "DEMO_STDOUT="+stdoutFile)
	c = proctest.Start(t, cmd)
	c.WaitFor("press Ctrl-C to stop")
	return c, stdoutFile
}

// wantExit waits for the child and checks its exit code.
func wantExit(t *testing.T, c *proctest.Child, want int) {
	t.Helper()
	code, err := c.Wait()
	require.Equal(t, want, code, "exit code (%v); output:\n%s", err, c.Output())
}

// assertStory checks that the lines of the story came once each, in order,
// with "Good bye!" last, and that progress lines came only where they belong.
func assertStory(t *testing.T, c *proctest.Child, event string, workers int) {
	t.Helper()
	lines := c.Lines()
	story := []string{
		"press Ctrl-C to stop",
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

var reportLine = regexp.MustCompile(`^report: (\d+) commands? received: (\d+) completed, (\d+) failed, (\d+) panicked, (\d+) unprocessed, (\d+) abandoned$`)

// humanReport parses the report line: received, completed, failed,
// panicked, unprocessed, abandoned.
func humanReport(t *testing.T, c *proctest.Child) (n [6]int) {
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
	assert.Equal(t, s.Received, s.Completed+s.Failed+s.Panicked+s.Unprocessed+s.Abandoned, "counts balance: %+v", s)
	assert.Equal(t, fmt.Sprintf("%d = %d + %d + %d + %d + %d", s.Received, s.Completed, s.Failed, s.Panicked, s.Unprocessed, s.Abandoned), s.Balance)
	assert.True(t, s.Balanced)
	assert.Equal(t, s.Received, s.Submitted+s.Held, "every command received reached the pool or was held")
	assert.LessOrEqual(t, s.Held, 1, "only the command in the loop's hand can be held")
	assert.Len(t, s.UnprocessedIDs, s.Unprocessed)
	var names []string
	for _, st := range s.Stages {
		names = append(names, st.Name)
		assert.GreaterOrEqual(t, st.Seconds, 0.0)
	}
	assert.Equal(t, []string{"intake", "queue", "in-flight", "hooks"}, names)
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

func ids(cmds []Command) []int {
	ids := []int{}
	for _, c := range cmds {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestInterrupt runs the demo as `go run ./cmd/ctrlc-demo` does, with no
// flags, and presses Ctrl-C.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	c := startDemo(t)
	time.Sleep(300 * time.Millisecond) // a few commands at the default 20/s
	c.Interrupt()
	wantExit(t, c, 0)
	assertStory(t, c, "interrupt (SIGINT)", 8)
	n := humanReport(t, c)
	assert.Positive(t, n[0], "commands submitted")
	assert.Equal(t, [6]int{n[0], n[0], 0, 0, 0, 0}, n, "every command completed")
	assert.Zero(t, c.Count("errors ("))
}

// TestTerminateSlowDrain sends SIGTERM while a backlog waits and the
// receiver loop is blocked with a command in hand: the backpressure was
// shown, the drain shows its progress and names what would cut it short,
// the loop hands its last command over, and every command runs.
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
	assert.Regexp(t, `^draining [0-9.]+m?s: \d+ queued, [0-2] in flight; a second SIGTERM \(or Ctrl-C\) exits at once and loses them$`, progress)
	n := humanReport(t, c)
	assert.GreaterOrEqual(t, n[0], 7, "2 running + 4 queued + 1 in the loop's hand at least")
	assert.Equal(t, [6]int{n[0], n[0], 0, 0, 0, 0}, n, "every command received completed, the loop's last one too")
	assert.Zero(t, c.Count("held by the receiver loop"))
	assert.Equal(t, 1, c.Count("the queue is full"), "said once")
}

// TestSecondInterruptForcesExit: a second Ctrl-C during a slow drain ends
// the demo at once with 130, the library's default force-exit policy. The
// receiver loop is still waiting to hand over its last command then: the
// draining lines say so.
func TestSecondInterruptForcesExit(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-workers", "1", "-work", "1m", "-rate", "100", "-queue", "3")
	c.WaitFor("the queue is full") // 1 running, 3 queued, 1 in the loop's hand
	c.Interrupt()
	assert.Equal(t, "3 queued (full: the receiver loop waits to hand over its last command), 1 in flight; a second Ctrl-C (or SIGTERM) exits at once and loses them",
		strings.SplitN(c.WaitFor("draining "), ": ", 2)[1])
	c.Interrupt()
	wantExit(t, c, 130)
	assert.True(t, c.Order("received interrupt (SIGINT), shutting down…", "draining ",
		"ctrlc: interrupt (SIGINT) is event 2 during shutdown: exiting with code 130"), c.Output())
	assert.Zero(t, c.Count("Worker loop done."), "the loop never got room")
	assert.Zero(t, c.Count("dropped worker pool"))
	assert.Zero(t, c.Count("Good bye!"))
}

// TestJSONReport: with -json, stdout is the report alone, and it balances.
func TestJSONReport(t *testing.T) {
	t.Parallel()
	c, stdout := startSplit(t, "-json", "-workers", "4", "-rate", "200", "-work", "20ms")
	time.Sleep(200 * time.Millisecond)
	c.Interrupt()
	wantExit(t, c, 0)
	s := readSummary(t, stdout)
	assert.Equal(t, "interrupt (SIGINT)", s.Event)
	assert.Positive(t, s.Submitted)
	assert.Equal(t, s.Received, s.Completed)
	assert.Empty(t, s.Errors)
	assert.Zero(t, s.ExitCode)
	assertStory(t, c, "interrupt (SIGINT)", 4) // on stderr, as without -json
	assert.NotContains(t, c.Output(), `"submitted"`, "no JSON on stderr")
	n := humanReport(t, c)
	assert.Equal(t, [6]int{s.Received, s.Completed, 0, 0, 0, 0}, n, "the human report says the same")
}

// TestFailRate: failing commands make the drain report errors, exit 1, and
// every failure is listed.
func TestFailRate(t *testing.T) {
	t.Parallel()
	c, stdout := startSplit(t, "-json", "-fail-rate", "0.2", "-rate", "200", "-work", "5ms")
	time.Sleep(250 * time.Millisecond)
	c.Interrupt()
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
	assertStory(t, c, "interrupt (SIGINT)", 8)
}

// TestAbandonWritesUnprocessed: policy abandon runs no queued command, and
// every one of them lands in the -unprocessed file.
func TestAbandonWritesUnprocessed(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "unprocessed.jsonl")
	c, stdout := startSplit(t, "-json", "-policy", "abandon", "-workers", "2", "-work", "300ms",
		"-rate", "200", "-queue", "50", "-unprocessed", file)
	time.Sleep(200 * time.Millisecond)
	c.Interrupt()
	wantExit(t, c, 0)
	s := readSummary(t, stdout)
	assert.Positive(t, s.Unprocessed, "queued commands set aside")
	assert.Zero(t, s.Failed)
	assert.Equal(t, file, s.UnprocessedFile)
	cmds := readUnprocessed(t, file)
	assert.Len(t, cmds, s.Unprocessed, "one line per unprocessed command")
	assert.Equal(t, s.UnprocessedIDs, ids(cmds))
	assert.Equal(t, fmt.Sprintf("unprocessed: %d commands written to %s", s.Unprocessed, file), c.WaitFor("unprocessed: "))
	assertStory(t, c, "interrupt (SIGINT)", 2)
}

// TestDrainTimeout: past -drain-timeout the running commands are cancelled
// and the queued ones set aside, and still none is lost.
func TestDrainTimeout(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "unprocessed.jsonl")
	c, stdout := startSplit(t, "-json", "-workers", "2", "-work", "1m", "-rate", "200", "-queue", "10",
		"-drain-timeout", "300ms", "-unprocessed", file)
	time.Sleep(150 * time.Millisecond)
	c.Interrupt()
	wantExit(t, c, 1)
	s := readSummary(t, stdout)
	assert.Zero(t, s.Completed, "no command of a minute finished")
	assert.GreaterOrEqual(t, s.Failed, 2, "the running commands, cancelled")
	assert.Positive(t, s.Unprocessed)
	assert.Equal(t, s.UnprocessedIDs, ids(readUnprocessed(t, file)))
	assert.Contains(t, strings.Join(s.Errors, "\n"), "cancelled after")
	assert.Contains(t, strings.Join(s.Errors, "\n"), "queued items handed back unrun")
	assertStory(t, c, "interrupt (SIGINT)", 2)
}

// TestAbandonWithoutFile: commands set aside with no -unprocessed file are
// named as lost, not passed over in silence.
func TestAbandonWithoutFile(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-policy", "abandon", "-workers", "1", "-work", "200ms", "-rate", "200", "-queue", "5")
	c.WaitFor("the queue is full")
	c.Interrupt()
	wantExit(t, c, 0)
	n := humanReport(t, c)
	require.Positive(t, n[4], "queued commands set aside")
	assert.Regexp(t, `^unprocessed: #\d+(-#\d+)?( #\d+(-#\d+)?)* did not run and are lost when the program ends \(-unprocessed FILE keeps them\)$`,
		c.WaitFor("unprocessed: "))
	assert.NotContains(t, strings.ToLower(c.Output()), "nothing is lost")
	assertStory(t, c, "interrupt (SIGINT)", 1)
}
