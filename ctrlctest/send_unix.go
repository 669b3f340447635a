//go:build unix

package ctrlctest

import (
	"math"

	"github.com/ctrlc-go/ctrlc"
	"golang.org/x/sys/unix"
)

// signals holds the signal of each kind that has one on Unix.
var signals = map[ctrlc.Kind]unix.Signal{
	ctrlc.Interrupt: unix.SIGINT,
	ctrlc.Terminate: unix.SIGTERM,
	ctrlc.Hangup:    unix.SIGHUP,
	ctrlc.Quit:      unix.SIGQUIT,
}

// maxPid is the largest pid: pid_t is 32 bits.
const maxPid = math.MaxInt32

func send(pid int, k ctrlc.Kind) error {
	sig, ok := signals[k]
	if !ok {
		return noEvent(k, " (Windows console events only)")
	}
	return unix.Kill(pid, sig)
}
