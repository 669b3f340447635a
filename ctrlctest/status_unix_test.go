//go:build unix

package ctrlctest_test

import (
	"syscall"
	"testing"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// TestStatusSignal: a process that a signal killed reports the signal and
// exit code -1, like a shell's WIFSIGNALED.
func TestStatusSignal(t *testing.T) {
	p := ctrlctest.Start(t, ctrlctest.Self("idle"))
	p.WaitFor("ready")
	p.Send(ctrlc.Terminate)
	st := p.Status()
	if st.Signal != syscall.SIGTERM || st.Code != -1 || st.String() != "killed by terminated" {
		t.Fatalf("status %+v (%v); want SIGTERM, code -1", st, st)
	}
	if code, err := p.Wait(); code != -1 || err == nil {
		t.Fatalf("Wait() = %d, %v; want -1 and an error", code, err)
	}
}
