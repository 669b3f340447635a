//go:build windows

package ctrlctest

import (
	"os"
	"os/exec"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/internal/wine"
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
	if v, wine := wine.Version(); wine {
		p.t.Skipf("ctrlctest: Wine %s cannot send CTRL_BREAK_EVENT to a process group (%v); Windows runs this test", v, err)
	}
	p.t.Fatalf("ctrlctest: GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, %d): %v", p.Pid(), err)
	return false
}

func signalOf(*os.ProcessState) os.Signal { return nil }

// statusControlCExit is STATUS_CONTROL_C_EXIT, with which ctrlc.Exit and
// Windows itself end a console process for every stop event.
const statusControlCExit = 0xC000013A

func endedBy(s ExitStatus, _ int) bool { return uint32(s.Code) == statusControlCExit }
