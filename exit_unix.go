//go:build unix

package ctrlc

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// raiseWait bounds how long Exit waits for the raised signal to end the
// process before it exits with the event's code. It is normally never
// reached: on Linux, with the default action back, kill(2) itself ends
// every thread; elsewhere the runtime's handler, which no channel wants the
// signal for any more, raises it again at once with the default action.
const raiseWait = 250 * time.Millisecond

func exit(e Event) {
	// No listener may turn the signal's delivery back on between the reset
	// and the raise (it would catch the signal, and the process would fall
	// back to the exit code): the registry stays locked until the end.
	hub.mu.Lock()
	// A signal ignored at start stays ignored after a reset (nohup asked for
	// that): raising it would do nothing.
	if e.Kind.valid() && e.Kind != Quit && os.Getpid() != 1 && !ignoredKinds().has(e.Kind) {
		if sig := unixSignals[e.Kind]; sig != 0 {
			// Go does not block SIGHUP, SIGINT or SIGTERM on its threads, so
			// no unblocking is needed.
			toDefault(sig)
			if unix.Kill(os.Getpid(), sig) == nil {
				time.Sleep(raiseWait)
			}
		}
	}
	os.Exit(exitCode(e))
}
