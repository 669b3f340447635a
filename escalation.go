package ctrlc

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// hurryBackstop bounds how long a hurried drain (a pool's Run) may take to
// return before the process ends anyway: the pool's hurried budget is about
// a second, and this leaves as much again for user code that returns late.
const hurryBackstop = 2 * time.Second

// escalation is a listener's second or later event, as that listener saw
// it.
type escalation struct {
	l *Listener
	e Event
}

// exiting is set once the library began to end the process: any later
// escalation ends it at once.
var exiting struct {
	mu      sync.Mutex
	started bool
}

// exitProcess is Exit; tests replace it to watch the forced exit from
// inside the process, and wait for backstops before they put it back.
var (
	exitProcess = Exit
	backstops   sync.WaitGroup
)

// escalateAll runs the escalation for the events in steps: a second event
// hurries the drains under way under its listener's context (NotifyContext)
// and, if there are none, ends the process; a third ends it. A listener made
// WithoutForceExit only hurries. It runs on the delivery path and holds no
// lock of the registry or of a listener.
func escalateAll(steps []*escalation) {
	var end *escalation
	for _, s := range steps {
		cfg := &s.l.cfg
		if s.e.Seq == 2 && s.l.esc != nil && s.l.esc.Draining() {
			// Said before the hurry: the hurried drain may be over, its
			// report printed, a moment after.
			say(s.l, fmt.Sprintf("ctrlc: %v again: hurrying the shutdown (once more ends the program now)", s.e))
		}
		if s.e.Seq == 2 && s.l.esc != nil && s.l.esc.Hurry(s.e) {
			if cfg.forceExit {
				backstops.Add(1)
				go backstop(s)
			}
			continue
		}
		if cfg.forceExit && end == nil {
			end = s
		}
	}
	if end == nil {
		return
	}
	exiting.mu.Lock()
	again := exiting.started
	exiting.started = true
	exiting.mu.Unlock()
	what := "during the shutdown"
	if again {
		what = "while the program exits"
	}
	say(end.l, fmt.Sprintf("ctrlc: %v is event %d %s: exiting now", end.e, end.e.Seq, what))
	exitProcess(end.e)
}

// backstop ends the process when the drains hurried by s have not all
// returned within hurryBackstop: user code that ignores its context must not
// keep a hurried program alive.
func backstop(s *escalation) {
	defer backstops.Done()
	if s.l.esc.WaitIdle(hurryBackstop) {
		return
	}
	exiting.mu.Lock()
	exiting.started = true
	exiting.mu.Unlock()
	say(s.l, fmt.Sprintf("ctrlc: the shutdown hurried by %v did not return within %v: exiting now", s.e, hurryBackstop))
	exitProcess(s.e)
}

// say writes msg to the listener's logger, or to standard error when it has
// none or the logger failed.
func say(l *Listener, msg string) {
	if l.cfg.logger != nil && l.cfg.log(func(lg leveledLogger) { lg.Warn(msg) }) {
		return
	}
	fmt.Fprintln(stderr, msg)
}

// stderr receives what say writes and the reports of panics in handlers;
// tests replace it.
var stderr io.Writer = os.Stderr
