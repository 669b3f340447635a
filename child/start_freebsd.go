package child

import (
	"os/exec"
	"syscall"
)

// start starts cmd with Pdeathsig (SIGKILL unless the caller chose another
// signal). FreeBSD sends it (procctl(2) PROC_PDEATHSIG_CTL) when the parent
// process exits, whichever thread forked, so no thread needs to be held.
func start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr.Pdeathsig == 0 {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	return cmd.Start()
}
