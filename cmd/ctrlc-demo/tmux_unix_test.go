//go:build unix

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo in a real terminal: a tmux pane, driven as a person would drive
// it. Closing the terminal (tmux kill-session) hangs it up: the kernel sends
// SIGHUP, and writes to the terminal fail from then on. Ctrl-C typed in the
// pane (send-keys C-c) is the terminal's SIGINT to its foreground group.

// tmuxServer is a tmux server of the test's own, on a socket in a temporary
// directory, killed when the test ends.
type tmuxServer struct {
	t    *testing.T
	sock string
}

func newTmux(t *testing.T) *tmuxServer {
	t.Helper()
	needDemo(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CTRLC_REQUIRE_TMUX") != "" { // .ci/run installs it
			t.Fatalf("no tmux (Debian package tmux), and CTRLC_REQUIRE_TMUX is set: %v", err)
		}
		t.Skipf("no tmux (Debian package tmux): %v", err)
	}
	dir := t.TempDir()
	if len(dir) > 90 { // a socket's path has room for about 100 bytes
		d, err := os.MkdirTemp("", "tmux")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(d) })
		dir = d
	}
	x := &tmuxServer{t: t, sock: filepath.Join(dir, "sock")}
	t.Cleanup(func() { _, _ = x.try("kill-server") })
	return x
}

// try runs a tmux command on the test's server.
func (x *tmuxServer) try(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", append([]string{"-S", x.sock, "-f", os.DevNull}, args...)...)
	cmd.Env = append(os.Environ(), "TMUX=") // not a client of a tmux this test runs in
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// run runs a tmux command and fails the test when it fails.
func (x *tmuxServer) run(args ...string) string {
	x.t.Helper()
	out, err := x.try(args...)
	require.NoError(x.t, err, "tmux %q: %s", args, out)
	return out
}

// screen returns what the pane shows and showed, wrapped lines joined.
func (x *tmuxServer) screen() string {
	x.t.Helper()
	return x.run("capture-pane", "-p", "-J", "-S", "-", "-t", "demo")
}

// waitScreen waits until the pane shows substr.
func (x *tmuxServer) waitScreen(substr string) {
	x.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(x.screen(), substr) {
		if time.Now().After(deadline) {
			x.t.Fatalf("no %q in the pane after %v; it shows:\n%s", substr, waitLimit, x.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startDemo starts the demo in a detached session named demo, the shell of
// the pane exec'ing it (so the demo is the pane's process) with stdout to
// out, and waits for its ready line; remain keeps the pane once the demo
// ended, so that its end can be read. It returns the demo's pid.
func (x *tmuxServer) startDemo(remain bool, out string, args ...string) int {
	x.t.Helper()
	line := "exec " + shellQuote(demoPath)
	for _, a := range args {
		line += " " + shellQuote(a)
	}
	line += " >" + shellQuote(out)
	var cmd []string
	if remain {
		cmd = []string{"start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";"}
	}
	x.run(append(cmd, "new-session", "-d", "-s", "demo", "-x", "250", "-y", "50", line)...)
	x.waitScreen("press Ctrl-C to stop")
	pid, err := strconv.Atoi(strings.TrimSpace(x.run("display-message", "-p", "-t", "demo", "#{pane_pid}")))
	require.NoError(x.t, err)
	assert.Contains(x.t, x.screen(), fmt.Sprintf("ctrlc-demo (pid %d): ", pid), "the pane's process is the demo")
	return pid
}

// waitDead waits until the pane's process, the demo (pid), ended and
// returns the signal that ended it ("" if none) and its exit status ("" if
// none), as tmux tells them. tmux 3.3 sometimes leaves a pane dead at the
// end of its output without reaping its process, and so without a status:
// on Linux the zombie's status is then read from /proc.
func (x *tmuxServer) waitDead(pid int) (signal, status string) {
	x.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		f := strings.Split(strings.TrimSpace(x.run("display-message", "-p", "-t", "demo", "#{pane_dead}|#{pane_dead_signal}|#{pane_dead_status}")), "|")
		require.Len(x.t, f, 3)
		if f[0] == "1" && f[1]+f[2] != "" {
			return f[1], f[2]
		}
		if ws, ok := zombieStatus(pid); ok {
			if ws.Signaled() {
				return strconv.Itoa(int(ws.Signal())), ""
			}
			return "", strconv.Itoa(ws.ExitStatus())
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("the demo still runs in the pane after %v; it shows:\n%s", waitLimit, x.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zombieStatus returns the wait status of the process pid if it is a
// zombie (Linux: field 52 of /proc/PID/stat).
func zombieStatus(pid int) (syscall.WaitStatus, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // from field 3, the state
	if len(fields) < 50 || fields[0] != "Z" {
		return 0, false
	}
	n, err := strconv.Atoi(fields[52-3])
	if err != nil {
		return 0, false
	}
	return syscall.WaitStatus(n), true
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// waitExited waits until the process pid has exited (a zombie has).
func waitExited(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for len(leftAlive(t, []int{pid}, nil)) > 0 {
		require.True(t, time.Now().Before(deadline), "the demo (pid %d) still runs after %v", pid, waitLimit)
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTmuxKillSession: the user closes the terminal while commands of 2 s
// run (tmux kill-session). The demo drains with its terminal gone: the
// JSON report on stdout is whole and balanced, and the -unprocessed file
// holds every command not done.
func TestTmuxKillSession(t *testing.T) {
	t.Parallel()
	x := newTmux(t)
	dir := t.TempDir()
	out, file := filepath.Join(dir, "out.json"), filepath.Join(dir, "left.jsonl")
	pid := x.startDemo(false, out, "-work", "2s", "-rate", "20", "-unprocessed", file, "-json")
	time.Sleep(500 * time.Millisecond)
	x.run("kill-session", "-t", "demo")
	waitExited(t, pid)
	s := readSummary(t, out)
	assert.Equal(t, "hangup (SIGHUP)", s.Event, "closing the terminal hangs the demo up")
	assert.Positive(t, s.Received)
	assert.Empty(t, s.Errors, "one hang-up, no hurry: the drain ran to its end")
	assert.Equal(t, s.Received, s.Completed)
	assertSaved(t, s, file)
}

// TestTmuxCtrlC: Ctrl-C typed once in the pane drains as SIGINT does, and
// the demo ends by SIGINT; typed twice it hurries the drain, and the
// commands not done are saved.
func TestTmuxCtrlC(t *testing.T) {
	for _, times := range []int{1, 2} {
		t.Run(strconv.Itoa(times), func(t *testing.T) {
			t.Parallel()
			x := newTmux(t)
			dir := t.TempDir()
			out, file := filepath.Join(dir, "out.json"), filepath.Join(dir, "left.jsonl")
			pid := x.startDemo(true, out, "-work", "2s", "-rate", "20", "-unprocessed", file, "-json")
			time.Sleep(500 * time.Millisecond)
			x.run("send-keys", "-t", "demo", "C-c")
			if times == 2 {
				x.waitScreen("received interrupt (SIGINT), shutting down…")
				time.Sleep(100 * time.Millisecond)
				x.run("send-keys", "-t", "demo", "C-c")
			}
			sig, status := x.waitDead(pid)
			assert.Equal(t, strconv.Itoa(int(syscall.SIGINT)), sig, "the demo ends by SIGINT (status %q); the pane shows:\n%s", status, x.screen())
			screen := x.screen()
			lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
			for len(lines) > 0 && (strings.TrimSpace(lines[len(lines)-1]) == "" || strings.HasPrefix(lines[len(lines)-1], "Pane is dead")) {
				lines = lines[:len(lines)-1]
			}
			for i, l := range lines {
				lines[i] = strings.TrimRight(strings.TrimPrefix(l, "^C"), " ") // the terminal's echo of Ctrl-C
			}
			assertStory(t, lines, "interrupt (SIGINT)")
			s := readSummary(t, out)
			assert.Equal(t, "interrupt (SIGINT)", s.Event)
			assertSaved(t, s, file)
			if times == 1 {
				assert.NotContains(t, screen, "hurrying")
				assert.Empty(t, s.Errors)
				assert.Equal(t, s.Received, s.Completed)
			} else {
				assert.Contains(t, screen, "ctrlc: interrupt (SIGINT) again: hurrying the shutdown")
				assert.Positive(t, s.Interrupted, "commands of 2 s were running")
				assert.Contains(t, strings.Join(s.Errors, "\n"), "hurried by interrupt (SIGINT)")
			}
		})
	}
}
