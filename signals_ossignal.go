//go:build !windows && !js && !wasip1

package ctrlc

import (
	"os"
	"os/signal"
	"time"
)

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
	// A SIGHUP ignored at start (nohup) must stay ignored: Notify would
	// un-ignore it and let a hang-up stop a program meant to survive it.
	if k == Hangup && signal.Ignored(sig) {
		return nil
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
	for {
		select {
		case s := <-w.c:
			dispatch(Event{Kind: k, Native: nativeOfSignal(s), Time: time.Now()})
		case <-w.quit:
			return
		}
	}
}
