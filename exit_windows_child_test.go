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
			if st := c.Status(); uint32(st.Code) != wantStatus {
				t.Fatalf("%v; want STATUS_CONTROL_C_EXIT %#x; output:\n%s", st, uint32(wantStatus), c.Output())
			}
			if c.Count("Exit returned") != 0 {
				t.Fatalf("Exit returned:\n%s", c.Output())
			}
		})
	}
	t.Run("unknown kind", func(t *testing.T) {
		cmd := ctrlctest.Self("win-exit")
		cmd.Env = append(cmd.Env, "CHILD_KIND=0")
		c := ctrlctest.Start(t, cmd)
		if code, err := c.Wait(); code != 1 {
			t.Fatalf("exit status %d (%v); want 1; output:\n%s", code, err, c.Output())
		}
	})
}

func TestForcedExitStatusControlCExit(t *testing.T) {
	c := ctrlctest.Start(t, ctrlctest.Self("win-forced"))
	if st := c.Status(); uint32(st.Code) != wantStatus {
		t.Fatalf("%v; want STATUS_CONTROL_C_EXIT %#x; output:\n%s", st, uint32(wantStatus), c.Output())
	}
	if c.Count("is event 2 during shutdown: exiting") != 1 || c.Count("clean exit") != 0 {
		t.Fatalf("no forced exit:\n%s", c.Output())
	}
}

func TestCloseEventForcedExit(t *testing.T) {
	c := ctrlctest.Start(t, ctrlctest.Self("win-close-forced"))
	if st := c.Status(); uint32(st.Code) != wantStatus {
		t.Fatalf("%v; want STATUS_CONTROL_C_EXIT %#x; output:\n%s", st, uint32(wantStatus), c.Output())
	}
	if !c.Order("close (CTRL_CLOSE_EVENT) is event 1 during shutdown", "last word on close (CTRL_CLOSE_EVENT) deadline in 4.5s") || c.Count("clean exit") != 0 {
		t.Fatalf("output:\n%s", c.Output())
	}
}
