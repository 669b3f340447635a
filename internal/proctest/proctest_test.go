package proctest

import (
	"os/exec"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// runtime.handleEvent: under js/wasm the goroutine that brought the last
	// JavaScript event into Go waits, parked, for Go to go idle; it is the
	// runtime's, not a leak.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}

// Under js/wasm and wasip1 a test that needs a child process skips, with the
// reason, instead of failing.
func TestStartSkipsWhereNoProcessCanStart(t *testing.T) {
	if CanStart {
		t.Skip("this platform can start processes")
	}
	returned := false
	var skipped bool
	t.Run("start", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Start(t, exec.Command("true"))
		returned = true
	})
	if returned || !skipped {
		t.Fatalf("Start returned %v, skipped %v; want a skip", returned, skipped)
	}
}
