//go:build unix || windows

package child

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// reaped reports whether Wait has reaped cmd's child, or the caller has
// released cmd.Process: either way its pid, the id of its group, may now
// belong to another process. Reading cmd.ProcessState instead would race
// with Wait.
//
// os.Process.Signal fails with os.ErrProcessDone once Wait has reaped the
// child on Unix, whatever the signal, and sends nothing for signal 0. On
// Windows Wait releases the process: Signal then fails with EINVAL. On Unix
// Release sets Pid to -1.
func reaped(cmd *exec.Cmd) bool { return processReaped(cmd.Process) }

func processReaped(p *os.Process) bool {
	err := p.Signal(syscall.Signal(0))
	return errors.Is(err, os.ErrProcessDone) || p.Pid <= 0 ||
		(windowsOS && errors.Is(err, syscall.EINVAL))
}
