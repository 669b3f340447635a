package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The end-to-end tests run the demo as a child process, built once here.
// The tests that send it signals are in e2e_unix_test.go and
// e2e_windows_test.go; this file holds what runs everywhere.

var (
	demoPath string // the built demo
	noDemo   string // why there is none, when there is none
)

func TestMain(m *testing.M) {
	dir, err := buildDemo()
	if err != nil {
		fmt.Fprintln(os.Stderr, "building the demo:", err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m,
		// Under js/wasm the goroutine that delivered the last event from
		// the host parks in runtime.handleEvent: not a leak.
		goleak.IgnoreAnyFunction("runtime.handleEvent"),
		goleak.Cleanup(func(code int) {
			if dir != "" {
				os.RemoveAll(dir)
			}
			os.Exit(code)
		}))
}

// demoEnv names a prebuilt demo to test instead of building one: under Wine
// (scripts/wine-test.sh) the test binary finds no go command.
const demoEnv = "CTRLC_DEMO_BIN"

// buildDemo builds the demo into a new temporary directory and returns the
// directory, or sets noDemo where no child process can run.
func buildDemo() (dir string, err error) {
	if !ctrlctest.CanStart {
		noDemo = runtime.GOOS + "/wasm cannot start child processes"
		return "", nil
	}
	if demoPath = os.Getenv(demoEnv); demoPath != "" {
		return "", nil
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		noDemo = fmt.Sprintf("no go command to build the demo with (%v), and no %s", err, demoEnv)
		return "", nil
	}
	dir, err = os.MkdirTemp("", "ctrlc-demo-test-")
	if err != nil {
		return "", err
	}
	demoPath = filepath.Join(dir, "ctrlc-demo")
	if runtime.GOOS == "windows" {
		demoPath += ".exe"
	}
	args := []string{"build", "-o", demoPath}
	if raceEnabled {
		args = append(args, "-race") // the demo runs under the race detector too
	}
	out, err := exec.Command(goCmd, append(args, ".")...).CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("%v\n%s", err, out)
	}
	return dir, nil
}

// needDemo skips the test where the demo cannot run.
func needDemo(t *testing.T) {
	t.Helper()
	if noDemo != "" {
		t.Skip(noDemo)
	}
}

// runDemo runs the demo to its end (it must exit on its own) and returns its
// exit code, standard output and standard error.
func runDemo(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(demoPath, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running %v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	needDemo(t)
	t.Parallel()
	code, stdout, stderr := runDemo(t, "-h")
	assert.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Empty(t, stderr)
	for _, flag := range []string{"-workers", "-rate", "-work ", "-queue", "-drain-timeout", "-policy",
		"-signals", "-fail-rate", "-json", "-unprocessed FILE"} {
		assert.Contains(t, stdout, "\n  "+flag, "the help lists %s", flag)
	}
	for _, name := range kindNames() {
		assert.Contains(t, stdout, name)
	}
	assert.Contains(t, stdout, "Exit: after Ctrl-C the demo ends by SIGINT once the drain is over (a shell")
}

func TestBadFlags(t *testing.T) {
	needDemo(t)
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-workers", "0"}, `invalid value "0" for flag -workers: must be between 1 and 10000`},
		{[]string{"-workers", "eight"}, `invalid value "eight" for flag -workers: parse error`},
		{[]string{"-workers=-3"}, `invalid value "-3" for flag -workers`},
		{[]string{"-rate", "0"}, `invalid value "0" for flag -rate: must be between 1e-6 and 1e6 commands per second`},
		{[]string{"-rate", "1e-300"}, `invalid value "1e-300" for flag -rate`},
		{[]string{"-rate", "2e6"}, `invalid value "2e+06" for flag -rate`},
		{[]string{"-rate", "NaN"}, `invalid value "NaN" for flag -rate`},
		{[]string{"-rate", "-Inf"}, `invalid value "-Inf" for flag -rate`},
		{[]string{"-work", "-1s"}, `invalid value "-1s" for flag -work: must not be negative`},
		{[]string{"-work", "5"}, `invalid value "5" for flag -work: parse error`},
		{[]string{"-queue", "-1"}, `invalid value "-1" for flag -queue`},
		{[]string{"-drain-timeout", "0s"}, `invalid value "0s" for flag -drain-timeout: must be positive`},
		{[]string{"-policy", "drop"}, `invalid value "drop" for flag -policy: must be finish or abandon`},
		{[]string{"-signals", "interupt"}, `invalid value "interupt" for flag -signals: ctrlc: unknown kind: "interupt" (want one of interrupt, terminate,`},
		{[]string{"-signals", "interrupt,,terminate"}, `invalid value "interrupt,,terminate" for flag -signals: ctrlc: unknown kind: ""`},
		{[]string{"-signals", ""}, `invalid value "" for flag -signals: an empty list catches nothing; leave the flag out for the default, `},
		{[]string{"-signals= "}, `invalid value " " for flag -signals: an empty list catches nothing`},
		{[]string{"-unprocessed", ""}, `invalid value "" for flag -unprocessed: empty file name`},
		{[]string{"-fail-rate", "1.5"}, `invalid value "1.5" for flag -fail-rate: must be between 0 and 1`},
		{[]string{"-fail-rate", "NaN"}, `invalid value "NaN" for flag -fail-rate`},
		{[]string{"-unprocessed", filepath.Join(os.TempDir(), fmt.Sprintf("ctrlc-demo-test-%d-none", os.Getpid()), "file")},
			`for flag -unprocessed: open `},
		{[]string{"-bogus"}, `flag provided but not defined: -bogus`},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runDemo(t, tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.True(t, strings.HasPrefix(stderr, "ctrlc-demo: "), "stderr:\n%s", stderr)
			assert.Contains(t, stderr, tc.want)
			assert.Contains(t, stderr, "Run 'ctrlc-demo -h' for the flags.")
			assert.NotContains(t, stderr, "panic")
			assert.NotContains(t, stderr, "press Ctrl-C", "the demo must not start")
		})
	}
}

func TestParseKinds(t *testing.T) {
	kinds, err := parseKinds("interrupt, Terminate,hangup,quit,break,close,logoff,shutdown")
	require.NoError(t, err)
	assert.Equal(t, []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate, ctrlc.Hangup, ctrlc.Quit,
		ctrlc.Break, ctrlc.Close, ctrlc.Logoff, ctrlc.Shutdown}, kinds)
	_, err = parseKinds("interrupt,bogus")
	assert.ErrorContains(t, err, `unknown kind: "bogus"`)
	kinds, err = parseKinds("SIGINT,sigterm")
	require.NoError(t, err, "the names people type (ctrlc.ParseKind)")
	assert.Equal(t, []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate}, kinds)
}

func TestHowToStop(t *testing.T) {
	ignored := interruptIgnored
	t.Cleanup(func() { interruptIgnored = ignored })
	interruptIgnored = func() bool { return false } // whatever this test process inherited

	c, err := parseFlags([]string{"-signals", "terminate"}, nil)
	require.NoError(t, err)
	assert.False(t, c.catches(ctrlc.Interrupt))
	assert.Equal(t, "stop it with terminate (Ctrl-C is not caught: it kills the program)", howToStop(c))
	c, err = parseFlags(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, ctrlc.DefaultKinds(), c.kinds, "no -signals: the platform's default kinds")
	assert.Equal(t, "press Ctrl-C to stop", howToStop(c))

	interruptIgnored = func() bool { return true }
	c, err = parseFlags([]string{"-signals", "interrupt,hangup,terminate"}, nil)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, "stop it with SIGHUP or SIGTERM (SIGINT was ignored when the demo started, as a script's `cmd &` does, and stays ignored: Ctrl-C does nothing)", howToStop(c))
	}
	c, err = parseFlags([]string{"-signals", "interrupt"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "SIGINT was ignored when the demo started, as a script's `cmd &` does, and stays ignored: Ctrl-C does nothing; only SIGKILL (kill -9) stops it", howToStop(c))
}

func TestFailsExactFraction(t *testing.T) {
	for _, rate := range []float64{0, 0.2, 1.0 / 3, 0.5, 0.999, 1} {
		ppm := newBot(&config{failRate: rate}).failPPM
		n := 0
		for id := 1; id <= 1000; id++ {
			if fails(id, ppm) {
				n++
			}
			require.Equal(t, int64(id)*ppm/1e6, int64(n), "rate %v after %d commands", rate, id)
		}
	}
	assert.True(t, fails(5, 200000))
	assert.False(t, fails(4, 200000))
}

// -drain-timeout is the whole shutdown's budget: the pool's, shared by the
// receiver loop's hand-over and the drain.
func TestPoolOptions(t *testing.T) {
	c, err := parseFlags([]string{"-drain-timeout", "7s", "-policy", "abandon", "-workers", "3", "-queue", "5"}, nil)
	require.NoError(t, err)
	assert.Equal(t, pool.Options{Workers: 3, QueueSize: 5, ShutdownTimeout: 7 * time.Second, DrainTimeout: 7 * time.Second,
		HookTimeout: 7 * time.Second, Policy: pool.Abandon}, c.poolOptions())
}

// The defaults must not build a backlog: with no flags, the source emits
// fewer commands than the workers can finish, with room to spare, so that
// a Ctrl-C at any moment finds no command waiting in the receiver loop.
func TestDefaultsSustainable(t *testing.T) {
	c, err := parseFlags(nil, nil)
	require.NoError(t, err)
	assert.LessOrEqual(t, c.rate, 0.75*c.capacity(), "default rate %v/s against %v/s the workers finish", c.rate, c.capacity())
	assert.Equal(t, "8 workers, 10 commands/s, 500ms each", c.describe())
	c, err = parseFlags([]string{"-rate", "20"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "8 workers, 20 commands/s, 500ms each (more than the 16/s the workers can finish: the queue will fill)", c.describe())
	assert.Equal(t, "the queue is full: the receiver loop waits for a worker, and the source for the loop (20 commands/s in, at most 16/s out)", queueFull(c))
	c, err = parseFlags([]string{"-work", "0s"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "8 workers, 10 commands/s, 0s each", c.describe(), "commands that take no time never fill the queue")
}

// The draining line names what would cut the drain short for the event
// that started it, among the kinds the demo catches.
func TestForceHint(t *testing.T) {
	unix := []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate}
	const lost = " exits at once and loses the commands not done (-unprocessed FILE keeps them)"
	if runtime.GOOS == "windows" {
		win := []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate, ctrlc.Break, ctrlc.Close}
		assert.Equal(t, "a second Ctrl-C (or Ctrl-Break)"+lost, forceHint(win, ctrlc.Event{Kind: ctrlc.Interrupt}, ""))
		assert.Equal(t, "a second Ctrl-Break (or Ctrl-C)"+lost, forceHint(win, ctrlc.Event{Kind: ctrlc.Break}, ""))
	} else {
		assert.Equal(t, "a second Ctrl-C (or SIGTERM)"+lost, forceHint(unix, ctrlc.Event{Kind: ctrlc.Interrupt}, ""))
		assert.Equal(t, "a second SIGTERM (or Ctrl-C)"+lost, forceHint(unix, ctrlc.Event{Kind: ctrlc.Terminate}, ""))
		assert.Equal(t, "a second SIGTERM exits at once, writing the commands not done to left.jsonl",
			forceHint([]ctrlc.Kind{ctrlc.Terminate}, ctrlc.Event{Kind: ctrlc.Terminate}, "left.jsonl"))
		assert.Equal(t, "a second SIGHUP (or Ctrl-C, SIGTERM, SIGQUIT)"+lost,
			forceHint([]ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate, ctrlc.Hangup, ctrlc.Quit}, ctrlc.Event{Kind: ctrlc.Hangup}, ""))
	}
	if runtime.GOOS == "windows" { // a service's stop request arrives as Terminate, which no one types there
		assert.Equal(t, "a second terminate event (or Ctrl-C)"+lost,
			forceHint([]ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate}, ctrlc.Event{Kind: ctrlc.Terminate}, ""))
	}
	now := time.Now()
	for _, k := range []ctrlc.Kind{ctrlc.Close, ctrlc.Logoff, ctrlc.Shutdown} {
		assert.Equal(t, fmt.Sprintf("Windows ends the program 4.5s after the %v event; the drain stops in time for the report", k),
			forceHint(append(unix, k), ctrlc.Event{Kind: k, Time: now, Deadline: now.Add(ctrlc.DefaultCloseGrace)}, "left.jsonl"))
		assert.Equal(t, fmt.Sprintf("Windows ends the program after the %v event; the drain stops in time for the report", k),
			forceHint(append(unix, k), ctrlc.Event{Kind: k}, ""))
	}
}

// The report's balance is the README's equation, and it counts the command
// the receiver loop held.
func TestSummaryBalance(t *testing.T) {
	cmd := func(id int) Command { return Command{ID: id, Name: "!ping", Channel: "#general"} }
	r := &pool.Report[Command]{Submitted: 6, Completed: 2, Failed: []Command{cmd(3)}, Unprocessed: []Command{cmd(4)},
		Interrupted: []Command{cmd(1)}, Abandoned: []Command{cmd(2)}}
	s := summarize(ctrlc.Event{Kind: ctrlc.Terminate}, 7, []Command{cmd(7)}, r, nil)
	assert.Equal(t, "received = completed + failed + panicked + unprocessed + interrupted + abandoned", balanceEquation)
	assert.Equal(t, "7 = 2 + 1 + 0 + 2 + 1 + 1", s.Balance)
	assert.True(t, s.Balanced)
	assert.Equal(t, []int{4, 7, 1, 2}, s.NotDoneIDs, "unprocessed (the pool's, then the held one), interrupted, abandoned")
	assert.Equal(t, 1, s.Held)
	assert.Zero(t, s.ExitCode)

	s = summarize(ctrlc.Event{Kind: ctrlc.Terminate}, 8, []Command{cmd(7)}, r, nil)
	assert.Equal(t, "8 = 2 + 1 + 0 + 2 + 1 + 1", s.Balance)
	assert.False(t, s.Balanced, "a command received and accounted for nowhere")
	assert.Equal(t, 1, s.ExitCode)
	var out bytes.Buffer
	require.NoError(t, s.print(io.Discard, &out, false))
	assert.Contains(t, out.String(), "  the counts do not balance: received = completed + failed + panicked + unprocessed + interrupted + abandoned is 8 = 2 + 1 + 0 + 2 + 1 + 1\n")
	assert.Contains(t, out.String(), "not done: #1-#2 #4 #7 are lost when the program ends (-unprocessed FILE keeps them)\n")

	s = summarize(ctrlc.Event{Kind: ctrlc.Interrupt, Native: 2}, 7, []Command{cmd(7)}, r, nil)
	if runtime.GOOS == "windows" {
		assert.Equal(t, 0xC000013A, s.ExitCode)
	} else {
		assert.Equal(t, 130, s.ExitCode, "after Ctrl-C the demo ends by SIGINT")
	}
}

// -unprocessed appends: what an earlier run set aside stays in the file.
func TestUnprocessedFileAppends(t *testing.T) {
	file := ctrlctest.TempFile(t, "left.jsonl")
	c, err := parseFlags([]string{"-unprocessed", file}, nil)
	require.NoError(t, err)
	assert.Zero(t, c.earlierLines)
	assert.Equal(t, "commands not done will be written to "+file, appending(c))
	s := &summary{notDone: []Command{{ID: 1}, {ID: 2}}, NotDoneIDs: []int{1, 2}}
	require.NoError(t, s.save(c.unprocessed, c.earlierLines))

	c, err = parseFlags([]string{"-unprocessed", file}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, c.earlierLines)
	assert.Equal(t, "commands not done will be appended to "+file+", after the 2 lines earlier runs left there", appending(c))
	s = &summary{notDone: []Command{{ID: 7}}, NotDoneIDs: []int{7}}
	require.NoError(t, s.save(c.unprocessed, c.earlierLines))
	var out bytes.Buffer
	require.NoError(t, s.print(io.Discard, &out, false))
	assert.Contains(t, out.String(), "not done: 1 command appended to "+file+", after the 2 lines earlier runs left there\n")

	c, err = parseFlags([]string{"-unprocessed", file}, nil)
	require.NoError(t, err)
	s = &summary{NotDoneIDs: []int{}}
	require.NoError(t, s.save(c.unprocessed, c.earlierLines))
	out.Reset()
	require.NoError(t, s.print(io.Discard, &out, false))
	assert.Contains(t, out.String(), "not done: none; nothing written to "+file+"\n", "a run with all done says so")

	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var got []int
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var cmd Command
		require.NoError(t, json.Unmarshal([]byte(line), &cmd))
		got = append(got, cmd.ID)
	}
	assert.Equal(t, []int{1, 2, 7}, got, "both runs' commands, in order")
}

func TestIDRanges(t *testing.T) {
	assert.Equal(t, "", idRanges(nil))
	assert.Equal(t, "#3 #7-#12 #15", idRanges([]int{3, 7, 8, 9, 10, 11, 12, 15}))
	assert.Equal(t, "#3 #7-#8 #15", idRanges([]int{15, 8, 3, 7}), "in increasing order, whatever the order given")
}

func TestJoined(t *testing.T) {
	assert.Equal(t, "8 workers joined", joined(8, 0))
	assert.Equal(t, "6 workers joined, 2 left running an abandoned command", joined(8, 2))
	assert.Equal(t, "1 worker joined", joined(1, 0))
}

// lineIndex returns the index of the first line containing substr, or -1.
func lineIndex(lines []string, substr string) int {
	return slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, substr) })
}

// startDemo starts the demo with its standard output and standard error
// merged into the child's lines, and waits for its ready line.
func startDemo(t *testing.T, args ...string) *ctrlctest.Process {
	t.Helper()
	needDemo(t)
	c := ctrlctest.Start(t, exec.Command(demoPath, args...))
	c.WaitFor("press Ctrl-C to stop")
	return c
}
