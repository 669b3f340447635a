//go:build windows

package ctrlctest

import (
	"os"
	"os/exec"

	"github.com/ctrlc-go/ctrlc"
	"golang.org/x/sys/windows"
)

// prepare leaves the creation flags as the caller set them and reports
// whether the process gets a process group of its own.
func prepare(cmd *exec.Cmd) (group bool) {
	return cmd.SysProcAttr != nil && cmd.SysProcAttr.CreationFlags&windows.CREATE_NEW_PROCESS_GROUP != 0
}

// sendGroup delivers Break to a process started in a group of its own the
// console's way, GenerateConsoleCtrlEvent, and reports whether it did.
func (p *Process) sendGroup(k ctrlc.Kind) bool {
	p.t.Helper()
	if !p.group || k != ctrlc.Break {
		return false
	}
	err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(p.Pid()))
	if err == nil {
		return true
	}
	if v, wine := WineVersion(); wine {
		p.t.Skipf("ctrlctest: Wine %s cannot send CTRL_BREAK_EVENT to a process group (%v); Windows runs this test", v, err)
	}
	p.t.Fatalf("ctrlctest: GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, %d): %v", p.Pid(), err)
	return false
}

func signalOf(*os.ProcessState) os.Signal { return nil }
