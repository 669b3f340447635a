//go:build unix && !linux && !freebsd

package child

import "os/exec"

// start starts cmd. This system (macOS, OpenBSD, NetBSD, Solaris, AIX, ...)
// has no death signal: nothing stops the child when this program is killed.
func start(cmd *exec.Cmd) error { return cmd.Start() }
