package child_test

import (
	"testing"
	"time"

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

// scenarioArgs are the args the running scenario was given by Self.
var scenarioArgs []string

// waitTimeout bounds the tests' waits for a child.
const waitTimeout = 30 * time.Second

func TestMain(m *testing.M) {
	withArgs := map[string]func([]string) int{}
	for name, f := range scenarios {
		withArgs[name] = func(args []string) int { scenarioArgs = args; return f() }
	}
	ctrlctest.RunChild(withArgs)
	// Under js/wasm the runtime parks the goroutine of the last JavaScript
	// event in runtime.handleEvent: it is not ours.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}
