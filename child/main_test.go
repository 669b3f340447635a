package child_test

import (
	"testing"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"go.uber.org/goleak"
)

// scenarios are the child programs of the tests: the test binary, started
// again by ctrlctest.Self (or self, below), runs one of them instead of the
// tests. Platform test files add theirs in init.
var scenarios = map[string]func() int{
	"worker":     childWorker,
	"parent":     childParent,
	"proc":       childProc,
	"killparent": childKillParent,
	"greet":      childGreet,
}

func TestMain(m *testing.M) {
	ctrlctest.RunChild(scenarios)
	// Under js/wasm the runtime parks the goroutine of the last JavaScript
	// event in runtime.handleEvent: it is not ours.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}
