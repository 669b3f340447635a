package service_test

import (
	"fmt"
	"os"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/service"
)

// A program that runs the same in a terminal, as a Windows service and under
// systemd. The name would come from a flag such as -service NAME; "" lets
// Run detect a Windows service. The example stops itself with
// ctrlc.Trigger where a real program waits for Ctrl-C, SIGTERM or the
// service control manager's Stop.
func Example() {
	code, err := service.Run("", func() int {
		l, err := ctrlc.Notify()
		if err != nil {
			fmt.Println(err)
			return 2
		}
		defer l.Stop()
		service.Ready() // listening: stop requests can be delivered from now on

		ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate})
		e := <-l.C()
		service.Stopping()
		fmt.Println("stopping on", e.Kind)
		for left := 3; left > 0; left-- {
			service.Progress(fmt.Sprintf("draining: %d jobs left", left), 5*time.Second)
		}
		fmt.Println("drained")
		return 0
	})
	if err != nil {
		fmt.Println(err) // -service NAME given, but the SCM did not start the process
		os.Exit(2)
	}
	fmt.Println("exit code", code)
	// Output:
	// stopping on terminate
	// drained
	// exit code 0
}

// A drain that reports every second, promising the next report within five:
// systemd extends TimeoutStopSec and Windows advances the StopPending
// checkpoint for as long as the reports keep coming.
func ExampleProgress() {
	jobs := make(chan int, 3)
	for i := 1; i <= 3; i++ {
		jobs <- i
	}
	close(jobs)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range jobs {
			time.Sleep(10 * time.Millisecond) // a job's work
		}
	}()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for drained := false; !drained; {
		select {
		case <-tick.C:
			if err := service.Progress(fmt.Sprintf("draining: %d jobs left", len(jobs)), 5*time.Second); err != nil {
				fmt.Println(err) // a NOTIFY_SOCKET that is wrong, say; the drain goes on
			}
		case <-done:
			drained = true
		}
	}
	service.Status("drained")
	fmt.Println("drained")
	// Output: drained
}

// Status lines describe a running program in `systemctl status`.
func ExampleStatus() {
	if err := service.Status("running: 42 commands done, 3 in flight"); err != nil {
		fmt.Println(err)
	}
	fmt.Println("ok")
	// Output: ok
}
