package child_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"golang.org/x/sys/windows"
)

// stopSignals are the signals childProc takes as a request to stop: Go
// reports CTRL_C_EVENT and CTRL_BREAK_EVENT as os.Interrupt.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// acceptCtrlC undoes "ignore CTRL_C_EVENT", which a process inherits from a
// parent started in a new process group (as go test may be), so that the
// parent program gets the Ctrl-C the test sends it.
func acceptCtrlC() {
	windows.NewLazySystemDLL("kernel32.dll").NewProc("SetConsoleCtrlHandler").Call(0, 0)
}

// typeCtrlC does what a console does when Ctrl-C is typed: it starts a
// thread at CtrlRoutine(CTRL_C_EVENT) in every process attached to it, where
// the event is ignored if the process ignores CTRL_C_EVENT (as a process
// started with CREATE_NEW_PROCESS_GROUP does), and otherwise goes to its
// handlers. ctrlctest.Send does the same for one process: the test sends it
// to the parent and to each of its children.
func typeCtrlC(t *testing.T, parent *ctrlctest.Process, children []int) {
	t.Helper()
	parent.Send(ctrlc.Interrupt)
	for _, pid := range children {
		if err := ctrlctest.Send(pid, ctrlc.Interrupt); err != nil {
			t.Fatalf("Ctrl-C to child %d: %v", pid, err)
		}
	}
}
