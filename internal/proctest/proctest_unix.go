//go:build unix

package proctest

import (
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

func newProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// Interrupt sends the child a real SIGINT.
func (c *Child) Interrupt() {
	c.t.Helper()
	c.Signal(unix.SIGINT)
}

// Terminate sends the child a real SIGTERM.
func (c *Child) Terminate() {
	c.t.Helper()
	c.Signal(unix.SIGTERM)
}

// Signal sends the child the signal sig with kill(2).
func (c *Child) Signal(sig unix.Signal) {
	c.t.Helper()
	if err := unix.Kill(c.Cmd.Process.Pid, sig); err != nil {
		c.t.Fatalf("kill %d %v: %v", c.Cmd.Process.Pid, sig, err)
	}
}
