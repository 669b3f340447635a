package main

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/ctrlc-go/ctrlc/pool"
)

// receiver is the loop that hands each command of the source to the pool.
// When the queue is full it waits for room, and the source waits for it:
// that is the demo's backpressure, shown in the progress lines.
type receiver struct {
	received atomic.Int64 // commands taken from the source
	waiting  atomic.Bool  // blocked in Submit: the queue is full
	held     []Command    // commands it could not hand over; read after done
	cancel   context.CancelFunc
	done     chan struct{}
}

func startReceiver(src *source, p *pool.Pool[Command]) *receiver {
	ctx, cancel := context.WithCancel(context.Background())
	r := &receiver{cancel: cancel, done: make(chan struct{})}
	go r.run(ctx, src, p)
	return r
}

func (r *receiver) run(ctx context.Context, src *source, p *pool.Pool[Command]) {
	defer close(r.done)
	for cmd := range src.Commands() {
		r.received.Add(1)
		err := p.TrySubmit(cmd)
		if errors.Is(err, pool.ErrQueueFull) {
			r.waiting.Store(true)
			err = p.Submit(ctx, cmd)
			r.waiting.Store(false)
		}
		if err != nil { // the shutdown's queue stage began, or finish gave up
			r.held = append(r.held, cmd)
		}
	}
}

// finish waits for the loop to end once the source has stopped. A loop
// waiting for room in the queue gets it, as the workers keep running,
// unless ctx ends first or giveUp is set (-policy skip: a command handed
// over now would be set aside unrun anyway); then it keeps its command,
// which the report counts as not done.
func (r *receiver) finish(ctx context.Context, giveUp bool) {
	if giveUp {
		r.cancel()
	}
	select {
	case <-r.done:
	case <-ctx.Done():
	}
	r.cancel()
	<-r.done
}

func (r *receiver) waitNote() string {
	if r.waiting.Load() {
		return " (full: the receiver loop waits for a worker)"
	}
	return ""
}
