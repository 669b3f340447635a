package ctrlc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
)

// forcedListener is a listener whose policy an event has just triggered,
// with the event as that listener saw it.
type forcedListener struct {
	l *Listener
	e Event
}

// exiting is the process-wide state of the forced exit: once one has begun,
// the next forcing event ends the process at once.
var exiting struct {
	mu       sync.Mutex
	started  bool
	lastWord bool // the first forced exit runs last words
}

// exitProcess is Exit; tests replace it to watch the forced exit from
// inside the process, and wait for lastWords before they put it back.
var (
	exitProcess = Exit
	lastWords   sync.WaitGroup
)

// forceExit ends the process for an event that forced the exit of the
// listeners in forced: after their last words, if they have any, or at once.
// It runs on the delivery path and holds no lock of the registry or of a
// listener.
func forceExit(forced []forcedListener) {
	first := forced[0].e
	var words []forcedListener
	for _, f := range forced {
		if f.l.cfg.lastWord != nil {
			words = append(words, f)
		}
	}
	exiting.mu.Lock()
	again, during := exiting.started, "the forced exit"
	if !again {
		exiting.started, exiting.lastWord = true, len(words) > 0
	} else if exiting.lastWord {
		during = "the last word"
	}
	exiting.mu.Unlock()
	if again {
		report(forced, fmt.Sprintf("ctrlc: %s is event %d during %s: exiting with code %d now", first, first.Seq, during, first.ExitCode()))
		exitProcess(first)
		return
	}
	report(forced, fmt.Sprintf("ctrlc: %s is event %d during shutdown: exiting with code %d", first, first.Seq, first.ExitCode()))
	if len(words) == 0 {
		exitProcess(first)
		return
	}
	// The last words run on goroutines of their own, so that the delivery
	// path stays free to see one more forcing event and exit at once.
	lastWords.Add(1)
	go func() {
		defer lastWords.Done()
		var wg sync.WaitGroup
		for _, w := range words {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runLastWord(w)
			}()
		}
		wg.Wait()
		exitProcess(first)
	}()
}

// runLastWord runs the last word of f's listener and returns when it has
// returned, panicked or called runtime.Goexit, or when its timeout passed.
func runLastWord(f forcedListener) {
	cfg := f.l.cfg
	ctx, cancel := context.WithTimeout(context.Background(), cfg.lastWordTimeout)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				report([]forcedListener{f}, fmt.Sprintf("ctrlc: the last word panicked: %v\n%s", p, debug.Stack()))
			}
		}()
		cfg.lastWord(ctx, f.e)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		report([]forcedListener{f}, fmt.Sprintf("ctrlc: the last word did not return within %v: exiting anyway", cfg.lastWordTimeout))
	}
}

// report writes msg to the logger of the first listener that has one, or
// to standard error.
func report(forced []forcedListener, msg string) {
	for _, f := range forced {
		if f.l.cfg.logger != nil {
			if f.l.cfg.log(func(lg *slog.Logger) { lg.Error(msg) }) {
				return
			}
			break
		}
	}
	fmt.Fprintln(stderr, msg)
}

// stderr receives the reports of the forced exit and of panics in handlers
// and last words; tests replace it.
var stderr io.Writer = os.Stderr
