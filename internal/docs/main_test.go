package docs

import (
	"testing"

	"go.uber.org/goleak"
)

// Under js/wasm the goroutine that brought the last JavaScript event into Go
// parks in runtime.handleEvent: the runtime's, not a leak.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}
