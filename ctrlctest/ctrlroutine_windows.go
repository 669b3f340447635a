//go:build windows

package ctrlctest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// CtrlRoutine is the routine a console starts a thread at to deliver an
// event. kernel32 and kernelbase are mapped at the same address in every
// process of a session, so its address here is its address in the target.
// Wine exports it from kernel32; Windows exports it from neither kernel32
// nor kernelbase (MSYS2's kill looks in both, then finds it the hard way):
// then a helper process with a console of its own sends itself an event and
// reports the start address of the thread its handler runs on.

var ctrlRoutineOnce = sync.OnceValues(findCtrlRoutine)

func ctrlRoutine() (uintptr, error) { return ctrlRoutineOnce() }

func findCtrlRoutine() (uintptr, error) {
	if a, err := exportedCtrlRoutine(); err == nil {
		return a, nil
	}
	a, err := ctrlRoutineFromHelper()
	if err != nil {
		return 0, fmt.Errorf("%w: not exported by kernel32 or kernelbase, and the helper process failed: %v", errNoCtrlRoutine, err)
	}
	return a, nil
}

func exportedCtrlRoutine() (uintptr, error) {
	var errs []string
	for _, dll := range []string{"kernel32.dll", "kernelbase.dll"} {
		p := windows.NewLazySystemDLL(dll).NewProc("CtrlRoutine")
		if err := p.Find(); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		return p.Addr(), nil
	}
	return 0, fmt.Errorf("%w: %s", errNoCtrlRoutine, strings.Join(errs, "; "))
}

// findHelperEnv makes a binary that imports this package act as the helper
// that finds CtrlRoutine (see init).
const findHelperEnv = "CTRLCTEST_FIND_CTRLROUTINE"

func init() {
	if os.Getenv(findHelperEnv) == "" {
		return
	}
	a, err := ctrlRoutineHere()
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("CtrlRoutine %#x\n", a)
	os.Exit(0)
}

// ctrlRoutineFromHelper runs this executable as the helper, in a hidden
// console of its own so that its event reaches no other process.
func ctrlRoutineFromHelper() (uintptr, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), findHelperEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_CONSOLE, HideWindow: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return 0, fmt.Errorf("%s still ran after 10 s; output: %q", exe, out.String())
	}
	s := strings.TrimSpace(out.String())
	hex, ok := strings.CutPrefix(s, "CtrlRoutine 0x")
	if err != nil || !ok {
		return 0, fmt.Errorf("%s (%v): %q", exe, err, s)
	}
	a, err := strconv.ParseUint(hex, 16, 64)
	if err != nil || a == 0 {
		return 0, fmt.Errorf("%s: %q", exe, s)
	}
	return uintptr(a), nil
}

// ctrlRoutineHere sends this process, alone on its console, a CTRL_C_EVENT
// and returns the start address of the thread that runs its handler.
func ctrlRoutineHere() (uintptr, error) {
	found := make(chan uintptr, 1)
	handler := windows.NewCallback(func(ctrlType uint32) uintptr {
		var start uintptr
		const threadQuerySetWin32StartAddress = 9
		r, _, _ := procNtQueryInformationThread.Call(uintptr(windows.CurrentThread()), threadQuerySetWin32StartAddress,
			uintptr(unsafe.Pointer(&start)), unsafe.Sizeof(start), 0)
		if r != 0 { // an NTSTATUS error
			start = 0
		}
		select {
		case found <- start:
		default:
		}
		return 1
	})
	k32 := windows.NewLazySystemDLL("kernel32.dll")
	setHandler := k32.NewProc("SetConsoleCtrlHandler")
	// A process started in a new process group ignores CTRL_C until it asks
	// for it.
	if r, _, err := setHandler.Call(0, 0); r == 0 {
		return 0, fmt.Errorf("SetConsoleCtrlHandler(NULL, FALSE): %w", err)
	}
	if r, _, err := setHandler.Call(handler, 1); r == 0 {
		return 0, fmt.Errorf("SetConsoleCtrlHandler: %w", err)
	}
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0); err != nil {
		return 0, fmt.Errorf("GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0): %w", err)
	}
	select {
	case a := <-found:
		if a == 0 {
			return 0, fmt.Errorf("NtQueryInformationThread gave no start address")
		}
		return a, nil
	case <-time.After(2 * time.Second): // it takes about a millisecond
		return 0, fmt.Errorf("no CTRL_C_EVENT within 2 s")
	}
}

var procNtQueryInformationThread = windows.NewLazySystemDLL("ntdll.dll").NewProc("NtQueryInformationThread")
