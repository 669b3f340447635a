package ctrlctest_test

import (
	"fmt"
	"os"
	"os/signal"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv("CTRLC_TEST_CHILD") != "" {
		acceptCtrlC()
	}
	ctrlctest.RunChild(map[string]func([]string) int{
		"events":  func([]string) int { return childEvents() },
		"signals": func([]string) int { return childSignals() },
		"idle":    func([]string) int { return childIdle() },
		"holder":  func([]string) int { return childHolder() },
		"args":    childArgs,
		"long":    childLongLine,
	})
	// Under js/wasm the goroutine that brought the last JavaScript event
	// into Go parks in runtime.handleEvent: the runtime's, not a leak.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}

var allKinds = []ctrlc.Kind{
	ctrlc.Interrupt, ctrlc.Terminate, ctrlc.Hangup, ctrlc.Quit,
	ctrlc.Break, ctrlc.Close, ctrlc.Logoff, ctrlc.Shutdown,
}

// holds reports whether Windows ends the process once the kind's handlers
// return.
func holds(k ctrlc.Kind) bool { return k == ctrlc.Close || k == ctrlc.Logoff || k == ctrlc.Shutdown }

// childEvents listens to every kind, prints the first event with the time it
// arrived, and exits 0. For close, logoff and shutdown it drains for a while
// first, then stops listening, which ends the hold, and waits to be ended.
func childEvents() int {
	l, err := ctrlc.Notify(ctrlc.WithKinds(allKinds...), ctrlc.WithoutForceExit(), ctrlc.WithGracePeriod(10*time.Second))
	if err != nil {
		fmt.Println("notify:", err)
		return 2
	}
	fmt.Println("ready")
	select {
	case e := <-l.C():
		fmt.Printf("got %v at %d\n", e, e.Time.UnixNano())
		if !holds(e.Kind) {
			l.Stop()
			return 0
		}
		time.Sleep(300 * time.Millisecond)
		fmt.Println("drained")
		l.Stop()
		time.Sleep(30 * time.Second)
		fmt.Println("not ended after the hold")
		return 1
	case <-time.After(30 * time.Second):
		fmt.Println("no event")
		return 1
	}
}

// childSignals prints a numbered line, with the time it arrived, for every
// os.Interrupt (SIGINT; CTRL_C_EVENT or CTRL_BREAK_EVENT on Windows) it
// gets, for ever.
func childSignals() int {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	fmt.Println("ready")
	for i := 1; ; i++ {
		<-c
		fmt.Printf("got %d. at %d\n", i, time.Now().UnixNano())
	}
}

// childIdle listens to nothing and waits to be ended.
func childIdle() int {
	fmt.Println("ready")
	time.Sleep(30 * time.Second)
	return 1
}

// childHolder holds a close event for a minute, far past the 5 s after which
// Windows ends the process.
func childHolder() int {
	l, err := ctrlc.Notify(ctrlc.WithKinds(ctrlc.Close), ctrlc.WithoutForceExit(), ctrlc.WithGracePeriod(time.Minute))
	if err != nil {
		fmt.Println("notify:", err)
		return 2
	}
	defer l.Stop()
	fmt.Println("ready")
	fmt.Println("got", <-l.C())
	time.Sleep(time.Minute)
	fmt.Println("not ended")
	return 1
}
