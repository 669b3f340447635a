//go:build windows

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real CTRL_BREAK_EVENT to the demo, which proctest starts in a process
// group of its own (CREATE_NEW_PROCESS_GROUP): CTRL_C cannot target a group.

// TestCtrlBreak runs the demo with no flags and sends CTRL_BREAK: the story's
// lines come in order and the demo exits 0.
func TestCtrlBreak(t *testing.T) {
	c := startDemo(t)
	time.Sleep(300 * time.Millisecond)
	c.Interrupt()
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
	c.Interrupt()
	c.WaitFor("draining ")
	c.Interrupt()
	code, err := c.Wait()
	require.Equal(t, 130, code, "exit code (%v); output:\n%s", err, c.Output())
	assert.True(t, c.Order("received break (CTRL_BREAK_EVENT), shutting down…", "Worker loop done.", "draining ",
		"ctrlc: break (CTRL_BREAK_EVENT) is event 2 during shutdown: exiting with code 130"), c.Output())
	assert.Zero(t, c.Count("Good bye!"))
}
