package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctrlc-go/ctrlc/child"
	"github.com/ctrlc-go/ctrlc/pool"
)

// Command is one chat command, as a chat client would deliver it.
type Command struct {
	ID      int       `json:"id"`
	Name    string    `json:"name"`
	Channel string    `json:"channel"`
	At      time.Time `json:"at"`
}

func (c Command) String() string { return fmt.Sprintf("#%d %s in %s", c.ID, c.Name, c.Channel) }

var commandNames, channelNames = []string{"!ping", "!roll d20", "!weather oslo", "!remind 5m tea", "!play lofi", "!quote"},
	[]string{"#general", "#music", "#random"}

// startSource stands in for the chat client: it emits commands, numbered
// from 1, at a steady rate until stop, then closes the channel.
func startSource(rate float64) (commands <-chan Command, stop context.CancelFunc) {
	ctx, stop := context.WithCancel(context.Background())
	c := make(chan Command)
	go func() {
		defer close(c)
		tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
		for id := 1; ; id++ {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
			select {
			case c <- Command{ID: id, Name: commandNames[id%len(commandNames)], Channel: channelNames[id%len(channelNames)], At: time.Now()}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return c, stop
}

// receiver is the loop that hands each command of the source to the pool.
// When the queue is full it waits for room, and the source waits for it:
// that is the demo's backpressure, shown in the progress lines.
type receiver struct {
	received atomic.Int64 // commands taken from the source
	waiting  atomic.Bool  // blocked in Submit: the queue is full
	held     []Command    // commands it could not hand over; read after done
	cancel   context.CancelFunc
	done     chan struct{}
	ended    sync.Once // finish's ended: said once, by the first of the two calls
}

func startReceiver(commands <-chan Command, p *pool.Pool[Command]) *receiver {
	ctx, cancel := context.WithCancel(context.Background())
	r := &receiver{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for cmd := range commands {
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
	}()
	return r
}

// finish waits for the loop to end once the source has stopped. A loop
// waiting for room gets it, unless ctx ends first or giveUp is set (-policy
// skip); then it keeps its command, which the report counts as not done.
// Then it calls ended, once for both calls: the later waits for the first.
func (r *receiver) finish(ctx context.Context, giveUp bool, ended func()) {
	if giveUp {
		r.cancel()
	}
	select {
	case <-r.done:
	case <-ctx.Done(): // a loop still waiting gives up
		r.cancel()
		<-r.done
	}
	r.ended.Do(ended)
}

// handle is the pool's handler: a command takes -work, or runs -exec, and
// a fraction -fail-rate of them, spread evenly over the numbers, fails. It
// gives up when ctx ends: at the drain deadline, or at a hurry.
func (c *config) handle(ctx context.Context, cmd Command) error {
	if c.exec != "" {
		// The terminal's Ctrl-C does not reach the child, which finishes its
		// command while the demo drains; when ctx ends it is stopped, with
		// its children, politely first.
		if err := child.Run(child.Command(ctx, c.exec, strconv.Itoa(cmd.ID))); err != nil {
			return fmt.Errorf("%s %d: %w", c.exec, cmd.ID, err)
		}
	} else {
		start := time.Now()
		select {
		case <-time.After(c.work):
		case <-ctx.Done():
			return fmt.Errorf("cancelled after %v: %w", time.Since(start).Round(time.Millisecond), context.Cause(ctx))
		}
	}
	if ppm, n := int64(c.failRate*1e6+0.5), int64(cmd.ID); n*ppm/1e6 > (n-1)*ppm/1e6 { // of 1…n, n×ppm/1e6 fail
		return fmt.Errorf("simulated failure (-fail-rate %s)", trimFloat(c.failRate))
	}
	return nil
}
