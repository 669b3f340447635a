//go:build !windows && !js && !wasip1

package ctrlc

import (
	"os"
	"os/signal"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/stack"
)

// ignoredKinds returns the kinds ignored at start.
func ignoredKinds() kindSet { return ignoredAtStart }

// ignoredAtStart holds the kinds whose signal was ignored when the program
// started (nohup, cmd & in a non-interactive shell): Notify leaves them
// ignored unless a listener asks for them with WithEvenIfIgnored. It is
// taken at initialization, before any listener un-ignores a signal.
var ignoredAtStart = func() kindSet {
	var s kindSet
	for k := Interrupt; k <= maxKind; k++ {
		if sig := osSignal(k); sig != nil && signal.Ignored(sig) {
			s |= 1 << k
		}
	}
	return s
}()

// watchers holds, per kind, the os/signal channel in use while some listener
// wants the kind. Guarded by hub.mu (enable and disable run under it).
var watchers [maxKind + 1]*watcher

type watcher struct {
	c    chan os.Signal
	quit chan struct{}
}

func enable(k Kind) error {
	sig := osSignal(k)
	if sig == nil {
		return nil // no such signal here: only Trigger delivers k
	}
	w := &watcher{c: make(chan os.Signal, 1), quit: make(chan struct{})}
	signal.Notify(w.c, sig)
	watchers[k] = w
	go w.run(k)
	return nil
}

func disable(k Kind) {
	w := watchers[k]
	if w == nil {
		return
	}
	watchers[k] = nil
	// After signal.Stop no more signals reach w.c, and if no other os/signal
	// channel wants the signal its default action is back.
	signal.Stop(w.c)
	close(w.quit)
}

func (w *watcher) run(k Kind) {
	// The events are delivered on this goroutine: its stack grows now, not
	// at the first signal.
	stack.Reserve(0)
	// A signal this watcher took belongs to the listeners of its time:
	// dispatch drops it if the watcher was replaced meanwhile, and keeps it
	// from listeners added after it was taken.
	current := func() bool { return watchers[k] == w }
	for {
		select {
		case s := <-w.c:
			src := source{native: true, gen: hub.gen.Load(), current: current}
			dispatch(Event{Kind: k, Native: nativeOfSignal(s), Time: time.Now()}, src)
		case <-w.quit:
			return
		}
	}
}
