//go:build !unix && !windows

package child_test

import (
	"os"
	"testing"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// Here no process can start: the tests that watch them skip.
type proc struct{ pid int }

func watch(t *testing.T, pid int) *proc { return &proc{pid: pid} }
func (p *proc) alive() bool             { return false }

var stopSignals = []os.Signal{os.Interrupt}

func acceptCtrlC() {}

func typeCtrlC(*testing.T, *ctrlctest.Process, []int) {}
