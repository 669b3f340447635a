//go:build unix

package ctrlc

import (
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

var defaultKinds = []Kind{Interrupt, Terminate, Hangup}

var unixSignals = [maxKind + 1]syscall.Signal{
	Interrupt: unix.SIGINT,
	Terminate: unix.SIGTERM,
	Hangup:    unix.SIGHUP,
	Quit:      unix.SIGQUIT,
}

// osSignal returns the signal behind k, or nil when Unix has none.
func osSignal(k Kind) os.Signal {
	if s := unixSignals[k]; s != 0 {
		return s
	}
	return nil
}

func nativeOfSignal(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return int(n)
	}
	return 0
}

func nativeOf(k Kind) int { return int(unixSignals[k]) }

// nativeName names signal n, or returns "" for no signal.
func nativeName(_ Kind, n int) string {
	if n <= 0 {
		return ""
	}
	if name := unix.SignalName(syscall.Signal(n)); name != "" {
		return name
	}
	return "signal " + strconv.Itoa(n)
}
