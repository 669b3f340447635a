package ctrlctest

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
)

// selfEnv is the environment variable through which a test binary started
// by Self learns which scenario to run.
const selfEnv = "CTRLC_TEST_CHILD"

// selfRun is the test flag Self passes first: it runs no test.
const selfRun = "-test.run=^$"

// Self returns a command that runs the current test binary again as the
// child scenario name, with args after the test flags; RunChild, called from
// the binary's TestMain, runs it instead of the tests.
func Self(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{selfRun}, args...)...)
	cmd.Env = append(os.Environ(), selfEnv+"="+name)
	return cmd
}

// RunChild is called first thing in TestMain: when the binary was started by
// Self, it runs the named scenario with the args given to Self and exits
// with the code it returns (3, after a line on standard error, for a name
// that scenarios lacks); otherwise it returns and the tests run as usual.
func RunChild(scenarios map[string]func(args []string) int) {
	name, ok := os.LookupEnv(selfEnv)
	if !ok {
		return
	}
	f, ok := scenarios[name]
	if !ok || f == nil {
		fmt.Fprintf(os.Stderr, "ctrlctest: no child scenario %q\n", name)
		os.Exit(3)
	}
	var args []string
	if len(os.Args) >= 2 && os.Args[1] == selfRun {
		args = slices.Clone(os.Args[2:])
	}
	os.Exit(f(args))
}
