package pool_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
)

// The shape of a program that must not lose work on Ctrl-C: a listener, a
// pool fed by the program, and Run, which drains the pool in order at the
// first event. Trigger stands in for the user pressing Ctrl-C.
func Example() {
	l, err := ctrlc.Notify()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Stop()

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
		if err := p.Submit(context.Background(), cmd); err != nil {
			fmt.Println(err)
		}
	}

	_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Interrupt}) // Ctrl-C

	report, err := p.Run(l.C())
	fmt.Printf("stopped by %s: %d completed, %d unprocessed, err=%v\n",
		report.Event.Kind, report.Completed, len(report.Unprocessed), err)
	// Output:
	// db closed
	// stopped by interrupt: 3 completed, 0 unprocessed, err=<nil>
}

// With policy Abandon, queued items are not run but handed back, so the
// program can persist them.
func ExamplePool_Shutdown() {
	started, gate := make(chan int, 4), make(chan struct{})
	p, _ := pool.New(func(ctx context.Context, n int) error {
		started <- n
		<-gate
		return nil
	}, pool.Options{Workers: 1, Policy: pool.Abandon})
	for n := 1; n <= 4; n++ {
		_ = p.Submit(context.Background(), n)
	}
	<-started // item 1 is running; 2, 3 and 4 wait in the queue
	time.AfterFunc(10*time.Millisecond, func() { close(gate) })
	report, _ := p.Shutdown(context.Background())
	fmt.Println("ran:", report.Completed, "handed back:", report.Unprocessed, "balanced:", report.Balanced())
	// Output: ran: 1 handed back: [2 3 4] balanced: true
}

// Every item comes back by value in one outcome: here one fails, one is
// interrupted by the drain deadline, and the queued ones are handed back.
func ExampleReport() {
	started := make(chan int, 4)
	p, _ := pool.New(func(ctx context.Context, n int) error {
		started <- n
		if n == 1 {
			return fmt.Errorf("item %d: bad input", n)
		}
		<-ctx.Done() // a long item that honours its context
		return ctx.Err()
	}, pool.Options{Workers: 1, DrainTimeout: 20 * time.Millisecond})
	for n := 1; n <= 4; n++ {
		_ = p.Submit(context.Background(), n)
	}
	<-started
	<-started // item 1 failed, item 2 runs; 3 and 4 wait
	report, _ := p.Shutdown(context.Background())
	fmt.Println("failed:", report.Failed)
	fmt.Println("interrupted:", report.Interrupted)
	fmt.Println("unprocessed:", report.Unprocessed)
	fmt.Println("balanced:", report.Balanced())
	// Output:
	// failed: [1]
	// interrupted: [2]
	// unprocessed: [3 4]
	// balanced: true
}

// TakePending is for a last word before a forced exit: it stops the pool
// from starting anything more and returns every item not done, by value,
// for the program to persist.
func ExamplePool_TakePending() {
	started, gate := make(chan int, 4), make(chan struct{})
	p, _ := pool.New(func(ctx context.Context, n int) error {
		started <- n
		<-gate
		return nil
	}, pool.Options{Workers: 1})
	for n := 1; n <= 4; n++ {
		_ = p.Submit(context.Background(), n)
	}
	<-started // item 1 runs; 2, 3 and 4 wait

	fmt.Println("persist:", p.TakePending())
	fmt.Println("submit after:", p.Submit(context.Background(), 5))

	close(gate)
	report, _ := p.Shutdown(context.Background())
	fmt.Println("completed:", report.Completed, "unprocessed:", report.Unprocessed)
	// Output:
	// persist: [2 3 4 1]
	// submit after: pool: closed
	// completed: 1 unprocessed: [2 3 4]
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
	_, err := p.Shutdown(context.Background())
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
	fmt.Printf("submitted %d, queued %d, in flight %d\n", s.Submitted, s.Queued, s.InFlight)
	close(gate)
	_, _ = p.Shutdown(context.Background())
	s = p.Stats()
	fmt.Printf("submitted %d, completed %d\n", s.Submitted, s.Completed)
	// Output:
	// submitted 4, queued 3, in flight 1
	// submitted 4, completed 4
}
