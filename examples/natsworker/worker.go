package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/ctrlc-go/ctrlc/service"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ackTimeout bounds one ack's round trip to the server; flushTimeout, the
// last flush, of the acks and Naks.
const (
	ackTimeout   = 5 * time.Second
	flushTimeout = time.Second
)

// work runs the replica until the first stop event, then shuts it down and
// Naks every message it did not finish.
func work(cfg config) error {
	// Catch SIGTERM, Ctrl-C and SIGHUP from here on. The context ends at
	// the first; a second hurries the shutdown (Run hands back the messages
	// not done within about a second); a third ends the process.
	var opts []ctrlc.Option
	if cfg.grace > 0 {
		opts = append(opts, ctrlc.WithGracePeriod(cfg.grace))
	}
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), opts...)
	defer stop()
	if err != nil {
		return err
	}

	nc, err := nats.Connect(cfg.url, nats.Name(cfg.name))
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", cfg.url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	setup, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	consumer, err := js.CreateOrUpdateConsumer(setup, cfg.stream, jetstream.ConsumerConfig{
		Durable:   cfg.consumer,
		AckPolicy: jetstream.AckExplicitPolicy,
		AckWait:   cfg.ackWait,
	})
	if err != nil {
		return fmt.Errorf("consumer %q on stream %q: %w", cfg.consumer, cfg.stream, err)
	}

	// slots bounds what this replica holds unacked (running, queued, or just
	// fetched) to what its pool can take, so that no message waits long
	// enough in here for its AckWait to pass, and Submit never blocks.
	slots := make(chan struct{}, 2*cfg.workers)
	messages, err := pool.New(func(ctx context.Context, msg message) error {
		defer func() { <-slots }()
		return handle(ctx, cfg, msg)
	}, pool.Options{
		Workers: cfg.workers, QueueSize: cfg.workers, Policy: cfg.policy,
		ShutdownTimeout: cfg.budget,
	})
	if err != nil {
		return err
	}
	f := &fetcher{consumer: consumer, pool: messages, slots: slots, wait: cfg.fetchWait, stop: make(chan struct{})}

	// Stopping the fetch loop is the before-stop stage: the pool still
	// takes what the fetch in progress brings.
	if err := messages.BeforeStop("stop fetching", func(ctx context.Context) error {
		fmt.Printf("%s: stopping: no more fetches\n", cfg.name)
		if err := service.Stopping(); err != nil {
			fmt.Printf("%s: service manager: %v\n", cfg.name, err)
		}
		stopped := make(chan struct{})
		go func() { f.Stop(); close(stopped) }()
		select {
		case <-stopped:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}); err != nil {
		return err
	}
	f.running.Add(1)
	go f.loop()
	if err := service.Ready(); err != nil {
		fmt.Printf("%s: service manager: %v\n", cfg.name, err)
	}
	fmt.Printf("%s: fetching from %s/%s (pid %d)\n", cfg.name, cfg.stream, cfg.consumer, os.Getpid())

	report, err := messages.Run(ctx)
	f.Stop() // in case the before-stop stage ran out of budget
	// Every message the pool did not finish (never started, interrupted by
	// the budget or a hurry, or still running past it) goes back to the
	// server, so that another replica gets it at once instead of after
	// AckWait.
	back := report.Unprocessed()
	for _, msg := range back {
		nak(msg)
	}
	fmt.Printf("%s: shutdown: %v, hurried %t\n", cfg.name, report.Event, errors.Is(err, pool.ErrHurried))
	fmt.Printf("%s: report: accepted %d completed %d failed %d panicked %d queued %d interrupted %d abandoned %d balanced %t; Nak'ed %d handed back and %d fetched after the stop\n",
		cfg.name, report.Accepted, report.Completed, report.Failed, report.Panicked, len(report.Queued),
		len(report.Interrupted), len(report.Abandoned), report.Balanced(), len(back), f.naked)
	// The acks and Naks are on the wire before the process goes.
	if ferr := nc.FlushTimeout(flushTimeout); ferr != nil {
		err = errors.Join(err, fmt.Errorf("flushing acks and Naks: %w", ferr))
	}
	return err
}

// handle works on one message and acks it. The "processed" line comes before
// the ack: a replica killed between the two has its message redelivered, and
// the test counts it twice, as it was.
func handle(ctx context.Context, cfg config, msg jetstream.Msg) error {
	id := string(msg.Data())
	select {
	case <-time.After(cfg.job): // the work
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	fmt.Printf("processed %s\n", id)
	// The ack outlives the drain deadline by design: the work is done.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	if err := msg.DoubleAck(actx); err != nil {
		nak(msg) // for another replica, unless the ack got through after all
		return fmt.Errorf("ack %s: %w", id, err)
	}
	fmt.Printf("acked %s\n", id)
	return nil
}

// nak hands msg back to the server for another replica.
func nak(msg jetstream.Msg) {
	if err := msg.Nak(); err != nil {
		fmt.Printf("nak %s failed: %v\n", msg.Data(), err)
		return
	}
	fmt.Printf("nak'ed %s\n", msg.Data())
}

// message is what the pool holds: a JetStream message that prints as its id
// in the pool's errors.
type message struct{ jetstream.Msg }

func (m message) String() string { return "message " + string(m.Data()) }

// fetcher is the loop that pulls messages into the pool.
type fetcher struct {
	consumer jetstream.Consumer
	pool     *pool.Pool[message]
	slots    chan struct{}
	wait     time.Duration

	stopOnce sync.Once
	stop     chan struct{}
	running  sync.WaitGroup
	naked    int // fetched after the stop began, Nak'ed; read after running.Wait
}

// Stop ends the loop and waits for it: the fetch in progress completes
// (at most wait), and what it brings is Nak'ed.
func (f *fetcher) Stop() {
	f.stopOnce.Do(func() { close(f.stop) })
	f.running.Wait()
}

func (f *fetcher) stopping() bool {
	select {
	case <-f.stop:
		return true
	default:
		return false
	}
}

func (f *fetcher) loop() {
	defer f.running.Done()
	for {
		// Take one free slot (waiting for it), then every other free one.
		select {
		case f.slots <- struct{}{}:
		case <-f.stop:
			return
		}
		n := 1
		for more := true; more; {
			select {
			case f.slots <- struct{}{}:
				n++
			default:
				more = false
			}
		}
		// A fetch is never cut short: it ends when the batch is full or
		// its wait expires, so no message is in flight to us when the loop
		// returns.
		batch, err := f.consumer.Fetch(n, jetstream.FetchMaxWait(f.wait))
		if err != nil {
			fmt.Printf("fetch: %v\n", err)
			for range n {
				<-f.slots
			}
			select {
			case <-time.After(f.wait):
			case <-f.stop:
				return
			}
			continue
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			fmt.Printf("received %s\n", msg.Data())
			if f.stopping() || f.pool.Submit(context.Background(), message{msg}) != nil {
				nak(msg)
				f.naked++
				<-f.slots
			}
		}
		for range n - got {
			<-f.slots
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			fmt.Printf("fetch: %v\n", err)
		}
		if f.stopping() {
			return
		}
	}
}
