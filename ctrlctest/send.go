package ctrlctest

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/ctrlc-go/ctrlc"
)

// Send delivers a real stop event of kind k to the process pid, the way the
// operating system does (see the package documentation for each platform).
// On Windows it returns once the target's handlers for the event have
// returned; for Close, Logoff and Shutdown the target has then ended, as
// Windows would have ended it.
//
// The error names pid and k: pid not above zero, a kind that is not one of
// ctrlc's (wrapping ctrlc.ErrUnknownKind), a kind with no native event on
// this platform (wrapping errors.ErrUnsupported), or the system's error, such
// as a process that does not exist.
func Send(pid int, k ctrlc.Kind) error {
	if k < ctrlc.Interrupt || k > ctrlc.Shutdown {
		return fmt.Errorf("ctrlctest: Send(%d, %v): %w", pid, k, ctrlc.ErrUnknownKind)
	}
	if pid <= 0 {
		// kill(2) reads pid 0 and -1 as "my group" and "everyone".
		return fmt.Errorf("ctrlctest: Send(%d, %v): pid must be above zero", pid, k)
	}
	if int64(pid) > maxPid {
		// kill(2) would truncate it to another process's pid.
		return fmt.Errorf("ctrlctest: Send(%d, %v): pid above %d", pid, k, int64(maxPid))
	}
	if err := send(pid, k); err != nil {
		return fmt.Errorf("ctrlctest: Send(%d, %v): %w", pid, k, err)
	}
	return nil
}

// noEvent is the error for a kind that has no native event on this platform.
func noEvent(k ctrlc.Kind, hint string) error {
	return fmt.Errorf("%v has no native event on %s%s: %w", k, runtime.GOOS, hint, errors.ErrUnsupported)
}
