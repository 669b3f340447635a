//go:build windows

package main

import (
	"os/exec"
	"testing"
	"time"
	"unsafe"

	"github.com/ctrlc-go/ctrlc/internal/proctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// A real CTRL_BREAK_EVENT to the demo, which proctest starts in a process
// group of its own (CREATE_NEW_PROCESS_GROUP): CTRL_C cannot target a group.

// sendBreak sends CTRL_BREAK_EVENT to the child's process group. Wine cannot
// (see DESIGN.md): there the test skips, and real Windows runs it.
func sendBreak(t *testing.T, c *proctest.Child) {
	t.Helper()
	if v, wine := wineVersion(); wine {
		if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(c.Cmd.Process.Pid)); err != nil {
			t.Skipf("Wine %s cannot send CTRL_BREAK_EVENT to a process group: %v; real Windows runs this test", v, err)
		}
		return
	}
	c.Interrupt()
}

// wineVersion returns Wine's version when the test runs under Wine, whose
// ntdll exports wine_get_version.
func wineVersion() (string, bool) {
	p := windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version")
	if p.Find() != nil {
		return "", false
	}
	r, _, _ := p.Call()
	if r == 0 {
		return "?", true
	}
	return windows.BytePtrToString(*(**byte)(unsafe.Pointer(&r))), true
}

func startDemo(t *testing.T, args ...string) *proctest.Child {
	t.Helper()
	needDemo(t)
	c := proctest.Start(t, exec.Command(demoPath, args...))
	c.WaitFor("press Ctrl-C to stop")
	return c
}

// TestCtrlBreak runs the demo with no flags and sends CTRL_BREAK: the story's
// lines come in order and the demo exits 0.
func TestCtrlBreak(t *testing.T) {
	c := startDemo(t)
	time.Sleep(300 * time.Millisecond)
	sendBreak(t, c)
	code, err := c.Wait()
	require.Equal(t, 0, code, "exit code (%v); output:\n%s", err, c.Output())
	assert.True(t, c.Order(
		"press Ctrl-C to stop",
		"received break (CTRL_BREAK_EVENT), shutting down…",
		"Worker loop done.",
		"dropped worker pool (8 workers joined)",
		"report: ",
		"Good bye!",
	), c.Output())
	lines := c.Lines()
	assert.Equal(t, "Good bye!", lines[len(lines)-1])
	assert.Equal(t, 1, c.Count("Good bye!"))
	assert.Zero(t, c.Count("errors ("))
}

// TestSecondCtrlBreakForcesExit: a second CTRL_BREAK during a slow drain
// ends the demo with 130 (Go maps CTRL_BREAK to SIGINT).
func TestSecondCtrlBreakForcesExit(t *testing.T) {
	c := startDemo(t, "-workers", "1", "-work", "1m", "-rate", "100", "-queue", "3")
	time.Sleep(100 * time.Millisecond)
	sendBreak(t, c)
	c.WaitFor("draining ")
	sendBreak(t, c)
	code, err := c.Wait()
	require.Equal(t, 130, code, "exit code (%v); output:\n%s", err, c.Output())
	assert.True(t, c.Order("received break (CTRL_BREAK_EVENT), shutting down…", "Worker loop done.", "draining ",
		"ctrlc: break (CTRL_BREAK_EVENT) is event 2 during shutdown: exiting with code 130"), c.Output())
	assert.Zero(t, c.Count("Good bye!"))
}
