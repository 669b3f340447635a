//go:build unix

package ctrlc

import (
	"os"
	"os/signal"
	"time"

	"golang.org/x/sys/unix"
)

// raiseWait bounds how long Exit waits for the raised signal to end the
// process before it exits with the event's code. The signal is normally
// taken on the way out of kill(2) by the very thread that sent it.
const raiseWait = 250 * time.Millisecond

func exit(e Event) {
	// No listener may turn the signal's delivery back on between the reset
	// and the raise (it would catch the signal, and the process would fall
	// back to the exit code): the registry stays locked until the end.
	hub.mu.Lock()
	if e.Kind.valid() && e.Kind != Quit && os.Getpid() != 1 {
		if sig := unixSignals[e.Kind]; sig != 0 {
			// After Reset no os/signal channel wants sig, so the Go
			// runtime's handler, which keeps the signal unblocked on every
			// thread it runs, falls back to the default action: death by
			// sig. Go does not block SIGHUP, SIGINT or SIGTERM on its
			// threads, so no unblocking is needed.
			signal.Reset(sig)
			if unix.Kill(os.Getpid(), sig) == nil {
				time.Sleep(raiseWait)
			}
		}
	}
	os.Exit(exitCode(e))
}
