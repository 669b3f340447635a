package child

import (
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// start starts cmd with Pdeathsig (SIGKILL unless the caller chose another
// signal), on a goroutine locked to its OS thread that stays locked until
// the child exits.
//
// Linux sends the death signal when the thread that forked the child exits,
// not when the process does (go.dev/issue/27505). Go's runtime ends a thread
// only when a goroutine locked to it exits without unlocking it; the
// goroutine that forks holds its thread so that no other goroutine can lock
// it, and blocks in waitid(WNOWAIT), which does not reap the child (cmd.Wait
// still does), until the child exits. Each running child thus holds one OS
// thread, blocked in the kernel.
func start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr.Pdeathsig == 0 {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		started <- err
		if err != nil {
			return
		}
		waitExit(cmd.Process.Pid)
	}()
	return <-started
}

// waitExit blocks until the child pid has exited, without reaping it. It
// returns early, with ECHILD, when Wait has reaped the child first.
func waitExit(pid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return
		}
	}
}
