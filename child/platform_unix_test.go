//go:build unix

package child_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"golang.org/x/sys/unix"
)

// stopSignals are the signals childProc takes as a request to stop.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

func acceptCtrlC() {}

// typeCtrlC does what a terminal does when Ctrl-C is typed: SIGINT to its
// foreground process group, here the parent's (ctrlctest.Start made it the
// leader of one) with the control child in it, and not the workers.
func typeCtrlC(t *testing.T, parent *ctrlctest.Process, _ []int) {
	t.Helper()
	if err := unix.Kill(-parent.Pid(), unix.SIGINT); err != nil {
		t.Fatalf("kill(-%d, SIGINT): %v", parent.Pid(), err)
	}
}
