//go:build windows

package ctrlctest_test

import (
	"testing"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// TestSendEndsAHoldAtWindowsLimit: a close handler that holds the process
// longer than Windows allows (5 s) is cut short, as Windows does: Send
// returns then, with the process ended.
func TestSendEndsAHoldAtWindowsLimit(t *testing.T) {
	p := ctrlctest.Start(t, ctrlctest.Self("holder"))
	p.WaitFor("ready")
	p.Send(ctrlc.Close)
	st := p.Wait()
	if p.Count("got close (CTRL_CLOSE_EVENT)") != 1 || p.Count("not ended") != 0 || uint32(st.Code) != ctrlctest.StatusControlCExit {
		t.Fatalf("status %v; want the event, then STATUS_CONTROL_C_EXIT; output:\n%s", st, p.Output())
	}
}
