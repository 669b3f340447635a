//go:build wasip1

package ctrlc

import "strconv"

// WASI preview 1 has no signals: a host such as wazero or wasmtime kills the
// guest on Ctrl-C without telling it. Listeners still work, but only Trigger
// (or the parent context of NotifyContext) can start a shutdown.

var defaultKinds = []Kind{Interrupt, Terminate, Hangup}

func ignoredKinds() kindSet { return 0 }

func enable(Kind) error { return nil }

func disable(Kind) {}

func nativeOf(Kind) int { return 0 }

func nativeName(_ Kind, n int) string {
	if n <= 0 {
		return ""
	}
	return "signal " + strconv.Itoa(n)
}
