//go:build windows

package ctrlc_test

import (
	"strconv"
	"testing"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// The parent side of Exit's Windows tests: the child scenarios are in
// exit_windows_test.go.

const wantStatus = 0xC000013A // STATUS_CONTROL_C_EXIT

func TestExitStatusControlCExit(t *testing.T) {
	for _, k := range []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Break, ctrlc.Close, ctrlc.Terminate} {
		t.Run(k.String(), func(t *testing.T) {
			cmd := ctrlctest.Self("win-exit")
			cmd.Env = append(cmd.Env, "CHILD_KIND="+strconv.Itoa(int(k)))
			c := ctrlctest.Start(t, cmd)
			if st := c.Wait(); uint32(st.Code) != wantStatus || !st.EndedBy(k) {
				t.Fatalf("%v; want STATUS_CONTROL_C_EXIT %#x; output:\n%s", st, uint32(wantStatus), c.Output())
			}
			if c.Count("Exit returned") != 0 {
				t.Fatalf("Exit returned:\n%s", c.Output())
			}
		})
	}
	t.Run("no event", func(t *testing.T) {
		cmd := ctrlctest.Self("win-exit")
		cmd.Env = append(cmd.Env, "CHILD_KIND=0")
		c := ctrlctest.Start(t, cmd)
		if st := c.Wait(); !st.Success() { // Exit of the zero Event: no event came
			t.Fatalf("%v; want exit code 0; output:\n%s", st, c.Output())
		}
	})
}

func TestForcedExitStatusControlCExit(t *testing.T) {
	c := ctrlctest.Start(t, ctrlctest.Self("win-forced"))
	if st := c.Wait(); uint32(st.Code) != wantStatus {
		t.Fatalf("%v; want STATUS_CONTROL_C_EXIT %#x; output:\n%s", st, uint32(wantStatus), c.Output())
	}
	if c.Count("ctrlc: interrupt (CTRL_C_EVENT) is event 2 during the shutdown: exiting now") != 1 || c.Count("clean exit") != 0 {
		t.Fatalf("no forced exit:\n%s", c.Output())
	}
}

// A second console close while the first holds the process is the same
// stop: one event, and the second returns when the first's hold ends.
func TestSecondCloseIsTheSameStop(t *testing.T) {
	c := ctrlctest.Start(t, ctrlctest.Self("win-close-twice"))
	if st := c.Wait(); !st.Success() {
		t.Fatalf("%v; output:\n%s", st, c.Output())
	}
	if !c.Order("shutting down after close (CTRL_CLOSE_EVENT) deadline in 500ms", "the second close returned with the first's hold") {
		t.Fatalf("output:\n%s", c.Output())
	}
}
