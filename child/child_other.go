//go:build !unix && !windows

package child

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// supported: js/wasm and wasip1 cannot start processes; plan9 can, but has
// none of the process groups, signals or job objects this package is built
// on.
func supported() error {
	switch runtime.GOOS {
	case "js", "wasip1":
		return unsupported("cannot start processes")
	}
	return unsupported("has no process groups to run child programs in")
}

func ownGroup(attr *syscall.SysProcAttr) (*syscall.SysProcAttr, error) { return attr, nil }

func askToStop(cmd *exec.Cmd) error { return Signal(cmd, os.Kill) }

func start(*exec.Cmd) error { return supported() }

func signalGroup(*exec.Cmd, os.Signal) error { return supported() }

func forceStopAfter(*exec.Cmd, time.Duration) {}

func track(*os.Process) {}

func killAll() {}

func reaped(*exec.Cmd) bool { return false }
