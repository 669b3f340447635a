//go:build unix

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Broken pipes: `ctrlc-demo 2>&1 | head -3`, or a log reader that died, and
// then Ctrl-C or a hang-up. Writes to the pipe fail (EPIPE) from then on;
// the demo must still drain, save the commands not done, and end by the
// event, not be killed by SIGPIPE halfway.

// startPiped starts the demo in a process group of its own with one of its
// standard output and standard error on a pipe and the other on a file,
// waits for the ready line, and closes the pipe's reading end. It returns
// the demo, the file, and a channel closed once the demo was waited for.
func startPiped(t *testing.T, brokenStdout bool, args ...string) (cmd *exec.Cmd, file string, done <-chan struct{}) {
	t.Helper()
	needDemo(t)
	file = filepath.Join(t.TempDir(), "output")
	f, err := os.Create(file)
	require.NoError(t, err)
	defer f.Close()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer w.Close()
	cmd = exec.Command(demoPath, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if brokenStdout {
		cmd.Stdout, cmd.Stderr = w, f
	} else {
		cmd.Stdout, cmd.Stderr = f, w
	}
	require.NoError(t, cmd.Start())
	ch := make(chan struct{})
	go func() {
		_ = cmd.Wait() // its error is in cmd.ProcessState
		close(ch)
	}()
	t.Cleanup(func() {
		select {
		case <-ch:
			return
		default:
		}
		_ = cmd.Process.Kill()
		select {
		case <-ch:
		case <-time.After(waitLimit):
			t.Errorf("the demo (pid %d) did not end when killed", cmd.Process.Pid)
		}
	})
	w.Close()

	deadline := time.Now().Add(waitLimit)
	if brokenStdout { // the ready line is in the file
		for {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			if strings.Contains(string(data), "press Ctrl-C to stop") {
				break
			}
			require.True(t, time.Now().Before(deadline), "no ready line:\n%s", data)
			time.Sleep(10 * time.Millisecond)
		}
	} else {
		ready := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(r).ReadString('\n')
			ready <- line
		}()
		select {
		case line := <-ready:
			require.Contains(t, line, "press Ctrl-C to stop")
		case <-time.After(waitLimit):
			t.Fatal("no ready line on standard error")
		}
	}
	require.NoError(t, r.Close()) // the pipe is broken from here on
	return cmd, file, ch
}

// waitPiped waits for the demo started by startPiped and checks that it
// ended by the event's signal. A demo killed by SIGPIPE skips the test: the
// library's part (SIGPIPE notified while a listener lives) is on a branch
// of its own.
func waitPiped(t *testing.T, cmd *exec.Cmd, done <-chan struct{}, sig syscall.Signal, output string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatalf("the demo still runs %v after the signal; output:\n%s", waitLimit, output)
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	require.False(t, ws.Signaled() && ws.Signal() == syscall.SIGPIPE, "the demo was killed by SIGPIPE mid-drain; output:\n%s", output)
	require.True(t, ws.Signaled() && ws.Signal() == sig, "want the demo killed by %v; it ended with %v", sig, cmd.ProcessState)
}

var pipeEvents = []struct {
	name string
	sig  syscall.Signal
	kind ctrlc.Kind
}{{"interrupt", syscall.SIGINT, ctrlc.Interrupt}, {"hangup", syscall.SIGHUP, ctrlc.Hangup}}

// TestBrokenStderr: with standard error on a broken pipe, SIGINT (and, in
// another run, SIGHUP) drains: the JSON report on standard output and the
// -unprocessed file are whole, and the demo ends by the signal.
func TestBrokenStderr(t *testing.T) {
	for _, ev := range pipeEvents {
		t.Run(ev.name, func(t *testing.T) {
			t.Parallel()
			unprocessed := filepath.Join(t.TempDir(), "left.jsonl")
			cmd, stdout, done := startPiped(t, false, "-policy", "skip", "-work", "1s", "-rate", "20", "-unprocessed", unprocessed, "-json")
			time.Sleep(700 * time.Millisecond) // 8 running, a few queued; no progress line yet
			require.NoError(t, cmd.Process.Signal(ev.sig))
			waitPiped(t, cmd, done, ev.sig, "")
			s := readSummary(t, stdout)
			assert.Equal(t, ev.kind.String(), strings.Fields(s.Event)[0])
			assert.Positive(t, s.Completed, "the running commands finished")
			assert.Positive(t, s.Queued, "the queued ones were kept")
			assert.Equal(t, s.Received, s.Completed+s.Queued)
			assert.Empty(t, s.Errors)
			assertSaved(t, s, unprocessed)
		})
	}
}

// TestBrokenStdout: with standard output on a broken pipe and -json, the
// same: the story on standard error is whole, "Good bye!" last, the
// -unprocessed file holds the commands the report counts as queued, and the
// demo ends by the signal.
func TestBrokenStdout(t *testing.T) {
	for _, ev := range pipeEvents {
		t.Run(ev.name, func(t *testing.T) {
			t.Parallel()
			unprocessed := filepath.Join(t.TempDir(), "left.jsonl")
			cmd, stderr, done := startPiped(t, true, "-policy", "skip", "-work", "1s", "-rate", "20", "-unprocessed", unprocessed, "-json")
			time.Sleep(700 * time.Millisecond)
			require.NoError(t, cmd.Process.Signal(ev.sig))
			data, _ := os.ReadFile(stderr)
			waitPiped(t, cmd, done, ev.sig, string(data))
			data, err := os.ReadFile(stderr)
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			event := ev.kind.String() + " (" + map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGHUP: "SIGHUP"}[ev.sig] + ")"
			assertStory(t, lines, event)
			m := reportLine.FindStringSubmatch(lines[lineIndex(lines, "report: ")])
			require.NotNil(t, m, "the report:\n%s", data)
			saved := readCommands(t, unprocessed)
			assert.Equal(t, m[5], strconv.Itoa(len(saved)), "the -unprocessed file holds the queued commands:\n%s", data)
			assert.Equal(t, "0", m[6], "none interrupted")
			assert.Contains(t, string(data), "\nnot done: "+strconv.Itoa(len(saved))+" commands, saved to "+unprocessed+"\n")
		})
	}
}
