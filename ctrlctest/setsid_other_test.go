//go:build !unix

package ctrlctest_test

import "os/exec"

func setSetsid(*exec.Cmd) {}
