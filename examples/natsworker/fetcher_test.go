package main

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/nats-io/nats.go/jetstream"
)

type fakeMsg struct {
	jetstream.Msg // only Data and Nak are called
	id            int
	naked         *atomic.Int32
}

func (m fakeMsg) Data() []byte { return []byte(strconv.Itoa(m.id)) }
func (m fakeMsg) Nak() error   { m.naked.Add(1); return nil }

type fakeBatch chan jetstream.Msg

func (b fakeBatch) Messages() <-chan jetstream.Msg { return b }
func (b fakeBatch) Error() error                   { return nil }

// fakeConsumer hands each Fetch's batch size to the test and returns the
// batch the test gives back; once done is closed, every Fetch returns an
// empty batch.
type fakeConsumer struct {
	jetstream.Consumer // only Fetch is called
	asked              chan int
	batches            chan fakeBatch
	done               chan struct{}
}

func (c fakeConsumer) Fetch(n int, _ ...jetstream.FetchOpt) (jetstream.MessageBatch, error) {
	select {
	case c.asked <- n:
		return <-c.batches, nil
	case <-c.done:
		b := make(fakeBatch)
		close(b)
		return b, nil
	}
}

func newFetcher(t *testing.T, workers int, handler func(context.Context, message) error) (*fetcher, fakeConsumer, *pool.Pool[message]) {
	t.Helper()
	c := fakeConsumer{asked: make(chan int), batches: make(chan fakeBatch), done: make(chan struct{})}
	slots := make(chan struct{}, 2*workers)
	p, err := pool.New(func(ctx context.Context, m message) error {
		defer func() { <-slots }()
		return handler(ctx, m)
	}, pool.Options{Workers: workers, QueueSize: workers})
	if err != nil {
		t.Fatal(err)
	}
	f := &fetcher{consumer: c, pool: p, slots: slots, wait: 10 * time.Millisecond, stop: make(chan struct{})}
	f.running.Add(1)
	go f.loop()
	return f, c, p
}

// closeAndRun ends p's input, as at the end of a batch, and returns Run's
// report once every item ran; a bug that leaves one running ends Run after
// 10 s instead of hanging the test.
func closeAndRun(p *pool.Pool[message]) (*pool.Report[message], error) {
	if err := p.Close(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.Run(ctx)
}

// A replica never asks for more messages than its pool has room for: what
// it holds unacked stays small, so no AckWait passes while a message waits.
func TestFetchAsksOnlyForFreeRoom(t *testing.T) {
	release := make(chan struct{})
	f, c, p := newFetcher(t, 2, func(context.Context, message) error { <-release; return nil })
	var naked atomic.Int32
	if n := <-c.asked; n != 4 {
		t.Fatalf("first fetch asked for %d, want 4 (2 workers + 2 queued)", n)
	}
	b := make(fakeBatch, 4)
	for id := 1; id <= 4; id++ {
		b <- fakeMsg{id: id, naked: &naked}
	}
	close(b)
	c.batches <- b
	select {
	case n := <-c.asked:
		t.Fatalf("fetched %d more while the pool was full", n)
	case <-time.After(50 * time.Millisecond):
	}
	release <- struct{}{} // one message done: room for one
	if n := <-c.asked; n != 1 {
		t.Fatalf("after one message finished, asked for %d, want 1", n)
	}
	close(release)
	close(c.done)
	empty := make(fakeBatch)
	close(empty)
	c.batches <- empty // ends the fetch in progress
	f.Stop()
	r, err := closeAndRun(p)
	if err != nil || r.Completed != 4 || naked.Load() != 0 {
		t.Fatalf("completed %d, naked %d, err %v; want 4 completed, none naked", r.Completed, naked.Load(), err)
	}
}

// Messages a fetch brings after the stop began are Nak'ed, not queued: the
// server gives them to another replica at once.
func TestFetchAfterStopNaks(t *testing.T) {
	f, c, p := newFetcher(t, 2, func(context.Context, message) error { return nil })
	var naked atomic.Int32
	<-c.asked
	stopped := make(chan struct{})
	go func() { f.Stop(); close(stopped) }()
	for !f.stopping() {
		time.Sleep(time.Millisecond)
	}
	b := make(fakeBatch, 3)
	for id := 1; id <= 3; id++ {
		b <- fakeMsg{id: id, naked: &naked}
	}
	close(b)
	c.batches <- b
	<-stopped
	r, err := closeAndRun(p)
	if err != nil || r.Accepted != 0 || naked.Load() != 3 || f.naked != 3 {
		t.Fatalf("accepted %d, naked %d (counted %d), err %v; want 0 accepted, 3 naked", r.Accepted, naked.Load(), f.naked, err)
	}
	if len(f.slots) != 0 {
		t.Fatalf("%d slots still taken", len(f.slots))
	}
}
