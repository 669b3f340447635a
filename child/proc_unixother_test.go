//go:build unix && !linux

package child_test

import (
	"syscall"
	"testing"
)

// A proc is a process a test watches, by pid.
type proc struct{ pid int }

// watch starts watching pid; the process, if it still runs when the test
// ends, is killed.
func watch(t *testing.T, pid int) *proc {
	p := &proc{pid: pid}
	t.Cleanup(func() {
		if p.alive() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return p
}

// alive reports whether the process exists (here, a zombie counts).
func (p *proc) alive() bool { return syscall.Kill(p.pid, 0) != syscall.ESRCH }

// group returns pgid alone while the process group pgid has a process, and
// nil once it has none.
func group(t *testing.T, pgid int) []int {
	if syscall.Kill(-pgid, 0) == syscall.ESRCH {
		return nil
	}
	return []int{pgid}
}
