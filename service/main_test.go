package service

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Under js/wasm the goroutine that delivered the last event from the
	// host (the Example's Trigger wakes a listener) parks in
	// runtime.handleEvent: not a leak.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}
