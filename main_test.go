package ctrlc_test

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if probe := ctrlctest.Self("probe"); !slices.Contains(probe.Env, ctrlc.SelfEnv+"=probe") {
		fmt.Fprintf(os.Stderr, "child_test.go's SelfEnv %q is not the variable ctrlctest.Self sets\n", ctrlc.SelfEnv)
		os.Exit(2)
	}
	ctrlctest.RunChild(ctrlc.ChildScenarios)
	code := m.Run()
	// A handler set by SetHandler lives as long as the process, by design
	// (ExampleSetHandler leaves one); every other goroutine must be gone.
	// Under js/wasm the runtime parks the goroutine of the last JavaScript
	// event in runtime.handleEvent: it is not ours.
	ctrlc.ResetHandler()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreAnyFunction("runtime.handleEvent")); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
