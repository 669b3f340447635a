package child_test

import (
	"testing"

	"golang.org/x/sys/windows"
)

// A proc is a process a test watches, through a handle that keeps its pid
// from being given to another process.
type proc struct {
	pid int
	h   windows.Handle // 0: the process had ended when watch began
}

// watch starts watching pid; the process, if it still runs when the test
// ends, is terminated.
func watch(t *testing.T, pid int) *proc {
	p := &proc{pid: pid}
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_TERMINATE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		t.Logf("OpenProcess(%d): %v: taken as ended", pid, err)
		return p
	}
	p.h = h
	t.Cleanup(func() {
		if p.alive() {
			_ = windows.TerminateProcess(h, 1)
		}
		windows.CloseHandle(h)
	})
	return p
}

// alive reports whether the process runs.
func (p *proc) alive() bool {
	if p.h == 0 {
		return false
	}
	w, err := windows.WaitForSingleObject(p.h, 0)
	return err == nil && w == uint32(windows.WAIT_TIMEOUT)
}
