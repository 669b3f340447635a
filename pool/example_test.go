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
