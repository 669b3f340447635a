package pool_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
)

// The shape of a program that must not lose work on Ctrl-C: a context
// cancelled by the first event, a pool fed by the program, and Run, which
// drains the pool in order at the first event and returns the report.
// Trigger stands in for the user pressing Ctrl-C.
func Example() {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	p, err := pool.New(func(ctx context.Context, cmd string) error {
		time.Sleep(time.Millisecond) // the work
		return nil
	}, pool.Options{Workers: 8})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = p.OnStop("close db", func(context.Context) error {
		fmt.Println("db closed")
		return nil
	})
	for _, cmd := range []string{"!ping", "!roll", "!help"} {
		if err := p.Submit(ctx, cmd); err != nil {
			fmt.Println(err)
		}
	}

	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}) // Ctrl-C

	report, err := p.Run(ctx)
	fmt.Printf("stopped by %s: %d completed, %d unprocessed, err=%v\n",
		report.Event.Kind, report.Completed, len(report.Unprocessed()), err)
	// Output:
	// db closed
	// stopped by interrupt: 3 completed, 0 unprocessed, err=<nil>
}

// A batch ends with Close: Run then returns once every item ran. A Ctrl-C
// meanwhile is honoured: Run drains as at any stop, and the report names
// the event and hands back what was not done. (A second Ctrl-C would
// hurry the drain.)
func ExamplePool_Close() {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	started := make(chan int, 5)
	p, _ := pool.New(func(ctx context.Context, n int) error {
		started <- n
		if n == 3 { // a long item, which honours its context
			<-ctx.Done()
			return context.Cause(ctx)
		}
		return nil
	}, pool.Options{Workers: 1, DrainTimeout: 50 * time.Millisecond})
	for n := 1; n <= 5; n++ {
		_ = p.Submit(ctx, n)
	}
	_ = p.Close() // the end of the batch

	go func() { // the user presses Ctrl-C while item 3 runs
		for n := range started {
			if n == 3 {
				_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt})
				return
			}
		}
	}()

	report, err := p.Run(ctx)
	fmt.Println("stopped by:", report.Event.Kind)
	fmt.Println("completed:", report.Completed, "to do again:", report.Unprocessed())
	fmt.Println("drain timed out:", errors.Is(err, pool.ErrTimeout))
	// Output:
	// stopped by: interrupt
	// completed: 2 to do again: [4 5 3]
	// drain timed out: true
}

// With policy Skip, queued items are not run but handed back, so that the
// program can persist them. Any context stops the pool: here one cancelled
// by hand.
func ExamplePool_Run() {
	started, gate := make(chan int, 4), make(chan struct{})
	p, _ := pool.New(func(ctx context.Context, n int) error {
		started <- n
		<-gate
		return nil
	}, pool.Options{Workers: 1, Policy: pool.Skip})
	for n := 1; n <= 4; n++ {
		_ = p.Submit(context.Background(), n)
	}
	<-started // item 1 is running; 2, 3 and 4 wait in the queue
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the stop
	time.AfterFunc(10*time.Millisecond, func() { close(gate) })
	report, _ := p.Run(ctx)
	fmt.Println("ran:", report.Completed, "handed back:", report.Queued, "balanced:", report.Balanced())
	// Output: ran: 1 handed back: [2 3 4] balanced: true
}

// Every item ends in one outcome: here one fails (counted, its error kept
// with the item), one is interrupted by the drain deadline, and the queued
// ones are handed back.
func ExampleReport() {
	started := make(chan int, 4)
	p, _ := pool.New(func(ctx context.Context, n int) error {
		started <- n
		if n == 1 {
			return errors.New("bad input")
		}
		<-ctx.Done() // a long item that honours its context
		return ctx.Err()
	}, pool.Options{Workers: 1, DrainTimeout: 20 * time.Millisecond})
	for n := 1; n <= 4; n++ {
		_ = p.Submit(context.Background(), n)
	}
	<-started
	<-started // item 1 failed, item 2 runs; 3 and 4 wait
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	report, _ := p.Run(ctx)
	fmt.Println("failed:", report.Failed, report.Errors[0])
	fmt.Println("interrupted:", report.Interrupted)
	fmt.Println("queued:", report.Queued)
	fmt.Println("unprocessed:", report.Unprocessed())
	fmt.Println("balanced:", report.Balanced())
	// Output:
	// failed: 1 run: item 1: bad input
	// interrupted: [2]
	// queued: [3 4]
	// unprocessed: [3 4 2]
	// balanced: true
}

// BeforeStop runs first, while Submit still accepts work: the place to turn
// readiness off and shut an HTTP server down, whose last requests still get
// queued. OnStop hooks run last, after the workers.
func ExamplePool_BeforeStop() {
	p, _ := pool.New(func(ctx context.Context, req string) error {
		fmt.Println("handled", req)
		return nil
	}, pool.Options{Workers: 1})
	_ = p.BeforeStop("http server", func(ctx context.Context) error {
		fmt.Println("readiness off, server shutting down")
		return p.Submit(ctx, "last request")
	})
	_ = p.OnStop("close db", func(context.Context) error {
		fmt.Println("db closed")
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Run(ctx)
	fmt.Println("err:", err)
	// Output:
	// readiness off, server shutting down
	// handled last request
	// db closed
	// err: <nil>
}

// Stats is a cheap snapshot for progress lines and metrics.
func ExamplePool_Stats() {
	gate := make(chan struct{})
	started := make(chan struct{}, 1)
	p, _ := pool.New(func(ctx context.Context, n int) error {
		if n == 0 {
			started <- struct{}{}
			<-gate
		}
		return nil
	}, pool.Options{Workers: 1, QueueSize: 8})
	for n := 0; n < 4; n++ {
		_ = p.Submit(context.Background(), n)
	}
	<-started
	s := p.Stats()
	fmt.Printf("queued %d, running %d\n", s.Queued, s.Running)
	close(gate)
	_ = p.Close()
	_, _ = p.Run(context.Background())
	s = p.Stats()
	fmt.Printf("queued %d, running %d, completed %d\n", s.Queued, s.Running, s.Completed)
	// Output:
	// queued 3, running 1
	// queued 0, running 0, completed 4
}
