//go:build !unix && !windows

package proctest

import "os/exec"

func newProcessGroup(*exec.Cmd) {}

// Interrupt skips the test: this platform cannot signal a child.
func (c *Child) Interrupt() {
	c.t.Helper()
	c.t.Skip("proctest: no way to interrupt a child process on this platform")
}
