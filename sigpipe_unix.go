//go:build unix

package ctrlc

import (
	"os"
	"os/signal"
	"syscall"
)

// While the registry has a listener, SIGPIPE is notified, so that a write
// to a broken pipe on standard output or standard error fails with EPIPE
// instead of killing the process: Go's runtime (os.epipecheck, then
// runtime.sigpipe) raises SIGPIPE for such a write unless SIGPIPE is
// ignored with signal.Ignore or some os/signal channel wants it. A program
// whose log reader went away (a closed terminal's tee, journald restarting,
// "prog | head") thus finishes its drain. When the last listener stops,
// signal.Stop gives the default back, as for every other signal.
//
// Nobody reads the channel: os/signal never blocks on a full channel, it
// drops the signal, and what keeps the process alive is only that a channel
// wants SIGPIPE. A broken pipe is not a stop event (see "Broken pipes" in
// doc.go).

// brokenPipes is the os/signal channel that wants SIGPIPE while the
// registry has a listener, nil otherwise. Guarded by hub.mu (the registry
// calls catchBrokenPipes and releaseBrokenPipes under it).
var brokenPipes chan os.Signal

// catchBrokenPipes is called when the registry gets its first listener.
func catchBrokenPipes() {
	if brokenPipes != nil {
		return
	}
	// A program that ignores SIGPIPE itself (signal.Ignore) survives broken
	// pipes already; Notify would undo its ignore, and signal.Stop would
	// not bring it back.
	if signal.Ignored(syscall.SIGPIPE) {
		return
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGPIPE)
	brokenPipes = c
}

// releaseBrokenPipes is called when the registry's last listener stops.
// A program's own signal.Notify for SIGPIPE keeps its signals: os/signal
// restores the default only once no channel wants SIGPIPE.
func releaseBrokenPipes() {
	if brokenPipes == nil {
		return
	}
	signal.Stop(brokenPipes)
	brokenPipes = nil
}
