//go:build unix

package ctrlctest_test

import (
	"os/exec"
	"syscall"
)

func setSetsid(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
