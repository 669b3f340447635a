package pool

import (
	"runtime"
	"runtime/debug"
	"sync/atomic"
)

// worker is one worker's slot: the item it runs, by value, so that a
// shutdown can hand back items still running, and its completed count.
//
// state is the only word shared with readers (settle, Stats). The worker
// writes cur only while its slot is not busy, then sets slotBusy; a reader
// copies cur only after setting slotHeld on a busy slot, and the worker
// does not end the item while slotHeld is set. So an item costs the worker
// one atomic add and one compare-and-swap, and never a lock.
type worker[T any] struct {
	state atomic.Uint64
	cur   entry[T]

	// Touched by the worker's goroutine only: what serve saw of a handler
	// that ended without returning and without a panic value (Goexit, or
	// panic(nil) under GODEBUG=panicnil=1).
	noValue bool
	stack   []byte

	_ [40]byte // keeps workers' hot words on different cache lines
}

// Bits of worker.state; the count above them is the completed items.
const (
	slotBusy       = 1 << 0 // cur is running
	slotHeld       = 1 << 1 // a reader is copying cur: the worker must not end the item yet
	slotClaimed    = 1 << 2 // cur was reported abandoned: its end is not recorded
	slotCountShift = 3
	slotOne        = 1 << slotCountShift
)

// end ends the slot's item, adding delta to its count, and reports whether
// it may be recorded: false if a reader claimed it as abandoned.
func (w *worker[T]) end(delta uint64) bool {
	for {
		s := w.state.Load()
		switch {
		case s&slotHeld != 0:
			runtime.Gosched() // a reader copies cur: no user code, short
		case s&slotClaimed != 0:
			w.state.Store(s &^ (slotClaimed | slotBusy)) // no reader touches an unbusy slot
			return false
		case w.state.CompareAndSwap(s, s-slotBusy+delta):
			return true
		}
	}
}

// hold sets slotHeld and slotClaimed on a busy slot that no one claimed
// yet, and returns its item; the caller must release it.
func (w *worker[T]) hold() (entry[T], bool) {
	const bits = slotHeld | slotClaimed
	for {
		s := w.state.Load()
		if s&slotBusy == 0 || s&(slotHeld|slotClaimed) != 0 {
			return entry[T]{}, false
		}
		if w.state.CompareAndSwap(s, s|bits) {
			return w.cur, true
		}
	}
}

func (w *worker[T]) release() { w.state.And(^uint64(slotHeld)) }

// hire gives the next worker slot a goroutine, if one is left without. A
// submitter calls it while admitted (counted in Pool.state), so that once
// the intake is closed no worker is hired any more: closeIntake then sees
// the final count. Starting the workers with the first items, rather than
// in New, leaves an idle pool's shutdown with no goroutine to wake.
func (p *Pool[T]) hire() {
	for {
		n := p.hired.Load()
		if n >= int64(len(p.workers)) {
			return
		}
		if p.hired.CompareAndSwap(n, n+1) {
			p.live.Add(1)
			go p.work(&p.workers[n])
			return
		}
	}
}

// work is a worker's goroutine. A handler that calls runtime.Goexit ends
// the goroutine whatever we do: the deferred function records the item and
// starts a replacement on the same slot, so later items still run and the
// shutdown does not wait out its timeouts.
func (p *Pool[T]) work(w *worker[T]) {
	returned := false
	defer func() {
		if returned {
			if p.live.Add(-1) == 0 {
				p.idleOnce.Do(func() { close(p.idle) })
			}
			return
		}
		if w.noValue { // Goexit inside a handler
			p.itemEnded(w, &PanicError{Value: ErrGoexit, Stack: w.stack})
		}
		w.noValue, w.stack = false, nil
		go p.work(w)
	}()
	for !p.serve(w) {
		if w.noValue { // serve recovered panic(nil) under GODEBUG=panicnil=1
			p.itemEnded(w, &PanicError{Stack: w.stack})
			w.noValue, w.stack = false, nil
		}
	}
	p.emptyOnce.Do(func() { close(p.emptied) })
	returned = true
}

// serve runs queued items until the queue is closed and empty, and then
// returns true. A panicking item ends serve early (false), once its panic is
// recorded, and the worker calls serve again: recovering here rather than
// around each item keeps a deferred call off the per-item path.
func (p *Pool[T]) serve(w *worker[T]) (closed bool) {
	defer func() {
		if closed {
			return
		}
		v := recover()
		if w.state.Load()&slotBusy == 0 {
			return // not in a handler: nothing to record
		}
		if v != nil {
			p.itemEnded(w, &PanicError{Value: v, Stack: debug.Stack()})
			return
		}
		// No value: runtime.Goexit (the goroutine ends after this), or a
		// recovered panic(nil) (serve returns): work tells which.
		w.noValue, w.stack = true, debug.Stack()
	}()
	ctx := p.itemCtx
	for e := range p.queue {
		if p.abandon.Load() {
			p.handBack(e)
			continue
		}
		w.cur = e
		s := w.state.Add(slotBusy)
		err := p.handler(ctx, e.item)
		if err == nil && w.state.CompareAndSwap(s, s-slotBusy+slotOne) {
			continue
		}
		p.itemEnded(w, err)
	}
	return true
}

// itemEnded ends the slot's item with err, the slow way: an error, a panic,
// or a reader holding the slot.
func (p *Pool[T]) itemEnded(w *worker[T], err error) {
	e := w.cur
	var delta uint64
	if err == nil {
		delta = slotOne
	}
	if !w.end(delta) {
		if p.logging() {
			p.log("pool: an abandoned item returned", "item", shortForm(e.item), "error", err)
		}
		return
	}
	if err != nil {
		p.record(e.item, err)
	}
}

// record files a failed item under its outcome and keeps its error, up to
// MaxItemErrors: only interrupted items are kept by value (they are not
// done), so that a long-lived pool with a failing handler stays small.
func (p *Pool[T]) record(item T, err error) {
	_, panicked := err.(*PanicError)
	stage, _ := p.phase.Load().(string)
	p.mu.Lock()
	switch {
	case p.expired.Load():
		p.interrupted = append(p.interrupted, item)
		stage = p.cancelStage
	case panicked:
		p.panicked++
	default:
		p.failed++
	}
	if len(p.itemErrs) < p.opts.MaxItemErrors {
		p.itemErrs = append(p.itemErrs, &ItemError[T]{Stage: stage, Item: item, Err: err})
	} else {
		p.dropped[stage]++
	}
	p.mu.Unlock()
	if p.logging() {
		p.log("pool: item failed", "stage", stage, "item", shortForm(item), "error", err)
	}
}

func (p *Pool[T]) handBack(e entry[T]) {
	p.mu.Lock()
	p.unprocessed = append(p.unprocessed, e)
	p.mu.Unlock()
}

// handBackQueue moves every queued item to the unprocessed list. The queue
// must be closed.
func (p *Pool[T]) handBackQueue() {
	for e := range p.queue {
		p.handBack(e)
	}
}
