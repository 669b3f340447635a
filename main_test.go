package ctrlc

import (
	"fmt"
	"os"
	"testing"

	"github.com/ctrlc-go/ctrlc/internal/proctest"
	"go.uber.org/goleak"
)

// childScenarios are the programs this test binary runs when a test starts
// it as a child (proctest.Self); platform test files add theirs in init.
var childScenarios = map[string]func() int{}

func TestMain(m *testing.M) {
	proctest.RunChild(childScenarios)
	code := m.Run()
	// A handler set by SetHandler lives as long as the process, by design
	// (ExampleSetHandler leaves one); every other goroutine must be gone.
	// Under js/wasm the runtime parks the goroutine of the last JavaScript
	// event in runtime.handleEvent: it is not ours.
	resetHandler()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreAnyFunction("runtime.handleEvent")); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
