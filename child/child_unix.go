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
	return syscall.Kill(-cmd.Process.Pid, s)
}

// forceStopAfter kills, grace from now, every process left in the group of
// cmd's child, unless Wait had reaped the child before the context was done
// (then the child ended by itself, and what it left is left alone).
//
// The group is killed even when the child has exited by then, and Wait
// reaped it: its children may still be in the group, which they keep in
// existence. The group id could belong to a stranger only if every process
// of the group had ended and the system had handed the number out again, as
// the pid of a new group's leader, within the grace (pids are handed out in
// turn up to the system's pid_max before one is used again).
func forceStopAfter(cmd *exec.Cmd, grace time.Duration) {
	if reaped(cmd) {
		return
	}
	pgid := cmd.Process.Pid
	time.AfterFunc(grace, func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
}
