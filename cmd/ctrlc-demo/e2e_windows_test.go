//go:build windows

package main

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Real console events to the demo, sent with ctrlctest, which starts the demo
// (startDemo) on the test's console, without a process group of its own, and
// injects each event the way the console does: under Wine as on Windows.

// TestCtrlBreak runs the demo with no flags and sends CTRL_BREAK: the story's
// lines come in order, and after the drain the demo ends as Windows ends a
// program on Ctrl-C or Ctrl-Break (ctrlc.Exit): STATUS_CONTROL_C_EXIT.
func TestCtrlBreak(t *testing.T) {
	c := startDemo(t)
	time.Sleep(300 * time.Millisecond)
	c.Send(ctrlc.Break)
	st := c.Status()
	require.Equal(t, uint32(ctrlctest.StatusControlCExit), uint32(st.Code), "the demo %v; output:\n%s", st, c.Output())
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
// forces the exit: the demo's last word names the commands not done, and
// the demo ends with STATUS_CONTROL_C_EXIT (ctrlc.Exit). The receiver loop,
// blocked on a full queue behind a command of a minute, never got room.
func TestSecondCtrlBreakForcesExit(t *testing.T) {
	c := startDemo(t, "-workers", "1", "-work", "1m", "-rate", "100", "-queue", "3")
	time.Sleep(100 * time.Millisecond)
	c.Send(ctrlc.Break)
	c.WaitFor("draining ")
	c.Send(ctrlc.Break)
	st := c.Status()
	require.Equal(t, uint32(ctrlctest.StatusControlCExit), uint32(st.Code), "the demo %v; output:\n%s", st, c.Output())
	assert.True(t, c.Order("received break (CTRL_BREAK_EVENT), shutting down…", "draining ",
		"ctrlc: break (CTRL_BREAK_EVENT) is event 2 during shutdown", "break (CTRL_BREAK_EVENT): the last word: 0 of ",
		"not done: #1-#"), c.Output())
	assert.Zero(t, c.Count("Good bye!"))
}

// TestCloseDrainsInsideTheHold: a real CTRL_CLOSE_EVENT (the console window
// closed). The demo must drain, write its report and its -unprocessed file
// while the close handler holds the process open, and only then be ended,
// as Windows ends it: exit status STATUS_CONTROL_C_EXIT.
func TestCloseDrainsInsideTheHold(t *testing.T) {
	unprocessed := ctrlctest.TempFile(t, "unprocessed.jsonl")
	// One slow worker and a full queue, abandoned at the drain: the running
	// command finishes within the hold and the queued ones are handed back.
	c := startDemo(t, "-workers", "1", "-work", "1s", "-rate", "100", "-queue", "4",
		"-policy", "abandon", "-unprocessed", unprocessed)
	time.Sleep(200 * time.Millisecond)
	c.Send(ctrlc.Close) // returns once the demo has ended
	st := c.Status()
	assert.True(t, c.Order(
		"received close (CTRL_CLOSE_EVENT), shutting down…",
		"Worker loop done.",
		"dropped worker pool (1 worker joined)",
		"report: ",
		"Good bye!",
	), c.Output())
	// Once the drain is over the demo ends by the event (ctrlc.Exit), with
	// the status Windows gives a process it ends after a close.
	assert.Equal(t, uint32(ctrlctest.StatusControlCExit), uint32(st.Code),
		"the demo %v; want STATUS_CONTROL_C_EXIT, once it said good bye; output:\n%s", st, c.Output())

	f, err := os.Open(unprocessed)
	require.NoError(t, err)
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		var cmd map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &cmd), "line %d of the -unprocessed file: %q", n+1, sc.Text())
	}
	assert.Positive(t, n, "the -unprocessed file is empty; output:\n%s", c.Output())
}
