//go:build unix

package ctrlctest

import (
	"os"
	"os/exec"
	"syscall"

	"github.com/ctrlc-go/ctrlc"
)

// prepare puts the process in a process group of its own, unless it asks
// for a session of its own: setpgid(2) after setsid(2) fails with EPERM,
// and a session's leader leads its group anyway.
func prepare(cmd *exec.Cmd) (group bool) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if !cmd.SysProcAttr.Setsid {
		cmd.SysProcAttr.Setpgid = true
	}
	return true
}

func endedBy(s ExitStatus, sig int) bool {
	if n, ok := s.Signal.(syscall.Signal); ok {
		return int(n) == sig
	}
	return s.Code == 128+sig
}

// sendGroup: on Unix every kind goes through kill(2).
func (p *Process) sendGroup(ctrlc.Kind) bool { return false }

func signalOf(ps *os.ProcessState) os.Signal {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal()
	}
	return nil
}
