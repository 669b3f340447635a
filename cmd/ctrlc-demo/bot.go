package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc/child"
)

// Command is one chat command, as a chat client would deliver it.
type Command struct {
	ID      int       `json:"id"`
	Name    string    `json:"name"`
	Channel string    `json:"channel"`
	At      time.Time `json:"at"`
}

func (c Command) String() string { return fmt.Sprintf("#%d %s in %s", c.ID, c.Name, c.Channel) }

var (
	commandNames = []string{"!ping", "!roll d20", "!weather oslo", "!remind 5m tea", "!play lofi", "!quote"}
	channelNames = []string{"#general", "#music", "#random"}
)

// source stands in for the chat client: it emits commands, numbered from 1,
// at a steady rate until Stop, then closes its channel.
type source struct {
	c    chan Command
	stop chan struct{}
	once sync.Once
}

func startSource(rate float64) *source {
	s := &source{c: make(chan Command), stop: make(chan struct{})}
	go s.run(time.Duration(float64(time.Second) / rate))
	return s
}

// Commands returns the channel of commands, closed once the source stopped.
func (s *source) Commands() <-chan Command { return s.c }

// Stop stops the source; it is safe to call more than once.
func (s *source) Stop() { s.once.Do(func() { close(s.stop) }) }

func (s *source) run(every time.Duration) {
	defer close(s.c)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for id := 1; ; id++ {
		select {
		case <-tick.C:
		case <-s.stop:
			return
		}
		cmd := Command{
			ID:      id,
			Name:    commandNames[id%len(commandNames)],
			Channel: channelNames[id%len(channelNames)],
			At:      time.Now(),
		}
		select {
		case s.c <- cmd:
		case <-s.stop:
			return
		}
	}
}

// bot handles commands: each takes work, and a fraction failPPM/1e6 of
// them, spread evenly over the command numbers, fails. The pool counts
// them (Stats).
type bot struct {
	work     time.Duration
	exec     string
	failRate float64
	failPPM  int64
}

func newBot(c *config) *bot {
	return &bot{work: c.work, exec: c.exec, failRate: c.failRate, failPPM: int64(c.failRate*1e6 + 0.5)}
}

// handle is the pool's handler. It gives up when ctx ends: at the drain
// deadline, or when a second Ctrl-C hurries the drain.
func (b *bot) handle(ctx context.Context, cmd Command) error {
	if b.exec != "" {
		// A child of its own process group: the terminal's Ctrl-C does not
		// reach it, so it finishes its command while the demo drains; when
		// ctx ends it is stopped, politely first, with all its children.
		c := child.Command(ctx, b.exec, strconv.Itoa(cmd.ID))
		if err := child.Run(c); err != nil {
			return fmt.Errorf("%s %d: %w", b.exec, cmd.ID, err)
		}
		return nil
	}
	start := time.Now()
	timer := time.NewTimer(b.work)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
		return fmt.Errorf("cancelled after %v: %w", time.Since(start).Round(time.Millisecond), context.Cause(ctx))
	}
	if fails(cmd.ID, b.failPPM) {
		return fmt.Errorf("simulated failure (-fail-rate %s)", trimFloat(b.failRate))
	}
	return nil
}

// fails reports whether command id fails: of the commands 1…n, exactly
// n×ppm/1e6 (rounded down) do.
func fails(id int, ppm int64) bool {
	n := int64(id)
	return n*ppm/1e6 > (n-1)*ppm/1e6
}
