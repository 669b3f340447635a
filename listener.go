package ctrlc

import (
	"fmt"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/escalate"
	"github.com/ctrlc-go/ctrlc/internal/guard"
)

// chanSize bounds how many undelivered events a listener keeps; beyond it
// events coalesce (Seq still counts them). The first is never dropped.
const chanSize = 4

// A Listener receives stop events from the moment Notify returns until Stop.
// Its methods may be called from any goroutine. A nil *Listener is a
// listener that never hears anything: C returns a nil channel (a receive
// blocks forever) and Stop does nothing.
type Listener struct {
	cfg    config
	c      chan Event
	gen    uint64          // set by the registry: events taken before it do not reach l
	active kindSet         // set by the registry: the kinds whose platform delivery l turned on
	esc    *escalate.State // set by NotifyContext: the drains its second event hurries

	stopOnce sync.Once

	mu      sync.Mutex
	seq     int
	last    [maxKind + 1]time.Time // when each kind was last taken, for the repeat window
	stopped bool
}

// Notify starts listening to the kinds chosen by opts and returns the
// listener. The default action of those signals (ending the process) is
// suspended until Stop; a second event ends the process unless the
// listener was made WithoutForceExit (see the package documentation). An
// invalid option is an error that names it.
func Notify(opts ...Option) (*Listener, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return newListener(cfg, nil)
}

func newListener(cfg config, esc *escalate.State) (*Listener, error) {
	l := &Listener{cfg: cfg, c: make(chan Event, chanSize), esc: esc}
	if err := hub.add(l); err != nil {
		return nil, err
	}
	return l, nil
}

// C returns the shutdown channel. The first event is always delivered, even
// if nobody reads yet; later ones may be dropped while the channel is full
// (it holds 4), and Event.Seq tells how many arrived. C is not closed by
// Stop.
func (l *Listener) C() <-chan Event {
	if l == nil {
		return nil
	}
	return l.c
}

// Stop stops the listener: once Stop returns, no event reaches it. Once no
// listener wants a kind, that signal's default behaviour is back: a later
// Ctrl-C ends the process. On Windows, stopping the last listener of a close
// event also ends its hold, and Windows then ends the process. Stop is
// idempotent, and a no-op on a nil listener.
func (l *Listener) Stop() {
	if l == nil {
		return
	}
	// A Stop called while another runs returns once that one is done, so
	// that whichever returns, the default behaviour is back.
	l.stopOnce.Do(func() {
		l.mu.Lock()
		l.stopped = true
		l.mu.Unlock()
		hub.remove(l)
	})
}

// deliver hands e, received at the monotonic instant at, to the listener.
// It reports whether the listener took it (a coalesced repeat counts as
// taken: the listener wanted the kind) and, from the second event on, the
// listener's view of it for the escalation.
func (l *Listener) deliver(e Event, at time.Time, native bool) (took bool, step *escalation) {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false, nil
	}
	if w := l.cfg.repeatWindow; native && w > 0 && !l.last[e.Kind].IsZero() && at.Sub(l.last[e.Kind]) < w {
		seq := l.seq
		l.mu.Unlock()
		if l.cfg.logger != nil {
			text := e.Error()
			l.cfg.log(func(lg leveledLogger) {
				lg.Debug("ctrlc: repeat coalesced", "event", text, "seq", seq, "window", w)
			})
		}
		return true, nil
	}
	l.last[e.Kind] = at
	l.seq++
	e.Seq = l.seq
	if g := l.cfg.grace; g > 0 {
		if d := e.Time.Add(g); e.Deadline.IsZero() || d.Before(e.Deadline) {
			e.Deadline = d
		}
	}
	if l.cfg.sink != nil {
		l.cfg.sink(e)
	} else {
		select {
		case l.c <- e:
		default: // coalesced; the Seq of the next delivered event shows the gap
		}
	}
	if e.Seq == 1 && l.esc != nil {
		l.esc.Stop(e)
	}
	if e.Seq > 1 {
		step = &escalation{l: l, e: e}
	}
	l.mu.Unlock()

	if l.cfg.logger != nil { // the closure costs an allocation: none without a logger
		// It captures copies: a closure that captured e would move e to
		// the heap at every delivery, logger or not.
		text, seq := e.Error(), e.Seq
		l.cfg.log(func(lg leveledLogger) { lg.Info("ctrlc: event", "event", text, "seq", seq) })
	}
	return true, step
}

// log calls f with the listener's logger, if it has one, and reports
// whether f completed. A logger that panics or calls runtime.Goexit does not
// take the delivery path down with it: f runs on a goroutine of its own,
// which alone ends, and the panic or Goexit is reported on standard error.
// (On Windows the delivery path is the console's thread, where a Goexit
// would be fatal to the process.)
func (c *config) log(f func(leveledLogger)) bool {
	lg := c.logger
	if lg == nil {
		return false
	}
	returned, panicked, value := guard.Call(func() { f(lg) })
	switch {
	case returned:
	case panicked:
		fmt.Fprintf(stderr, "ctrlc: the logger panicked: %v\n", value)
	default:
		fmt.Fprintln(stderr, "ctrlc: the logger called runtime.Goexit")
	}
	return returned
}
