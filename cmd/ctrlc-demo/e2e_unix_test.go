//go:build unix

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// Real signals to the demo: each test starts it, waits for the ready line,
// lets commands flow for a moment, sends signals with kill(2), and checks
// what the demo printed, what it wrote, and how it ended. The tests whose
// bounds are timings (the escalation) do not run in parallel with the others.

// startSplit starts the demo with its standard output sent to a file of its
// own, so that the test sees what a script piping it would: the child's
// lines are its standard error only. The shell execs the demo, which keeps
// the process (and the pid the signals go to).
func startSplit(t *testing.T, args ...string) (c *ctrlctest.Process, stdoutFile string) {
	t.Helper()
	return startSplitEnv(t, nil, args...)
}

// startSplitEnv is startSplit with env added to the demo's environment.
func startSplitEnv(t *testing.T, env []string, args ...string) (c *ctrlctest.Process, stdoutFile string) {
	t.Helper()
	needDemo(t)
	stdoutFile = filepath.Join(t.TempDir(), "stdout")
	cmd := exec.Command("/bin/sh", append([]string{"-c", `exec "$0" "$@" >"$DEMO_STDOUT"`, demoPath}, args...)...)
	cmd.Env = append(append(os.Environ(), "DEMO_STDOUT="+stdoutFile), env...)
	c = ctrlctest.Start(t, cmd)
	c.WaitFor("press Ctrl-C to stop")
	return c, stdoutFile
}

// wantEndedBy waits for the demo and checks that it ended by the event k
// itself, killed by its signal sig (what a shell reads with WIFSIGNALED),
// not by an exit code of 128+n.
func wantEndedBy(t *testing.T, c *ctrlctest.Process, k ctrlc.Kind, sig syscall.Signal) ctrlctest.ExitStatus {
	t.Helper()
	st := c.Wait()
	require.True(t, st.EndedBy(k), "want the demo ended by %v; it ended with %v; output:\n%s", k, st, c.Output())
	require.Equal(t, os.Signal(sig), st.Signal, "want the demo killed by %v; it ended with %v; output:\n%s", sig, st, c.Output())
	return st
}

// wantExit waits for the demo and checks its exit code.
func wantExit(t *testing.T, c *ctrlctest.Process, want int) {
	t.Helper()
	st := c.Wait()
	require.Nil(t, st.Signal, "the demo was killed: %v; output:\n%s", st, c.Output())
	require.Equal(t, want, st.Code, "exit code; output:\n%s", c.Output())
}

// assertStory checks that the lines of the story came once each, in order, with
// "Good bye!" last, and that progress lines came only where they belong:
// "running" before the event, "draining" between it and the dropped pool.
func assertStory(t *testing.T, lines []string, event string) {
	t.Helper()
	out := strings.Join(lines, "\n")
	story := []string{
		"ctrlc-demo (pid ",
		"received " + event + ", shutting down…",
		"Worker loop done.",
		"Dropped the worker pool: no worker left running.",
		"report: ",
		"Good bye!",
	}
	last, prev := -1, "the start"
	for _, want := range story {
		i := lineIndex(lines, want)
		if !assert.Greater(t, i, last, "%q comes after %q; output:\n%s", want, prev, out) {
			return
		}
		assert.Equal(t, 1, count(lines, want), "%q printed once; output:\n%s", want, out)
		last, prev = i, want
	}
	assert.Equal(t, "Good bye!", lines[len(lines)-1], "the last line; output:\n%s", out)
	received, dropped := lineIndex(lines, "received "), lineIndex(lines, "Dropped the worker pool")
	hurried := lineIndex(lines, "again: hurrying the shutdown")
	for i, l := range lines {
		if strings.HasPrefix(l, "running ") {
			assert.Less(t, i, received, "a running line after the event: %q", l)
		}
		if strings.HasPrefix(l, "draining ") {
			assert.True(t, received < i && i < dropped, "a draining line outside the drain: %q", l)
			assert.Regexp(t, `^draining [0-9.]+m?s: \d+ commands? received, \d+ done, \d+ running, \d+ queued`+
				`( \(full: the receiver loop holds one, waiting for room\))?; `+drainingSuffix(hurried >= 0 && i > hurried), l)
		}
	}
}

// drainingSuffix is the pattern of a draining line's end: the offer of the
// hurry before it; after it, the hurried line (or the offer, in a line
// made as the hurry came).
func drainingSuffix(afterHurry bool) string {
	offer := `a second Ctrl-C \(or stop event\) hurries it, keeping the commands not done`
	if !afterHurry {
		return offer + "$"
	}
	return `(` + offer + `|hurried: the commands not done come back, and one more Ctrl-C \(or stop event\) ends the program now)$`
}

func count(lines []string, substr string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}

var reportLine = regexp.MustCompile(`^report: (\d+) commands? received: (\d+) completed, (\d+) failed, (\d+) panicked, (\d+) queued, (\d+) interrupted, (\d+) abandoned$`)

// humanReport parses the report line: received, completed, failed,
// panicked, queued, interrupted, abandoned.
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
// its standard output, whole, and checks that it accounts for every command
// received exactly once.
func readSummary(t *testing.T, file string) *summary {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(data), "\n"), "one line of JSON on stdout, nothing else:\n%s", data)
	require.True(t, strings.HasSuffix(string(data), "}\n"), "a whole line of JSON:\n%s", data)
	var s summary
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&s), "stdout:\n%s", data)
	assert.Equal(t, s.Received, s.Completed+s.Failed+s.Panicked+s.Queued+s.Interrupted+s.Abandoned, "counts balance: %+v", s)
	assert.True(t, s.Balanced)
	assert.Len(t, s.NotDoneIDs, s.Queued+s.Interrupted+s.Abandoned, "%+v", s)
	seen := map[int]bool{}
	for _, id := range s.NotDoneIDs {
		assert.False(t, seen[id], "command %d listed twice as not done: %v", id, s.NotDoneIDs)
		assert.True(t, id >= 1 && id <= s.Received, "command %d not done, of %d received", id, s.Received)
		seen[id] = true
	}
	var names []string
	for _, st := range s.Stages {
		name, _, _ := strings.Cut(st, " ")
		names = append(names, name)
	}
	assert.Equal(t, []string{"run", "before-stop", "queue", "in-flight", "on-stop"}, names)
	return &s
}

// assertSaved checks that the -unprocessed file holds exactly the commands
// the report lists as not done, each once, whole.
func assertSaved(t *testing.T, s *summary, file string) {
	t.Helper()
	assert.Equal(t, file, s.SavedTo)
	got := ids(readCommands(t, file))
	want := slices.Clone(s.NotDoneIDs)
	assert.ElementsMatch(t, want, got, "the -unprocessed file holds the commands not done, none twice")
	assert.Equal(t, want, got, "in the report's order")
}

// TestInterrupt runs the demo as `go run ./cmd/ctrlc-demo` does, with no
// flags, and presses Ctrl-C: it drains, says good bye, and then ends by
// SIGINT, as a command-line tool should.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	c := startDemo(t)
	time.Sleep(300 * time.Millisecond) // a few commands at the default 10/s
	c.Send(ctrlc.Interrupt)
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	assertStory(t, c.Lines(), "interrupt (SIGINT)")
	n := humanReport(t, c)
	assert.Positive(t, n[0], "commands received")
	assert.Equal(t, [7]int{n[0], n[0], 0, 0, 0, 0, 0}, n, "every command completed")
	assert.Equal(t, "not done: none", c.WaitFor("not done: "))
	assert.Zero(t, c.Count("errors ("))
	assert.Zero(t, c.Count("ctrlc: "), "no escalation")
}

// TestInterruptSlowDrain: SIGINT while commands of 2 s run and wait. The
// demo drains every one of them (the draining lines show it), the loop ends
// before the pool is dropped, the report balances and says none is left,
// "Good bye!" is the last line, and the demo ends by SIGINT.
func TestInterruptSlowDrain(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "left.jsonl")
	c, stdout := startSplit(t, "-work", "2s", "-rate", "20", "-unprocessed", file, "-json")
	time.Sleep(500 * time.Millisecond) // about 10 commands: 8 running, a few queued: a drain of 2 to 4 s
	c.Send(ctrlc.Interrupt)
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	assertStory(t, c.Lines(), "interrupt (SIGINT)")
	assert.Positive(t, c.Count("draining "), "a drain of 2 s shows its progress; output:\n%s", c.Output())
	s := readSummary(t, stdout)
	assert.Equal(t, "interrupt (SIGINT)", s.Event)
	assert.Positive(t, s.Received)
	assert.Equal(t, s.Received, s.Completed, "every command ran to its end")
	assert.Empty(t, s.Errors)
	assert.Zero(t, s.ExitCode)
	assertSaved(t, s, file)
	n := humanReport(t, c)
	assert.Equal(t, [7]int{s.Received, s.Completed, 0, 0, 0, 0, 0}, n, "the human report says the same")
	assert.Equal(t, "not done: none", c.WaitFor("not done: "))
	assert.NotContains(t, c.Output(), `"received"`, "no JSON on stderr")
}

// hurriedBound is how soon after the second event the demo is gone: the
// hurried pool returns within about a second, and the library ends the
// process 2 s after the hurry should it not (the backstop); the margin is
// for a loaded machine of 2 cores. The report and the -unprocessed file
// tell the demo's own end from the backstop's, which writes neither.
const hurriedBound = 2500 * time.Millisecond

// TestSecondInterruptHurries: a second Ctrl-C 100 ms or 300 ms after the
// first (a person's, not a duplicate) hurries the drain: the queued commands
// come back unrun, the running ones are cancelled, the demo reports them and
// saves them, says good bye and ends by SIGINT within the bound.
func TestSecondInterruptHurries(t *testing.T) {
	for _, gap := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond} {
		t.Run(gap.String(), func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "left.jsonl")
			c, stdout := startSplit(t, "-work", "2s", "-rate", "20", "-unprocessed", file, "-json")
			time.Sleep(time.Second) // about 20 commands: 8 running for another second, the rest queued
			c.Send(ctrlc.Interrupt)
			c.WaitFor("received interrupt (SIGINT), shutting down…")
			time.Sleep(gap)
			second := time.Now()
			c.Send(ctrlc.Interrupt)
			wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
			took := time.Since(second)
			t.Logf("gone %v after the second SIGINT", took.Round(time.Millisecond))
			assert.Less(t, took, hurriedBound, "the hurried demo is gone soon; output:\n%s", c.Output())

			lines := c.Lines()
			assertStory(t, lines, "interrupt (SIGINT)")
			assert.Equal(t, 1, c.Count("ctrlc: interrupt (SIGINT) again: hurrying the shutdown (once more ends the program now)"), c.Output())
			assert.Zero(t, c.Count("exiting now"), "neither a third event nor the backstop ended it")
			s := readSummary(t, stdout)
			assert.Equal(t, "interrupt (SIGINT)", s.Event)
			assert.Zero(t, s.Failed+s.Panicked)
			assert.Equal(t, s.Received, s.Completed+len(s.NotDoneIDs), "completed + not done = received")
			assert.Positive(t, s.Interrupted, "commands of 2 s were running at the hurry")
			assert.Contains(t, strings.Join(s.Errors, "\n"), "hurried by interrupt (SIGINT)")
			assert.Equal(t, 1, s.ExitCode, "a hurried shutdown reports errors (the demo ends by SIGINT all the same)")
			assertSaved(t, s, file)
			assert.Equal(t, fmt.Sprintf("not done: %d commands, saved to %s", len(s.NotDoneIDs), file), c.WaitFor("not done: "))
		})
	}
}

// TestThirdInterruptEndsAtOnce: a third Ctrl-C right after the second ends
// the demo at once, by SIGINT, well inside the 2 s the library gives a
// hurried drain. (The hurried drain of commands that honour their context
// may have ended the demo first: either way it is gone at once; the -exec
// test with a child that ignores SIGTERM shows the third event alone.)
func TestThirdInterruptEndsAtOnce(t *testing.T) {
	c, _ := startSplit(t, "-work", "5s", "-rate", "20", "-json")
	time.Sleep(500 * time.Millisecond)
	c.Send(ctrlc.Interrupt)
	c.WaitFor("received interrupt (SIGINT), shutting down…")
	time.Sleep(100 * time.Millisecond)
	second := time.Now()
	c.Send(ctrlc.Interrupt)
	time.Sleep(60 * time.Millisecond) // more than the 50 ms within which a repeat is a duplicate
	if err := syscall.Kill(c.Pid(), syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("the third SIGINT: %v", err)
	}
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	took := time.Since(second)
	assert.Less(t, took, time.Second, "gone well inside the 2 s backstop; output:\n%s", c.Output())
	if c.Count("ctrlc: interrupt (SIGINT) is event 3 during the shutdown: exiting now") == 1 {
		t.Logf("the third SIGINT ended the demo, %v after the second", took.Round(time.Millisecond))
	} else {
		t.Logf("the hurried drain ended the demo before the third SIGINT, %v after the second", took.Round(time.Millisecond))
	}
}

// TestTerminate: SIGTERM drains every command, and the demo exits 0, as a
// daemon stopped by its supervisor does.
func TestTerminate(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "left.jsonl")
	c, stdout := startSplit(t, "-work", "1s", "-rate", "20", "-unprocessed", file, "-json")
	time.Sleep(300 * time.Millisecond)
	c.Send(ctrlc.Terminate)
	wantExit(t, c, 0)
	assertStory(t, c.Lines(), "terminate (SIGTERM)")
	s := readSummary(t, stdout)
	assert.Equal(t, "terminate (SIGTERM)", s.Event)
	assert.Equal(t, s.Received, s.Completed)
	assert.Empty(t, s.Errors)
	assert.Zero(t, s.ExitCode)
	assertSaved(t, s, file)
}

// TestSecondTerminateHurries: a supervisor's second SIGTERM hurries the
// drain as a second Ctrl-C does; the hurry interrupts commands, which is an
// error of the shutdown: exit 1.
func TestSecondTerminateHurries(t *testing.T) {
	file := filepath.Join(t.TempDir(), "left.jsonl")
	c, stdout := startSplit(t, "-work", "2s", "-rate", "20", "-unprocessed", file, "-json")
	time.Sleep(time.Second)
	c.Send(ctrlc.Terminate)
	c.WaitFor("received terminate (SIGTERM), shutting down…")
	time.Sleep(200 * time.Millisecond)
	second := time.Now()
	c.Send(ctrlc.Terminate)
	wantExit(t, c, 1)
	assert.Less(t, time.Since(second), hurriedBound, "output:\n%s", c.Output())
	assertStory(t, c.Lines(), "terminate (SIGTERM)")
	assert.Equal(t, 1, c.Count("ctrlc: terminate (SIGTERM) again: hurrying the shutdown"), c.Output())
	s := readSummary(t, stdout)
	assert.Positive(t, s.Interrupted)
	assert.Equal(t, s.Received, s.Completed+len(s.NotDoneIDs))
	assert.Contains(t, strings.Join(s.Errors, "\n"), "hurried by terminate (SIGTERM)")
	assert.Equal(t, 1, s.ExitCode)
	assertSaved(t, s, file)
}

// TestHangup: SIGHUP (the terminal went away) is caught by default: the
// demo drains (here with -policy skip: the running commands finish, the
// queued ones are kept), writes the -unprocessed file, and then ends by
// SIGHUP, as a program whose terminal closed would have without the drain.
func TestHangup(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "left.jsonl")
	c, stdout := startSplit(t, "-policy", "skip", "-work", "2s", "-rate", "20", "-unprocessed", file, "-json")
	assert.Contains(t, c.WaitFor("press Ctrl-C"), ", policy skip; ")
	time.Sleep(time.Second) // 8 running, about 12 queued
	c.Send(ctrlc.Hangup)
	wantEndedBy(t, c, ctrlc.Hangup, syscall.SIGHUP)
	assertStory(t, c.Lines(), "hangup (SIGHUP)")
	s := readSummary(t, stdout)
	assert.Equal(t, "hangup (SIGHUP)", s.Event)
	assert.Positive(t, s.Completed, "the running commands finished")
	assert.Positive(t, s.Queued, "the queued ones were kept")
	assert.Equal(t, s.Received, s.Completed+s.Queued)
	assert.Empty(t, s.Errors)
	assertSaved(t, s, file)
	assert.Equal(t, fmt.Sprintf("not done: %d commands, saved to %s", s.Queued, file), c.WaitFor("not done: "))
}

// TestDuplicateInterrupt: a copy of the first SIGINT 1 ms behind it (a
// wrapper forwarding what the terminal sent) does not hurry the drain: it
// runs to its end, and the demo then ends by SIGINT.
func TestDuplicateInterrupt(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-workers", "2", "-work", "400ms", "-rate", "20", "-queue", "2")
	time.Sleep(300 * time.Millisecond)
	c.Send(ctrlc.Interrupt)
	time.Sleep(time.Millisecond)
	c.Send(ctrlc.Interrupt)
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	assertStory(t, c.Lines(), "interrupt (SIGINT)")
	assert.Zero(t, c.Count("ctrlc: "), "no escalation")
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
	t.Cleanup(func() { _ = syscall.Kill(-c.Pid(), syscall.SIGKILL) })
	c.WaitFor("press Ctrl-C to stop")
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, syscall.Kill(-c.Pid(), syscall.SIGINT), "SIGINT to the group")
	st := c.Wait() // bash itself, which ends by SIGINT when its child did
	assert.True(t, st.EndedBy(ctrlc.Interrupt), "bash: %v; output:\n%s", st, c.Output())
	assert.Equal(t, 1, c.Count("Good bye!"), "the first run drained; output:\n%s", c.Output())
	assert.Zero(t, c.Count("next "), "the loop went on; output:\n%s", c.Output())
	assert.Equal(t, 1, c.Count("press Ctrl-C to stop"), "a second run started")
}

// TestFailRate: exactly every fifth command fails, each failure is listed,
// and the exit code after SIGTERM is 1 only when a failure came during the
// shutdown: failures before the stop are no error of the shutdown.
func TestFailRate(t *testing.T) {
	t.Parallel()
	c, stdout := startSplit(t, "-json", "-fail-rate", "0.2", "-rate", "200", "-work", "5ms")
	time.Sleep(250 * time.Millisecond)
	c.Send(ctrlc.Terminate)
	st := c.Wait()
	s := readSummary(t, stdout)
	require.GreaterOrEqual(t, s.Received, 5, "enough commands for one to fail")
	assert.Equal(t, s.Received/5, s.Failed, "exactly every fifth command fails")
	assert.Equal(t, s.Received-s.Failed, s.Completed)
	require.Len(t, s.Errors, s.Failed, "one error per failed command")
	inShutdown := false
	for i, e := range s.Errors {
		assert.Regexp(t, `^(run|queue|in-flight): item #\d+ .*: simulated failure \(-fail-rate 0\.2\)$`, e)
		assert.Contains(t, e, fmt.Sprintf("item #%d ", 5*(i+1)), "the fifth, tenth, ... command")
		inShutdown = inShutdown || !strings.HasPrefix(e, "run: ")
	}
	want := 0
	if inShutdown {
		want = 1
	}
	assert.Equal(t, want, s.ExitCode, "errors: %q", s.Errors)
	assert.Equal(t, ctrlctest.ExitStatus{Code: want}, st, "output:\n%s", c.Output())
	assert.Equal(t, fmt.Sprintf("errors (%d):", s.Failed), c.WaitFor("errors ("))
	assert.Equal(t, s.Failed, c.Count(": simulated failure (-fail-rate 0.2)"), "the human report lists each")
	assertStory(t, c.Lines(), "terminate (SIGTERM)")
}

// TestSkipWritesUnprocessed: -policy skip runs no queued command at the
// drain, and every one of them lands in the -unprocessed file; the running
// ones finish. Setting commands aside is no error: exit 0.
func TestSkipWritesUnprocessed(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "unprocessed.jsonl")
	c, stdout := startSplit(t, "-json", "-policy", "skip", "-workers", "2", "-work", "300ms",
		"-rate", "200", "-queue", "50", "-unprocessed", file)
	time.Sleep(200 * time.Millisecond)
	c.Send(ctrlc.Terminate)
	wantExit(t, c, 0)
	s := readSummary(t, stdout)
	assert.Positive(t, s.Queued, "queued commands set aside")
	assert.Zero(t, s.Failed+s.Interrupted+s.Abandoned)
	assert.Empty(t, s.Errors)
	assertSaved(t, s, file)
	assert.Equal(t, fmt.Sprintf("not done: %d commands, saved to %s", s.Queued, file), c.WaitFor("not done: "))
	assertStory(t, c.Lines(), "terminate (SIGTERM)")
}

// TestSkipWithoutFile: commands set aside with no -unprocessed file are
// named as lost, not passed over in silence.
func TestSkipWithoutFile(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-policy", "skip", "-workers", "1", "-work", "200ms", "-rate", "200", "-queue", "5")
	time.Sleep(100 * time.Millisecond)
	c.Send(ctrlc.Terminate)
	wantExit(t, c, 0)
	n := humanReport(t, c)
	require.Positive(t, n[4], "queued commands set aside")
	assert.Regexp(t, `^not done: \[\d+( \d+)*\], lost when the program ends \(-unprocessed FILE keeps them\)$`, c.WaitFor("not done: "))
	assertStory(t, c.Lines(), "terminate (SIGTERM)")
}

// TestDrainTimeout: past -drain-timeout the running commands are cancelled
// (interrupted) and the queued ones handed back, all of them kept in the
// file; the errors are reported, and after Ctrl-C the demo still ends by
// SIGINT.
func TestDrainTimeout(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "unprocessed.jsonl")
	c, stdout := startSplit(t, "-json", "-workers", "2", "-work", "1m", "-rate", "200", "-queue", "10",
		"-drain-timeout", "300ms", "-unprocessed", file)
	time.Sleep(150 * time.Millisecond)
	c.Send(ctrlc.Interrupt)
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	s := readSummary(t, stdout)
	assert.Equal(t, 1, s.ExitCode)
	assert.Zero(t, s.Completed, "no command of a minute finished")
	assert.Equal(t, 2, s.Interrupted, "the running commands, cancelled")
	assert.Positive(t, s.Queued)
	assert.Len(t, s.NotDoneIDs, s.Received, "none done: every command in the file")
	assertSaved(t, s, file)
	assert.Contains(t, strings.Join(s.Errors, "\n"), "cancelled after")
	assert.Contains(t, strings.Join(s.Errors, "\n"), "the shutdown's budget of 300ms is spent")
	assertStory(t, c.Lines(), "interrupt (SIGINT)")
}

// TestInterruptIgnoredAtStart: started with SIGINT ignored (as `demo &` in a
// script is), the demo keeps it ignored: a SIGINT changes nothing, and
// SIGTERM drains it.
func TestInterruptIgnoredAtStart(t *testing.T) {
	t.Parallel()
	needDemo(t)
	c := ctrlctest.Start(t, exec.Command("/bin/sh", "-c", `trap '' INT; exec "$0" -rate 50`, demoPath))
	c.WaitFor("press Ctrl-C to stop")
	c.Send(ctrlc.Interrupt)
	time.Sleep(200 * time.Millisecond)
	assert.Zero(t, c.Count("received "), "the ignored SIGINT started a shutdown")
	c.Send(ctrlc.Terminate)
	wantExit(t, c, 0)
	assertStory(t, c.Lines(), "terminate (SIGTERM)")
}

// TestSignalsTerminateOnly: with -signals terminate the demo says Ctrl-C is
// not caught, and a SIGINT kills it on the spot: no drain, no report.
func TestSignalsTerminateOnly(t *testing.T) {
	t.Parallel()
	needDemo(t)
	c := ctrlctest.Start(t, exec.Command(demoPath, "-signals", "terminate"))
	assert.Contains(t, c.WaitFor("ctrlc-demo (pid "), "; Ctrl-C is not caught: it kills the program")
	c.Send(ctrlc.Interrupt)
	wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
	assert.Zero(t, c.Count("received "))
	assert.Zero(t, c.Count("Good bye!"))
}

// TestSecondInterruptLoopWaiting: the hurry comes while the receiver loop
// waits for room in a full queue behind a command of a minute, so the
// shutdown's first stage is still waiting for the loop: the story keeps its
// order all the same ("Worker loop done." once, before the pool is dropped;
// "Good bye!" last), and the command the loop held is reported and saved.
func TestSecondInterruptLoopWaiting(t *testing.T) {
	for i := range 4 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "left.jsonl")
			c, stdout := startSplit(t, "-workers", "1", "-work", "1m", "-rate", "100", "-queue", "3", "-unprocessed", file, "-json")
			time.Sleep(200 * time.Millisecond) // 1 running, 3 queued, the loop waiting with the fifth
			c.Send(ctrlc.Interrupt)
			c.WaitFor("received interrupt (SIGINT), shutting down…")
			time.Sleep(200 * time.Millisecond)
			c.Send(ctrlc.Interrupt)
			wantEndedBy(t, c, ctrlc.Interrupt, syscall.SIGINT)
			assertStory(t, c.Lines(), "interrupt (SIGINT)")
			s := readSummary(t, stdout)
			assert.Zero(t, s.Completed)
			assert.Equal(t, 1, s.Interrupted)
			assert.GreaterOrEqual(t, s.Queued, 4, "3 queued and the one the loop held")
			assertSaved(t, s, file)
		})
	}
}
