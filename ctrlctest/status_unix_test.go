//go:build unix

package ctrlctest_test

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

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

// TestGrandchildHoldingOutput: a process that exits while a child of its own
// still holds the output pipe ends all the same, once OutputGrace passed,
// with its own status and its output; without the bound, Status and the
// test's clean-up waited for the grandchild (here 60 s; a server: forever).
func TestGrandchildHoldingOutput(t *testing.T) {
	p := ctrlctest.Start(t, exec.Command("sh", "-c", "sleep 60 & echo ready; exit 3"))
	p.WaitFor("ready")
	start := time.Now()
	if st := p.Status(); st.Code != 3 || st.Signal != nil {
		t.Fatalf("status %v; want exit 3", st)
	}
	if waited := time.Since(start); waited > ctrlctest.OutputGrace+ctrlctest.Timeout/2 {
		t.Fatalf("Status took %v with a grandchild holding the output", waited)
	}
	if !strings.Contains(p.Output(), "ready") {
		t.Fatalf("output %q lost", p.Output())
	}
	// The grandchild is the test's to end: it is in the process's group.
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
}
