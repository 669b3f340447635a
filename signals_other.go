//go:build !unix && !windows && !js && !wasip1

package ctrlc

import (
	"os"
	"strconv"
)

// Platforms such as Plan 9 offer only os.Interrupt through os/signal.

var defaultKinds = []Kind{Interrupt, Terminate, Hangup}

func osSignal(k Kind) os.Signal {
	if k == Interrupt {
		return os.Interrupt
	}
	return nil
}

func nativeOf(Kind) int { return 0 }

func nativeOfSignal(os.Signal) int { return 0 }

func nativeName(_ Kind, n int) string {
	if n <= 0 {
		return ""
	}
	return "signal " + strconv.Itoa(n)
}
