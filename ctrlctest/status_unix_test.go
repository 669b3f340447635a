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
	st := p.Wait()
	if st.Signal != syscall.SIGTERM || st.Code != -1 || st.String() != "killed by signal: terminated" {
		t.Fatalf("status %+v (%v); want SIGTERM, code -1", st, st)
	}
	if !st.EndedBy(ctrlc.Terminate) || st.EndedBy(ctrlc.Interrupt) || st.Success() {
		t.Fatalf("%v: EndedBy(Terminate) %v, EndedBy(Interrupt) %v, Success %v", st, st.EndedBy(ctrlc.Terminate), st.EndedBy(ctrlc.Interrupt), st.Success())
	}
}

// TestGrandchildHoldingOutput: a process that exits while a child of its own
// still holds the output pipe ends all the same, once 2 s passed,
// with its own status and its output; without the bound, Status and the
// test's clean-up waited for the grandchild (here 60 s; a server: forever).
func TestGrandchildHoldingOutput(t *testing.T) {
	p := ctrlctest.Start(t, exec.Command("sh", "-c", "sleep 60 & echo ready; exit 3"))
	p.WaitFor("ready")
	start := time.Now()
	if st := p.Wait(); st.Code != 3 || st.Signal != nil {
		t.Fatalf("status %v; want exit 3", st)
	}
	if waited := time.Since(start); waited > 2*time.Second+15*time.Second {
		t.Fatalf("Status took %v with a grandchild holding the output", waited)
	}
	if !strings.Contains(p.Output(), "ready") {
		t.Fatalf("output %q lost", p.Output())
	}
	// The grandchild is the test's to end: it is in the process's group.
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
}

// TestEndedByExitCode: on Unix, the exit code ctrlc.Exit falls back to (as
// process 1, for the Windows kinds) counts as an end by the event too.
func TestEndedByExitCode(t *testing.T) {
	for _, tc := range []struct {
		st   ctrlctest.ExitStatus
		k    ctrlc.Kind
		want bool
	}{
		{ctrlctest.ExitStatus{Code: 130}, ctrlc.Interrupt, true},
		{ctrlctest.ExitStatus{Code: 143}, ctrlc.Terminate, true},
		{ctrlctest.ExitStatus{Code: 143}, ctrlc.Close, true},
		{ctrlctest.ExitStatus{Code: 129}, ctrlc.Hangup, true},
		{ctrlctest.ExitStatus{Code: 130}, ctrlc.Terminate, false},
		{ctrlctest.ExitStatus{Code: 0}, ctrlc.Interrupt, false},
		{ctrlctest.ExitStatus{Code: -1, Signal: syscall.SIGINT}, ctrlc.Interrupt, true},
		{ctrlctest.ExitStatus{Code: -1, Signal: syscall.SIGINT}, ctrlc.Terminate, false},
		{ctrlctest.ExitStatus{Code: 130}, ctrlc.Kind(0), false},
		{ctrlctest.ExitStatus{Code: 130}, ctrlc.Kind(200), false},
	} {
		if got := tc.st.EndedBy(tc.k); got != tc.want {
			t.Errorf("%+v.EndedBy(%v) = %v, want %v", tc.st, tc.k, got, tc.want)
		}
	}
	if !(ctrlctest.ExitStatus{}).Success() || (ctrlctest.ExitStatus{Code: 1}).Success() {
		t.Error("Success: want true for exit code 0 only")
	}
}
