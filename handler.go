package ctrlc

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// ErrMultipleHandlers is returned by SetHandler when a handler is set
// already.
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
// and Seq counts them all). The handler's events never end the process: h
// decides.
//
// As in Rust, a program has one handler for the rest of its life: once one
// is set, SetHandler returns ErrMultipleHandlers; a nil h is an error too.
// A panic in h is recovered and reported on standard error, and so is a
// runtime.Goexit; the next event runs h again.
func SetHandler(h func(Event)) error {
	if h == nil {
		return errors.New("ctrlc: SetHandler: nil handler")
	}
	handler.mu.Lock()
	defer handler.mu.Unlock()
	if handler.cur != nil {
		return ErrMultipleHandlers
	}
	r := &handlerRun{h: h, wake: make(chan struct{}, 1)}
	cfg, err := newConfig([]Option{WithoutForceExit()})
	if err != nil {
		return err
	}
	cfg.repeatWindow = 0
	cfg.sink = r.push
	l, err := newListener(cfg, nil)
	if err != nil {
		return err
	}
	r.listener = l
	r.wg.Add(1)
	go r.loop()
	handler.cur = r
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
