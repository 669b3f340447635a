//go:build unix && !linux

package ctrlc

import (
	"os/signal"

	"golang.org/x/sys/unix"
)

// toDefault sets sig's action to the default: after Reset no os/signal
// channel wants sig, so the Go runtime's handler falls back to it.
func toDefault(sig unix.Signal) { signal.Reset(sig) }
