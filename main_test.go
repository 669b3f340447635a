package ctrlc

import (
	"testing"

	"github.com/ctrlc-go/ctrlc/internal/proctest"
	"go.uber.org/goleak"
)

// childScenarios are the programs this test binary runs when a test starts
// it as a child (proctest.Self); platform test files add theirs in init.
var childScenarios = map[string]func() int{}

func TestMain(m *testing.M) {
	proctest.RunChild(childScenarios)
	goleak.VerifyTestMain(m)
}
