package ctrlc

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// ErrNilHandler is returned by SetHandler and TrySetHandler for a nil handler.
var ErrNilHandler = errors.New("ctrlc: nil handler")

// ErrMultipleHandlers is returned by TrySetHandler when a handler is set.
var ErrMultipleHandlers = errors.New("ctrlc: a handler is already set")

// handler is the one handler set by SetHandler.
var handler struct {
	mu  sync.Mutex
	cur *handlerRun
}

// handlerRun runs one handler: its listener queues every event, without
// bound, and one goroutine at a time runs the handler on them in order.
type handlerRun struct {
	h        func(Event)
	listener *Listener
	wake     chan struct{} // one pending wake-up

	mu      sync.Mutex
	queue   []Event
	stopped bool

	wg sync.WaitGroup // the running goroutine
}

// SetHandler runs h once for each event of the default kinds, in the order
// they arrive, on a goroutine of its own, never in signal context: the Go
// counterpart of Rust's ctrlc::set_handler. Events wait in a queue while h
// runs, so a slow h still sees every one of them (repeats are not coalesced
// and Seq counts them all). Events are not forced to exit the process: h
// decides.
//
// SetHandler replaces a handler set before: the new handler listens before
// the old one stops, so the default action (death) never comes back in
// between, and once SetHandler returns the old handler is not called again
// (a call already under way, which begins when its handler goroutine takes
// the event off the queue, just before h runs, finishes on its own, and
// SetHandler does not wait for it: h may itself call SetHandler). Events the old handler had
// queued but not started are dropped with it; the new handler gets every
// event from the moment its listener is in place, within the SetHandler
// call. A panic in h is recovered and reported on standard error, and so is
// a runtime.Goexit; the next event runs h again.
func SetHandler(h func(Event)) error { return setHandler(h, true) }

// TrySetHandler is SetHandler, except that it returns ErrMultipleHandlers
// when a handler is already set.
func TrySetHandler(h func(Event)) error { return setHandler(h, false) }

func setHandler(h func(Event), replace bool) error {
	if h == nil {
		return ErrNilHandler
	}
	handler.mu.Lock()
	defer handler.mu.Unlock()
	old := handler.cur
	if old != nil && !replace {
		return ErrMultipleHandlers
	}
	r := &handlerRun{h: h, wake: make(chan struct{}, 1)}
	cfg, err := newConfig([]Option{WithoutForceExit(), WithRepeatWindow(0)})
	if err != nil {
		return err
	}
	cfg.sink = r.push
	l, err := notify(cfg)
	if err != nil {
		return err
	}
	r.listener = l
	r.wg.Add(1)
	go r.loop()
	handler.cur = r
	if old != nil {
		old.stop()
	}
	return nil
}

// push queues e; the listener calls it with its lock held.
func (r *handlerRun) push(e Event) {
	r.mu.Lock()
	r.queue = append(r.queue, e)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// stop stops r's listener and drops what it queued; the goroutine ends
// after the call of h under way, if any. It does not wait for it, since h
// may be the caller.
func (r *handlerRun) stop() {
	r.listener.Stop()
	r.mu.Lock()
	r.stopped = true
	r.queue = nil
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *handlerRun) loop() {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		for len(r.queue) == 0 && !r.stopped {
			r.mu.Unlock()
			<-r.wake
			r.mu.Lock()
		}
		if r.stopped {
			r.mu.Unlock()
			return
		}
		e := r.queue[0]
		r.queue[0] = Event{}
		r.queue = r.queue[1:]
		r.mu.Unlock()
		r.call(e)
	}
}

// call runs h on e. After a panic the loop goes on; after runtime.Goexit,
// which ends this goroutine whatever happens, a new goroutine takes over.
func (r *handlerRun) call(e Event) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "ctrlc: the handler panicked on %v: %v\n%s", e, p, debug.Stack())
			return
		}
		fmt.Fprintf(stderr, "ctrlc: the handler called runtime.Goexit on %v\n", e)
		r.wg.Add(1)
		go r.loop()
	}()
	r.h(e)
	returned = true
}

// resetHandler removes the handler and waits for its goroutine, for tests.
func resetHandler() {
	handler.mu.Lock()
	r := handler.cur
	handler.cur = nil
	handler.mu.Unlock()
	if r != nil {
		r.stop()
		r.wg.Wait()
	}
}
