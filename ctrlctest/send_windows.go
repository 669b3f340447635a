//go:build windows

package ctrlctest

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"golang.org/x/sys/windows"
)

// StatusControlCExit (STATUS_CONTROL_C_EXIT) is the exit status of a Windows
// console process that a console event ended: Send gives it to a process
// still alive after its Close, Logoff or Shutdown handlers, as Windows does.
// Compare it with uint32(code).
const StatusControlCExit = 0xC000013A

// Windows ends a process whose close handler holds it longer than this, and
// a process whose logoff or shutdown handler holds it longer than
// endSessionTimeout.
const (
	closeTimeout      = 5 * time.Second
	endSessionTimeout = 20 * time.Second
	// exitWait is how long a process whose close handlers have returned
	// may take to end by itself before Send ends it.
	exitWait = 500 * time.Millisecond
	// handlerTimeout bounds the wait for the handlers of the other events,
	// which Windows lets run as long as they like: Send must not hang.
	handlerTimeout = timeout
)

// ctrlEvents holds the console event of each kind that has one.
var ctrlEvents = map[ctrlc.Kind]uint32{
	ctrlc.Interrupt: windows.CTRL_C_EVENT,
	ctrlc.Break:     windows.CTRL_BREAK_EVENT,
	ctrlc.Close:     windows.CTRL_CLOSE_EVENT,
	ctrlc.Logoff:    windows.CTRL_LOGOFF_EVENT,
	ctrlc.Shutdown:  windows.CTRL_SHUTDOWN_EVENT,
}

var procCreateRemoteThread = windows.NewLazySystemDLL("kernel32.dll").NewProc("CreateRemoteThread")

// maxPid is the largest pid: a process id is a DWORD.
const maxPid = math.MaxUint32

func send(pid int, k ctrlc.Kind) error {
	ev, ok := ctrlEvents[k]
	if !ok {
		hint := ""
		if k == ctrlc.Terminate {
			hint = " (send close, CTRL_CLOSE_EVENT, which Go's runtime reports as SIGTERM)"
		}
		return noEvent(k, hint)
	}
	routine, err := ctrlRoutine()
	if err != nil {
		return err
	}
	const access = windows.PROCESS_CREATE_THREAD | windows.PROCESS_QUERY_INFORMATION |
		windows.PROCESS_VM_OPERATION | windows.PROCESS_VM_WRITE | windows.PROCESS_VM_READ |
		windows.SYNCHRONIZE | windows.PROCESS_TERMINATE
	proc, err := windows.OpenProcess(access, false, uint32(pid))
	if err != nil {
		return fmt.Errorf("OpenProcess: %w", err)
	}
	defer windows.CloseHandle(proc)
	if exited(proc) {
		return fmt.Errorf("the process has exited")
	}
	// CtrlRoutine's address is this process's: a target of another
	// architecture (a 32-bit one under WOW64) has it elsewhere.
	var theirs, ours bool
	if windows.IsWow64Process(proc, &theirs) == nil && windows.IsWow64Process(windows.CurrentProcess(), &ours) == nil && theirs != ours {
		return fmt.Errorf("the process runs under WOW64 and this one does not, or the other way round: CtrlRoutine is elsewhere there")
	}
	thread, _, err := procCreateRemoteThread.Call(uintptr(proc), 0, 0, routine, uintptr(ev), 0, 0)
	if thread == 0 {
		return fmt.Errorf("CreateRemoteThread at CtrlRoutine(%d): %w", ev, err)
	}
	defer windows.CloseHandle(windows.Handle(thread))

	// Windows ends the process once its close, logoff or shutdown handlers
	// return, or at its limit; the other events' handlers may run on.
	holds, limit := true, closeTimeout
	switch k {
	case ctrlc.Logoff, ctrlc.Shutdown:
		limit = endSessionTimeout
	case ctrlc.Interrupt, ctrlc.Break:
		holds, limit = false, handlerTimeout
	}
	w, err := windows.WaitForSingleObject(windows.Handle(thread), uint32(limit/time.Millisecond))
	switch {
	case err != nil:
		return fmt.Errorf("waiting for the CtrlRoutine thread: %w", err)
	case !holds && w == uint32(windows.WAIT_TIMEOUT):
		return fmt.Errorf("the process's handlers for %v still run after %v", ctrlc.Event{Kind: k, Native: int(ev)}, limit)
	case !holds:
		return nil
	case w == uint32(windows.WAIT_TIMEOUT):
		// The handlers hold the process past Windows' limit: Windows ends it.
		return endAsWindows(proc, 0)
	}
	// The handlers returned: Windows ends the process now (Wine does not),
	// unless it is already exiting by itself. The CtrlRoutine thread also
	// ends when the process exits on its own while its handler holds it
	// (ExitProcess ends the other threads first), and the process's own exit
	// status must then stand: give it exitWait to finish exiting.
	return endAsWindows(proc, exitWait)
}

// endAsWindows ends proc with STATUS_CONTROL_C_EXIT unless it ends by
// itself within wait.
func endAsWindows(proc windows.Handle, wait time.Duration) error {
	if w, err := windows.WaitForSingleObject(proc, uint32(wait/time.Millisecond)); err == nil && w == windows.WAIT_OBJECT_0 {
		return nil
	}
	err := windows.TerminateProcess(proc, StatusControlCExit)
	if err != nil && !exited(proc) {
		return fmt.Errorf("TerminateProcess: %w", err)
	}
	// TerminateProcess returns before the process is gone: wait, so that a
	// caller sees it ended when Send returns.
	if _, err := windows.WaitForSingleObject(proc, uint32(timeout/time.Millisecond)); err != nil {
		return fmt.Errorf("waiting for the process to end: %w", err)
	}
	return nil
}

func exited(proc windows.Handle) bool {
	w, err := windows.WaitForSingleObject(proc, 0)
	return err == nil && w == windows.WAIT_OBJECT_0
}

var errNoCtrlRoutine = errors.New("CtrlRoutine not found")
