package ctrlctest

import (
	"fmt"
	"os"
	"os/exec"
)

// SelfEnv is the environment variable through which a test binary started
// by Self learns which scenario to run.
const SelfEnv = "CTRLC_TEST_CHILD"

// Self returns a command that runs the current test binary again as the
// child scenario name, with args after the test flags; RunChild, called from
// the binary's TestMain, runs it instead of the tests.
func Self(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), SelfEnv+"="+name)
	return cmd
}

// RunChild is called first thing in TestMain: when the binary was started by
// Self, it runs the named scenario and exits with the code it returns (3,
// after a line on standard error, for a name that scenarios lacks);
// otherwise it returns and the tests run as usual.
func RunChild(scenarios map[string]func() int) {
	name, ok := os.LookupEnv(SelfEnv)
	if !ok {
		return
	}
	f, ok := scenarios[name]
	if !ok || f == nil {
		fmt.Fprintf(os.Stderr, "ctrlctest: no child scenario %q\n", name)
		os.Exit(3)
	}
	os.Exit(f())
}
