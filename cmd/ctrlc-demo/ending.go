package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
)

// ending decides who ends the program: the report, once the drain is over,
// or the last word of a forced exit (a second Ctrl-C during the drain),
// whichever comes first. The other one waits, so that the -unprocessed file
// is written once, whole, and the output does not interleave.
type ending struct {
	cfg     *config
	out     io.Writer // where the last word speaks (standard error)
	workers *pool.Pool[Command]

	mu     sync.Mutex
	source *source   // nil until started
	loop   *receiver // nil until started
	owner  string    // "", "report" or "last word"
	done   chan struct{}
	once   sync.Once
}

func newEnding(cfg *config, out io.Writer, workers *pool.Pool[Command]) *ending {
	return &ending{cfg: cfg, out: out, workers: workers, done: make(chan struct{})}
}

// started tells the last word about the source and the receiver loop.
func (e *ending) started(src *source, loop *receiver) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.source, e.loop = src, loop
}

// claim makes who the one that ends the program, unless another was first;
// it reports whether who is. The owner calls finished when done.
func (e *ending) claim(who string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.owner == "" {
		e.owner = who
	}
	return e.owner == who
}

// finished says the owner is done; it may be called more than once.
func (e *ending) finished() { e.once.Do(func() { close(e.done) }) }

// lastWord is the demo's ctrlc.WithLastWord function: between the forcing
// event and the exit, it takes every command not yet done (what the pool
// has not finished, by value, and what the receiver loop still holds) and
// appends it to the -unprocessed file, or says which commands are lost.
func (e *ending) lastWord(ctx context.Context, ev ctrlc.Event) {
	if !e.claim("last word") {
		// The report is being written: let it finish, file included.
		select {
		case <-e.done:
		case <-ctx.Done():
		}
		return
	}
	defer e.finished()
	notDone := e.workers.TakePending() // the pool starts nothing more, and accepts nothing more
	e.mu.Lock()
	src, loop := e.source, e.loop
	e.mu.Unlock()
	received := 0
	if loop != nil {
		src.Stop()
		notDone = append(notDone, loop.finish(ctx, true)...)
		received = int(loop.received.Load())
	}
	fmt.Fprintf(e.out, "%v: the last word: %d of %s received done, %d not done\n",
		ev, received-len(notDone), count(received, "command"), len(notDone))
	f := e.cfg.unprocessed
	switch {
	case len(notDone) == 0:
	case f == nil:
		fmt.Fprintf(e.out, "not done: %s are lost (-unprocessed FILE keeps them)\n", idRanges(ids(notDone)))
	default:
		if err := appendCommands(f, notDone); err != nil {
			fmt.Fprintf(e.out, "ctrlc-demo: %v: %s are lost\n", err, idRanges(ids(notDone)))
		} else {
			fmt.Fprintf(e.out, "not done: %s written to %s\n", count(len(notDone), "command"), f.Name())
		}
	}
}

// appendCommands writes each command to f, one JSON line each, and closes f.
func appendCommands(f io.WriteCloser, cmds []Command) error {
	enc := json.NewEncoder(f)
	var err error
	for _, cmd := range cmds {
		if err = enc.Encode(cmd); err != nil {
			break
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the commands not done: %w", err)
	}
	return nil
}

// ids lists the commands' numbers.
func ids(cmds []Command) []int {
	ids := make([]int, len(cmds))
	for i, c := range cmds {
		ids[i] = c.ID
	}
	return ids
}
