package ctrlc

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// registry keeps the live listeners and turns each kind's platform delivery
// on while at least one listener wants it.
type registry struct {
	mu        sync.Mutex
	listeners map[*Listener]struct{}
	refs      [maxKind + 1]int // listeners per kind that turn its platform delivery on
	gen       atomic.Uint64    // how many listeners were ever added
}

var hub registry

func (h *registry) add(l *Listener) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	// l turns on the platform delivery of the kinds it wants, except those
	// ignored at start unless it asked for them anyway.
	l.active = l.cfg.kinds
	if !l.cfg.evenIfIgnored {
		l.active &^= ignoredKinds()
	}
	var enabled []Kind
	for k := Interrupt; k <= maxKind; k++ {
		if !l.active.has(k) || h.refs[k] > 0 {
			continue
		}
		if err := enable(k); err != nil {
			for _, e := range enabled {
				disable(e)
			}
			return fmt.Errorf("ctrlc: listening to %s: %w", k, err)
		}
		enabled = append(enabled, k)
	}
	for k := Interrupt; k <= maxKind; k++ {
		if l.active.has(k) {
			h.refs[k]++
		}
	}
	if h.listeners == nil {
		h.listeners = make(map[*Listener]struct{})
	}
	if len(h.listeners) == 0 {
		catchBrokenPipes() // see sigpipe_unix.go
	}
	l.gen = h.gen.Add(1)
	h.listeners[l] = struct{}{}
	return nil
}

func (h *registry) remove(l *Listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.listeners[l]; !ok {
		return
	}
	delete(h.listeners, l)
	if len(h.listeners) == 0 {
		releaseBrokenPipes()
	}
	for k := Interrupt; k <= maxKind; k++ {
		if l.active.has(k) {
			h.refs[k]--
			if h.refs[k] == 0 {
				disable(k)
			}
		}
	}
}

// source tells dispatch where an event comes from.
type source struct {
	// native is true for an event from the platform, false for Trigger.
	native bool
	// gen is the registry's generation when the event was taken from the
	// platform: listeners added later do not get it.
	gen uint64
	// current, when set, is called with hub.mu held and reports whether the
	// platform watcher that took the event is still the one in use; if not,
	// the event was taken for listeners that have all stopped since, and it
	// is dropped.
	current func() bool
}

// dispatch delivers e to every listener that wants its kind, reports whether
// any took it, and escalates for the listeners that saw it as their second
// event or later. Platform
// code calls it for each native event. It holds no lock while it delivers or
// exits.
func dispatch(e Event, src source) bool {
	at := time.Now()
	if e.Time.IsZero() {
		e.Time = at
	}
	hub.mu.Lock()
	if src.current != nil && !src.current() {
		hub.mu.Unlock()
		return false
	}
	var few [4]*Listener // most programs have one listener: no allocation for it
	targets := few[:0]
	for l := range hub.listeners {
		if !l.cfg.kinds.has(e.Kind) || l.gen > src.gen {
			continue
		}
		if src.native && !l.active.has(e.Kind) {
			continue // ignored at start, and l did not ask for it anyway
		}
		targets = append(targets, l)
	}
	hub.mu.Unlock()

	took := false
	var steps []*escalation
	for _, l := range targets {
		ok, step := l.deliver(e, at, src.native)
		took = took || ok
		if step != nil {
			steps = append(steps, step)
		}
	}
	if len(steps) > 0 {
		escalateAll(steps)
	}
	return took
}

// closeGrace returns the longest close hold among the listeners of k.
func closeGrace(k Kind) time.Duration {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	var d time.Duration
	for l := range hub.listeners {
		if h := l.cfg.closeHold(); l.cfg.kinds.has(k) && h > d {
			d = h
		}
	}
	return d
}

// Trigger delivers e by hand to every listener of its kind, as if the
// platform had sent it: for tests, for wasip1 (which has no signals), and for
// programs that embed a shutdown button. A zero Native is filled with the
// platform's code for the kind, and a zero Time with the current time; Seq is
// set per listener. The escalation applies as to any event; a triggered
// event is never taken for a duplicate of the one before, and a kind ignored
// at start reaches every listener of it. A kind outside Interrupt…Shutdown
// is an error wrapping ErrUnknownKind.
func Trigger(e Event) error {
	if !e.Kind.valid() {
		return fmt.Errorf("%w: Trigger(Event{Kind: %d})", ErrUnknownKind, uint8(e.Kind))
	}
	if e.Native == 0 {
		e.Native = nativeOf(e.Kind)
	}
	dispatch(e, source{gen: hub.gen.Load()})
	return nil
}
