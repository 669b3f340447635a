//go:build windows

package proctest

import (
	"os/exec"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

func newProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.CreationFlags |= windows.CREATE_NEW_PROCESS_GROUP
}

// Interrupt sends CTRL_BREAK_EVENT to the child's process group: CTRL_C
// cannot target a group, and a new group ignores it. Wine cannot send it
// (see DESIGN.md): there the test is skipped with the reason, and real
// Windows runs it.
func (c *Child) Interrupt() {
	c.t.Helper()
	err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(c.Cmd.Process.Pid))
	if err == nil {
		return
	}
	if v, wine := WineVersion(); wine {
		c.t.Skipf("Wine %s cannot send CTRL_BREAK_EVENT to a process group: %v; real Windows runs this test", v, err)
	}
	c.t.Fatalf("GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, %d): %v", c.Cmd.Process.Pid, err)
}

// WineVersion returns Wine's version when the program runs under Wine, whose
// ntdll exports wine_get_version.
func WineVersion() (string, bool) {
	p := windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version")
	if p.Find() != nil {
		return "", false
	}
	r, _, _ := p.Call()
	if r == 0 {
		return "?", true
	}
	return windows.BytePtrToString(*(**byte)(unsafe.Pointer(&r))), true // r points into ntdll
}
