//go:build unix || windows

package child

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// reaped reports whether Wait has reaped cmd's child. (os.Process.Signal
// fails with os.ErrProcessDone once Wait has returned from the system's wait,
// whatever the signal; it sends nothing for signal 0. Reading cmd.ProcessState
// instead would race with Wait.)
func reaped(cmd *exec.Cmd) bool {
	return errors.Is(cmd.Process.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
