//go:build windows

package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Real console events to the demo, sent with ctrlctest, which starts the demo
// (startDemo) on the test's console, without a process group of its own, and
// injects each event the way the console does: under Wine as on Windows.

// wantControlCExit waits for the demo and checks that it ended as Windows
// ends a program on Ctrl-C, Ctrl-Break or a console close (ctrlc.Exit):
// STATUS_CONTROL_C_EXIT.
func wantControlCExit(t *testing.T, c *ctrlctest.Process, k ctrlc.Kind) {
	t.Helper()
	st := c.Wait()
	require.True(t, st.EndedBy(k), "the demo %v; output:\n%s", st, c.Output())
	require.Equal(t, uint32(ctrlctest.StatusControlCExit), uint32(st.Code), "the demo %v; output:\n%s", st, c.Output())
}

// TestCtrlBreak runs the demo with no flags and sends CTRL_BREAK: the story's
// lines come in order, and after the drain the demo ends as Windows ends a
// program on Ctrl-C or Ctrl-Break (ctrlc.Exit): STATUS_CONTROL_C_EXIT.
func TestCtrlBreak(t *testing.T) {
	c := startDemo(t)
	time.Sleep(300 * time.Millisecond)
	c.Send(ctrlc.Break)
	wantControlCExit(t, c, ctrlc.Break)
	assert.True(t, c.Order(
		"press Ctrl-C to stop",
		"received break (CTRL_BREAK_EVENT), shutting down…",
		"Worker loop done.",
		"Dropped the worker pool: no worker left running.",
		"report: ",
		"not done: none",
		"Good bye!",
	), c.Output())
	lines := c.Lines()
	assert.Equal(t, "Good bye!", lines[len(lines)-1])
	assert.Equal(t, 1, c.Count("Good bye!"))
	assert.Zero(t, c.Count("errors ("))
}

// TestSecondCtrlBreakHurries: a second CTRL_BREAK during a slow drain
// hurries it: the command of a minute is cancelled (interrupted), the queued
// ones and the one the receiver loop held come back unrun, the report says
// so, and the demo still says good bye and ends with STATUS_CONTROL_C_EXIT.
func TestSecondCtrlBreakHurries(t *testing.T) {
	c := startDemo(t, "-workers", "1", "-work", "1m", "-rate", "100", "-queue", "3")
	time.Sleep(200 * time.Millisecond) // 1 running, 3 queued, the loop waiting with one more
	c.Send(ctrlc.Break)
	c.WaitFor("received break (CTRL_BREAK_EVENT), shutting down…")
	time.Sleep(100 * time.Millisecond) // not a duplicate
	c.Send(ctrlc.Break)
	wantControlCExit(t, c, ctrlc.Break)
	assert.True(t, c.Order("received break (CTRL_BREAK_EVENT), shutting down…",
		"ctrlc: break (CTRL_BREAK_EVENT) again: hurrying the shutdown (once more ends the program now)",
		"Dropped the worker pool: no worker left running.", "report: ", "not done: ", "Good bye!"), c.Output())
	report := c.WaitFor("report: ")
	assert.Regexp(t, `^report: (\d+) commands? received: 0 completed, 0 failed, 0 panicked, [3-9]\d* queued, 1 interrupted, 0 abandoned$`, report)
	assert.Contains(t, c.Output(), "hurried by break (CTRL_BREAK_EVENT)")
	assert.Zero(t, c.Count("exiting now"), "the hurried drain returned in time")
}

// TestCloseDrainsInsideTheHold: a real CTRL_CLOSE_EVENT (the console window
// closed). The demo must drain, write its report and its -unprocessed file
// while the close handler holds the process open, and only then be ended,
// as Windows ends it: exit status STATUS_CONTROL_C_EXIT.
func TestCloseDrainsInsideTheHold(t *testing.T) {
	unprocessed := testkit.TempFile(t, "unprocessed.jsonl")
	// One slow worker and a full queue, kept unrun at the drain (-policy
	// skip): the running command finishes within the hold and the queued
	// ones are saved.
	c := startDemo(t, "-workers", "1", "-work", "1s", "-rate", "100", "-queue", "4",
		"-policy", "skip", "-unprocessed", unprocessed)
	time.Sleep(200 * time.Millisecond)
	c.Send(ctrlc.Close) // returns once the demo has ended
	wantControlCExit(t, c, ctrlc.Close)
	assert.True(t, c.Order(
		"received close (CTRL_CLOSE_EVENT), shutting down…",
		"Worker loop done.",
		"Dropped the worker pool: no worker left running.",
		"report: ",
		"not done: ",
		"Good bye!",
	), c.Output())
	saved := readCommands(t, unprocessed)
	assert.NotEmpty(t, saved, "the -unprocessed file is empty; output:\n%s", c.Output())
	assert.Contains(t, c.Output(), "not done: "+strconv.Itoa(len(saved))+" commands, saved to "+unprocessed)
}
