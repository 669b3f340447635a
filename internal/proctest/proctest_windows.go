//go:build windows

package proctest

import (
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

func newProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.CreationFlags |= windows.CREATE_NEW_PROCESS_GROUP
}

// Interrupt sends CTRL_BREAK_EVENT to the child's process group: CTRL_C
// cannot target a group, and a new group ignores it.
func (c *Child) Interrupt() {
	c.t.Helper()
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(c.Cmd.Process.Pid)); err != nil {
		c.t.Fatalf("GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, %d): %v", c.Cmd.Process.Pid, err)
	}
}
