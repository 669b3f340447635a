package main

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"go.uber.org/goleak"
)

// The test binary is also the program: started by command, it runs main's
// run with the args given to command instead of the tests.
func TestMain(m *testing.M) {
	ctrlctest.RunChild(map[string]func([]string) int{"httpservice": run})
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// command returns a command that runs the program with args.
func command(args ...string) *exec.Cmd { return ctrlctest.Self("httpservice", args...) }

// waitTimeout bounds every wait of the tests for something the program
// does: long enough for a loaded machine with two shared cores.
const waitTimeout = 30 * time.Second
