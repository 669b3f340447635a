//go:build unix

package ctrlctest

import (
	"os"
	"os/exec"
	"syscall"

	"github.com/ctrlc-go/ctrlc"
)

// prepare puts the process in a process group of its own.
func prepare(cmd *exec.Cmd) (group bool) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	return true
}

// sendGroup: on Unix every kind goes through kill(2).
func (p *Process) sendGroup(ctrlc.Kind) bool { return false }

func signalOf(ps *os.ProcessState) os.Signal {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal()
	}
	return nil
}
