//go:build unix

package child

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func supported() error { return nil }

// ownGroup returns a copy of attr (or new attributes) in which the child
// leads a process group of its own, whose id is its pid. A child that starts
// a session of its own (Setsid) leads a new group already: setpgid would
// then fail, so it is left out. A Pgid, which would put the child in another
// group, is an error.
func ownGroup(attr *syscall.SysProcAttr) (*syscall.SysProcAttr, error) {
	a := syscall.SysProcAttr{}
	if attr != nil {
		a = *attr
	}
	if a.Pgid != 0 {
		return nil, fmt.Errorf("SysProcAttr.Pgid is %d: a child program needs a process group of its own", a.Pgid)
	}
	a.Setpgid = !a.Setsid
	return &a, nil
}

// askToStop is Command's Cancel: SIGTERM to the child's group.
func askToStop(cmd *exec.Cmd) error { return Signal(cmd, syscall.SIGTERM) }

func signalGroup(cmd *exec.Cmd, sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return errors.New("not a syscall.Signal")
	}
	err := syscall.Kill(-cmd.Process.Pid, s)
	if err == syscall.ESRCH {
		// The group lives as long as any process in it, its leader included
		// until Wait reaps it: Wait did so just now, or the child does not
		// lead a group (started by exec.Cmd's Start, with another
		// SysProcAttr).
		if reaped(cmd) {
			return os.ErrProcessDone
		}
		return fmt.Errorf("no process group %d (was the child started by child.Start?): %w", cmd.Process.Pid, err)
	}
	return err
}

// forceStopAfter kills, grace from now, every process left in the group of
// cmd's child, unless Wait had reaped the child before the context was done
// (then the child ended by itself, and what it left is left alone). The
// group is killed even when the child has exited, and was reaped, by then:
// its children may still be in the group (see the package documentation for
// the one case where the id is no longer the group's).
func forceStopAfter(cmd *exec.Cmd, grace time.Duration) {
	if reaped(cmd) {
		return
	}
	p, pgid := cmd.Process, cmd.Process.Pid
	stopping(p) // ctrlc.Exit before the grace is over kills the group then
	time.AfterFunc(grace, func() {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		forget(p)
	})
}
