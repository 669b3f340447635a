package main

import (
	"bufio"
	"bytes"
	"context"
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
	"github.com/ctrlc-go/ctrlc/internal/testkit"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The end-to-end tests run the demo as a child process, built once here.
// The tests that send it signals are in the e2e_*, exec_*, pipe_* and tmux_*
// files; this file holds what runs everywhere: the flags, the report, and
// the handler, in process.

var (
	demoPath string // the built demo
	noDemo   string // why there is none, when there is none
)

// helpers are other programs this test binary can be: when the environment
// variable named by a key is set, TestMain runs its function with the
// command-line arguments instead of the tests (exec_unix_test.go adds the
// -exec program).
var helpers = map[string]func(args []string) int{}

func TestMain(m *testing.M) {
	for env, main := range helpers {
		if os.Getenv(env) != "" {
			os.Exit(main(os.Args[1:]))
		}
	}
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
	if !testkit.CanStart {
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

// waitLimit bounds every wait of these tests for the demo, as ctrlctest
// bounds its own: a demo that hangs fails the test instead of hanging it.
const waitLimit = 30 * time.Second

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
	needDemo(t)
	var out, errOut bytes.Buffer
	cmd := exec.Command(demoPath, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = time.Second
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the demo %v: %v", args, err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(waitLimit):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("the demo %v still ran after %v; stderr:\n%s", args, waitLimit, errOut.String())
	}
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

// startDemo starts the demo with its standard output and standard error
// merged into the child's lines, and waits for its ready line.
func startDemo(t *testing.T, args ...string) *ctrlctest.Process {
	t.Helper()
	needDemo(t)
	c := ctrlctest.Start(t, exec.Command(demoPath, args...))
	c.WaitFor("press Ctrl-C to stop")
	return c
}

// lineIndex returns the index of the first line containing substr, or -1.
func lineIndex(lines []string, substr string) int {
	return slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, substr) })
}

// TestHelp: -h prints the usage and every flag on standard output, and
// exits 0.
func TestHelp(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runDemo(t, "-h")
	assert.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Empty(t, stderr)
	assert.True(t, strings.HasPrefix(stdout, "Usage: ctrlc-demo [flags]\n"), "stdout:\n%s", stdout)
	for _, flag := range []string{"-drain-timeout duration", "-exec PROGRAM", "-fail-rate float", "-json", "-log FILE",
		"-policy string", "-queue int", "-rate float", "-service NAME", "-signals string", "-unprocessed FILE",
		"-work duration", "-workers int"} {
		assert.Contains(t, stdout, "\n  "+flag+"\n", "the help lists %s", flag)
	}
	assert.Contains(t, stdout, "finish runs them, skip keeps them unrun")
	assert.Contains(t, stdout, "A\nsecond Ctrl-C hurries the drain; a third ends the program at once.")
	assert.Contains(t, stdout, "How it ends: ")
	assert.NotContains(t, stdout, "abandon")

	code, stdout, stderr = runDemo(t, "-help")
	assert.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Contains(t, stdout, "Usage: ctrlc-demo [flags]")
}

// TestBadFlags: a bad flag or value exits 2 before the demo starts, with an
// error on standard error that names the flag and its value.
func TestBadFlags(t *testing.T) {
	t.Parallel()
	needDemo(t)
	missing := filepath.Join(testkit.TempDir(t), "no-such-dir", "file")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-workers", "0"}, `invalid value "0" for flag -workers: must be between 1 and 10000`},
		{[]string{"-workers", "eight"}, `invalid value "eight" for flag -workers: parse error`},
		{[]string{"-workers=-3"}, `invalid value "-3" for flag -workers: must be between 1 and 10000`},
		{[]string{"-rate", "0"}, `invalid value "0" for flag -rate: must be between 1e-6 and 1e6 commands per second`},
		{[]string{"-rate", "1e-300"}, `invalid value "1e-300" for flag -rate`},
		{[]string{"-rate", "2e6"}, `invalid value "2e+06" for flag -rate`},
		{[]string{"-rate", "NaN"}, `invalid value "NaN" for flag -rate`},
		{[]string{"-rate", "-Inf"}, `invalid value "-Inf" for flag -rate`},
		{[]string{"-work", "-1s"}, `invalid value "-1s" for flag -work: must not be negative`},
		{[]string{"-work", "5"}, `invalid value "5" for flag -work: parse error`},
		{[]string{"-queue", "-1"}, `invalid value "-1" for flag -queue: must be between 0 and 1e6`},
		{[]string{"-drain-timeout", "0s"}, `invalid value "0s" for flag -drain-timeout: must be positive`},
		{[]string{"-policy", "abandon"}, `invalid value "abandon" for flag -policy: must be finish or skip`},
		{[]string{"-policy", "drop"}, `invalid value "drop" for flag -policy: must be finish or skip`},
		{[]string{"-signals", "interupt"}, `invalid value "interupt" for flag -signals: ctrlc: unknown kind: "interupt" (want one of interrupt, terminate,`},
		{[]string{"-signals", "interrupt,,terminate"}, `invalid value "interrupt,,terminate" for flag -signals: ctrlc: unknown kind: ""`},
		{[]string{"-signals", ""}, `invalid value "" for flag -signals: ctrlc: unknown kind: ""`},
		{[]string{"-fail-rate", "1.5"}, `invalid value "1.5" for flag -fail-rate: must be between 0 and 1`},
		{[]string{"-fail-rate", "NaN"}, `invalid value "NaN" for flag -fail-rate`},
		{[]string{"-unprocessed", ""}, `invalid value "" for flag -unprocessed: open `},
		{[]string{"-unprocessed", missing}, fmt.Sprintf("invalid value %q for flag -unprocessed: open ", missing)},
		{[]string{"-bogus"}, `flag provided but not defined: -bogus`},
		{[]string{"extra"}, `unexpected argument "extra": ctrlc-demo takes only flags`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runDemo(t, tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			assert.True(t, strings.HasPrefix(stderr, "ctrlc-demo: "), "stderr:\n%s", stderr)
			assert.Contains(t, stderr, tc.want)
			assert.True(t, strings.HasSuffix(stderr, "Run 'ctrlc-demo -h' for the flags.\n"), "stderr:\n%s", stderr)
			assert.NotContains(t, stderr, "panic")
			assert.NotContains(t, stderr, "press Ctrl-C", "the demo must not start")
		})
	}
}

// TestBadLogFile: a -log file that cannot be opened exits 2, naming the
// flag, before the demo starts.
func TestBadLogFile(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(testkit.TempDir(t), "no-such-dir", "demo.log")
	code, stdout, stderr := runDemo(t, "-log", missing)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.True(t, strings.HasPrefix(stderr, fmt.Sprintf("ctrlc-demo: invalid value %q for flag -log: open ", missing)), "stderr:\n%s", stderr)
	assert.NotContains(t, stderr, "press Ctrl-C", "the demo must not start")
}

// parse parses args as the demo does, and fails the test on an error.
func parse(t *testing.T, args ...string) *config {
	t.Helper()
	c, err := parseFlags(args, nil)
	require.NoError(t, err)
	if c.unprocessed != nil {
		t.Cleanup(func() { c.unprocessed.Close() })
	}
	return c
}

// -drain-timeout is the whole shutdown's budget, half of it for each hook;
// -policy is the pool's policy.
func TestPoolOptions(t *testing.T) {
	c := parse(t, "-drain-timeout", "7s", "-policy", "skip", "-workers", "3", "-queue", "5")
	assert.Equal(t, pool.Options{Workers: 3, QueueSize: 5, ShutdownTimeout: 7 * time.Second, DrainTimeout: 7 * time.Second,
		HookTimeout: 3500 * time.Millisecond, Policy: pool.Skip}, c.poolOptions())
	assert.Equal(t, pool.Finish, parse(t).policy, "finish by default")
	assert.Equal(t, pool.Finish, parse(t, "-policy", "finish").policy)
}

// -signals: no flag, the library's default kinds; otherwise the kinds named,
// in the names people type.
func TestSignalsFlag(t *testing.T) {
	c := parse(t)
	assert.Nil(t, c.kinds)
	assert.Nil(t, c.listenOptions(), "the library's default")
	c = parse(t, "-signals", "interrupt, Terminate,hangup,quit,break,close,logoff,shutdown")
	assert.Equal(t, []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate, ctrlc.Hangup, ctrlc.Quit,
		ctrlc.Break, ctrlc.Close, ctrlc.Logoff, ctrlc.Shutdown}, c.kinds)
	assert.Len(t, c.listenOptions(), 1)
	c = parse(t, "-signals", "SIGINT,sigterm")
	assert.Equal(t, []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate}, c.kinds, "the names people type (ctrlc.ParseKind)")
}

// The ready line sums up the flags, warns of a backlog, and says how to stop.
func TestDescribe(t *testing.T) {
	assert.Equal(t, "8 workers, 10 commands/s, 500ms each; press Ctrl-C to stop", parse(t).describe())
	assert.Equal(t, "8 workers, 20 commands/s, 2s each (more than the 4/s the workers can finish: the queue will fill); press Ctrl-C to stop",
		parse(t, "-rate", "20", "-work", "2s").describe())
	assert.Equal(t, "8 workers, 10 commands/s, 0s each; press Ctrl-C to stop", parse(t, "-work", "0s").describe(),
		"commands that take no time never fill the queue")
	assert.Equal(t, "2 workers, 0.5 commands/s, each runs ./job, 20% failing, policy skip; press Ctrl-C to stop",
		parse(t, "-workers", "2", "-rate", "0.5", "-exec", "./job", "-fail-rate", "0.2", "-policy", "skip").describe())
	assert.Equal(t, "8 workers, 10 commands/s, 500ms each; Ctrl-C is not caught: it kills the program",
		parse(t, "-signals", "terminate").describe())
	assert.Equal(t, "8 workers, 10 commands/s, 500ms each; press Ctrl-C to stop", parse(t, "-signals", "interrupt").describe())
}

// The defaults build no backlog: the source emits fewer commands than the
// workers can finish, with room to spare, so that a Ctrl-C at any moment
// finds no command waiting.
func TestDefaultsSustainable(t *testing.T) {
	c := parse(t)
	capacity := float64(c.workers) / c.work.Seconds()
	assert.LessOrEqual(t, c.rate, 0.75*capacity, "default rate %v/s against %v/s the workers finish", c.rate, capacity)
}

// -fail-rate fails exactly that fraction of the commands, spread evenly:
// of commands 1…n, floor(n × rate) fail.
func TestFailsExactFraction(t *testing.T) {
	for _, rate := range []float64{0, 0.2, 1.0 / 3, 0.5, 0.999, 1} {
		c := &config{failRate: rate}
		ppm := int64(rate*1e6 + 0.5)
		n := 0
		for id := 1; id <= 1000; id++ {
			err := c.handle(context.Background(), Command{ID: id})
			if err != nil {
				require.Equal(t, "simulated failure (-fail-rate "+trimFloat(rate)+")", err.Error())
				n++
			}
			require.Equal(t, int64(id)*ppm/1e6, int64(n), "rate %v after %d commands", rate, id)
		}
	}
}

// A command gives up when its context ends, and says after how long and
// why.
func TestHandleCancelled(t *testing.T) {
	c := &config{work: time.Minute}
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("hurried")
	time.AfterFunc(20*time.Millisecond, func() { cancel(cause) })
	err := c.handle(ctx, Command{ID: 1})
	assert.ErrorIs(t, err, cause)
	assert.Regexp(t, `^cancelled after \d+ms: hurried$`, err.Error())
}

// cmd is a command of the given number, as the source would make it.
func cmd(id int) Command {
	return Command{ID: id, Name: commandNames[id%len(commandNames)], Channel: channelNames[id%len(channelNames)], At: time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)}
}

// The report accounts for every command received: the pool's outcomes and
// the commands the receiver loop held; the ones not done are listed queued
// (the pool's, then the loop's), interrupted, abandoned.
func TestSummaryBalance(t *testing.T) {
	r := &pool.Report[Command]{Event: ctrlc.Event{Kind: ctrlc.Terminate}, Accepted: 6, Completed: 2, Failed: 1,
		Queued: []Command{cmd(4)}, Interrupted: []Command{cmd(1)}, Abandoned: []Command{cmd(2)},
		Stages: []pool.Stage{{Name: pool.StageRun, Duration: time.Second, Err: errors.New("an item failed")},
			{Name: pool.StageBeforeStop}, {Name: pool.StageQueue}, {Name: pool.StageInFlight}, {Name: pool.StageOnStop}}}
	s := summarize(r, 7, []Command{cmd(7)}, nil)
	assert.True(t, s.Balanced)
	assert.Equal(t, 2, s.Queued, "the pool's and the one the loop held")
	assert.Equal(t, []int{4, 7, 1, 2}, s.NotDoneIDs)
	assert.Equal(t, []Command{cmd(4), cmd(7), cmd(1), cmd(2)}, s.notDone)
	assert.Equal(t, []string{"run 1s", "before-stop 0s", "queue 0s", "in-flight 0s", "on-stop 0s"}, s.Stages)
	assert.Zero(t, s.ExitCode, "an error before the shutdown is no error of the shutdown")
	assert.Equal(t, "terminate", strings.Fields(s.Event)[0])

	s = summarize(r, 8, []Command{cmd(7)}, nil)
	assert.False(t, s.Balanced, "a command received and accounted for nowhere")
	assert.Equal(t, 1, s.ExitCode)

	r.Stages[3].Err = errors.New("an item was interrupted")
	s = summarize(r, 7, []Command{cmd(7)}, nil)
	assert.Equal(t, 1, s.ExitCode, "an error of the shutdown")

	s = summarize(&pool.Report[Command]{}, 0, nil, nil)
	assert.Equal(t, "none", s.Event)
	assert.True(t, s.Balanced)
	assert.Equal(t, []int{}, s.NotDoneIDs, "none, as [] in JSON")
	assert.Equal(t, []string{}, s.Errors)
}

// The report lists each error of the shutdown's *multierror.Error, or the
// one error it got.
func TestSummaryErrors(t *testing.T) {
	var m *multierror.Error
	m = multierror.Append(m, errors.New("queue: one"), errors.New("in-flight: two"))
	s := summarize(&pool.Report[Command]{}, 0, nil, m)
	assert.Equal(t, []string{"queue: one", "in-flight: two"}, s.Errors)
	s = summarize(&pool.Report[Command]{}, 0, nil, errors.New("alone"))
	assert.Equal(t, []string{"alone"}, s.Errors)
}

// readCommands reads a file of JSON lines, one command each.
func readCommands(t *testing.T, file string) []Command {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var cmds []Command
	for i, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		require.True(t, strings.HasSuffix(line, "\n"), "line %d of %s is cut short: %q", i+1, file, line)
		var c Command
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&c), "line %d of %s: %q", i+1, file, line)
		require.Positive(t, c.ID)
		require.NotEmpty(t, c.Name)
		require.NotEmpty(t, c.Channel)
		require.False(t, c.At.IsZero())
		cmds = append(cmds, c)
	}
	return cmds
}

func ids(cmds []Command) []int {
	out := []int{}
	for _, c := range cmds {
		out = append(out, c.ID)
	}
	return out
}

// -unprocessed appends: what an earlier run set aside stays in the file,
// and a run that sets nothing aside adds nothing.
func TestUnprocessedFileAppends(t *testing.T) {
	file := testkit.TempFile(t, "left.jsonl")
	for _, notDone := range [][]Command{{cmd(1), cmd(2)}, nil, {cmd(7)}} {
		c, err := parseFlags([]string{"-unprocessed", file}, nil)
		require.NoError(t, err)
		s := &summary{notDone: notDone}
		require.NoError(t, s.save(c.unprocessed))
		assert.Equal(t, file, s.SavedTo)
		assert.Zero(t, s.ExitCode)
	}
	assert.Equal(t, []Command{cmd(1), cmd(2), cmd(7)}, readCommands(t, file), "both runs' commands, in order, whole")

	var s summary
	require.NoError(t, s.save(nil), "no -unprocessed file")
	assert.Empty(t, s.SavedTo)
}

// A failed save is an error of the shutdown.
func TestUnprocessedSaveFails(t *testing.T) {
	file := testkit.TempFile(t, "left.jsonl")
	c, err := parseFlags([]string{"-unprocessed", file}, nil)
	require.NoError(t, err)
	require.NoError(t, c.unprocessed.Close()) // writes now fail
	s := &summary{notDone: []Command{cmd(1)}}
	assert.Error(t, s.save(c.unprocessed))
	assert.Equal(t, 1, s.ExitCode)
	require.Len(t, s.Errors, 1)
	assert.True(t, strings.HasPrefix(s.Errors[0], "saving the commands not done: "), s.Errors[0])
}

// The human report says where the commands not done went; the JSON report
// is one line on its own writer, written even when the other fails.
func TestPrint(t *testing.T) {
	r := &pool.Report[Command]{Event: ctrlc.Event{Kind: ctrlc.Terminate}, Completed: 2, Queued: []Command{cmd(3), cmd(4)},
		Stages: []pool.Stage{{Name: pool.StageRun, Duration: 1500 * time.Millisecond}, {Name: pool.StageQueue}}}
	var human, js bytes.Buffer
	s := summarize(r, 4, nil, errors.New("queue: 2 queued items handed back unrun"))
	print := func(s *summary, jsonOut io.Writer, asJSON bool) {
		w := bufio.NewWriter(&human)
		s.print(jsonOut, w, asJSON)
		require.NoError(t, w.Flush())
	}
	print(s, &js, false)
	assert.Equal(t, "report: 4 commands received: 2 completed, 0 failed, 0 panicked, 2 queued, 0 interrupted, 0 abandoned\n"+
		"  stages: run 1.5s, queue 0s\n"+
		"errors (1):\n  queue: 2 queued items handed back unrun\n"+
		"not done: [3 4], lost when the program ends (-unprocessed FILE keeps them)\n", human.String())
	assert.Zero(t, js.Len(), "no -json")

	human.Reset()
	s.SavedTo = "left.jsonl"
	print(s, &js, true)
	assert.Contains(t, human.String(), "\nnot done: 2 commands, saved to left.jsonl\n")
	assert.Equal(t, 1, strings.Count(js.String(), "\n"))
	var back map[string]any
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, []any{3.0, 4.0}, back["not_done_ids"])
	assert.Equal(t, "left.jsonl", back["saved_to"])
	assert.Equal(t, true, back["balanced"])

	human.Reset()
	s = summarize(&pool.Report[Command]{Completed: 1}, 1, nil, nil)
	print(s, failing{}, true)
	assert.Contains(t, human.String(), "\nnot done: none\n")
	assert.Equal(t, 1, s.ExitCode, "the JSON report could not be written")
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

// A failed write to the terminal does not stop the demo: lenient says it
// went well.
func TestLenient(t *testing.T) {
	n, err := lenient{failing{}}.Write([]byte("hello"))
	assert.Equal(t, 5, n)
	assert.NoError(t, err)
}

// The dropped pool's line claims no count of workers it cannot know (an
// idle pool started none), and counts the abandoned ones in good English.
func TestDropped(t *testing.T) {
	assert.Equal(t, "Dropped the worker pool: no worker left running.", dropped(0))
	assert.Equal(t, "Dropped the worker pool: 1 worker left running an abandoned command.", dropped(1))
	assert.Equal(t, "Dropped the worker pool: 3 workers left running abandoned commands.", dropped(3))
}

// Counts read as English: "1 command", "2 commands".
func TestPlural(t *testing.T) {
	assert.Equal(t, "0 commands", plural(0, "command"))
	assert.Equal(t, "1 worker", plural(1, "worker"))
	assert.Equal(t, "2 workers", plural(2, "worker"))
	assert.Equal(t, "1 worker, 2 commands/s, 500ms each; press Ctrl-C to stop", parse(t, "-workers", "1", "-rate", "2").describe())
}

// The demo ends by the event after the events a user or a terminal sends
// (a shell loop around it stops), and with a code after a supervisor's.
func TestEndsBySignal(t *testing.T) {
	for _, k := range []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Break, ctrlc.Hangup, ctrlc.Close} {
		assert.True(t, endsBySignal(ctrlc.Event{Kind: k}), "%v", k)
	}
	for _, k := range []ctrlc.Kind{0, ctrlc.Terminate, ctrlc.Quit, ctrlc.Logoff, ctrlc.Shutdown} {
		assert.False(t, endsBySignal(ctrlc.Event{Kind: k}), "%v", k)
	}
}

// TestProgressDrainingAfterItsAnnouncement: a tick that comes between the
// stop event and the line that announces the drain prints nothing, neither
// "running" nor "draining"; after the announcement, ticks print "draining".
func TestProgressDrainingAfterItsAnnouncement(t *testing.T) {
	workers, err := pool.New(func(context.Context, Command) error { return nil }, pool.Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	pr := startProgress(ctx, &out, workers, &receiver{}, func(...error) {})
	pr.stop() // the test ticks by hand
	pr.stopped = false

	pr.line() // the first tick of the run: running lines come every other second
	pr.line()
	assert.Regexp(t, `^running [0-9.]+m?s: 0 commands received`, out.String())

	out.Reset()
	cancel()
	pr.line()
	pr.line()
	assert.Empty(t, out.String(), "stopped, but the drain not yet announced")

	pr.draining("shutting down…")
	pr.line()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2, out.String())
	assert.Equal(t, "shutting down…", lines[0])
	assert.Regexp(t, `^draining [0-9.]+m?s: 0 commands received, 0 done, 0 running, 0 queued; a second Ctrl-C`, lines[1])

	pr.stop()
	_, err = workers.Run(ctx)
	require.NoError(t, err)
}

// TestProgressCountsTheHeldCommandAndTheHurry: a command the receiver loop
// holds, waiting for room, counts as queued, as the report counts it; once a
// second event hurried the drain, the draining line no longer offers the
// hurry and says what the next event does.
func TestProgressCountsTheHeldCommandAndTheHurry(t *testing.T) {
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), ctrlc.WithoutForceExit())
	require.NoError(t, err)
	defer stop()
	workers, err := pool.New(func(context.Context, Command) error { return nil }, pool.Options{})
	require.NoError(t, err)
	var out bytes.Buffer
	loop := &receiver{}
	loop.received.Store(1)
	loop.waiting.Store(true)
	release := make(chan struct{})
	require.NoError(t, workers.BeforeStop("the receiver loop", func(context.Context) error { <-release; return nil }))
	pr := startProgress(ctx, &out, workers, loop, func(...error) {})
	pr.stop() // the test ticks by hand
	pr.stopped = false
	done := make(chan error, 1)
	go func() { _, err := workers.Run(ctx); done <- err }()

	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}))
	<-ctx.Done()
	pr.draining("shutting down…")
	pr.line()
	assert.Contains(t, out.String(), "1 command received, 0 done, 0 running, 1 queued (full: the receiver loop holds one, waiting for room); a second Ctrl-C")

	out.Reset()
	require.NoError(t, ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}))
	require.Eventually(t, func() bool { return workers.Stats().Hurried }, 10*time.Second, time.Millisecond)
	pr.line()
	close(release)
	require.NoError(t, <-done)
	assert.Regexp(t, `^draining [0-9.]+m?s: 1 command received, 0 done, 0 running, 1 queued \(full: the receiver loop holds one, waiting for room\); `+
		`hurried: the commands not done come back, and one more Ctrl-C \(or stop event\) ends the program now\n$`, out.String())
	pr.stop()
}
