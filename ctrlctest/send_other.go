//go:build !unix && !windows

package ctrlctest

import (
	"math"

	"github.com/ctrlc-go/ctrlc"
)

// maxPid is the largest pid.
const maxPid = math.MaxInt32

func send(pid int, k ctrlc.Kind) error { return noEvent(k, "") }
