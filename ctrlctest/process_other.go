//go:build !unix && !windows

package ctrlctest

import (
	"os"
	"os/exec"

	"github.com/ctrlc-go/ctrlc"
)

func prepare(*exec.Cmd) (group bool) { return false }

func (p *Process) sendGroup(ctrlc.Kind) bool { return false }

func signalOf(*os.ProcessState) os.Signal { return nil }

func endedBy(s ExitStatus, sig int) bool { return s.Code == 128+sig }
