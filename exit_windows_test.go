//go:build windows

package ctrlc

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

func init() {
	childScenarios["win-exit"] = childWinExit
	childScenarios["win-forced"] = childWinForced
	childScenarios["win-close-forced"] = childWinCloseForced
}

// childWinCloseForced is forced to exit by a close event, through the
// console handler, while the handler holds the process open; its last word
// runs first.
func childWinCloseForced() int {
	l, err := Notify(WithKinds(Close), WithForceExit(1), WithLastWord(time.Second, func(_ context.Context, e Event) {
		fmt.Println("last word on", e, "deadline in", e.Deadline.Sub(e.Time))
	}))
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	go syscall.SyscallN(callback, uintptr(windows.CTRL_CLOSE_EVENT))
	time.Sleep(childTimeout)
	fmt.Println("clean exit")
	return 0
}

// childWinExit calls Exit with the kind in CHILD_KIND (a number).
func childWinExit() int {
	n, _ := strconv.Atoi(os.Getenv("CHILD_KIND"))
	fmt.Println("exiting")
	Exit(Event{Kind: Kind(n)})
	fmt.Println("Exit returned")
	return 4
}

// childWinForced gets two interrupts a human's pace apart, the second of
// which forces the exit.
func childWinForced() int {
	l, err := Notify()
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	_ = Trigger(Event{Kind: Interrupt})
	fmt.Println("shutting down after", <-l.C())
	time.Sleep(2 * DefaultRepeatWindow)
	_ = Trigger(Event{Kind: Interrupt})
	time.Sleep(childTimeout)
	fmt.Println("clean exit")
	return 0
}

// A close event carries the hold's deadline; a listener's grace period,
// when shorter, wins.
func TestCloseEventDeadline(t *testing.T) {
	const grace = 3 * time.Second
	for _, tc := range []struct {
		opts []Option
		want time.Duration
	}{
		{nil, grace},
		{[]Option{WithGracePeriod(time.Second)}, time.Second},
		{[]Option{WithGracePeriod(time.Minute)}, grace},
	} {
		l, err := Notify(append([]Option{WithKinds(Close), WithCloseGrace(grace), WithoutForceExit()}, tc.opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		ret := callHandler(t, windows.CTRL_CLOSE_EVENT)
		e := wantEvent(t, l, Close, windows.CTRL_CLOSE_EVENT, "close (CTRL_CLOSE_EVENT)")
		l.Stop()
		<-ret
		if got := e.Deadline.Sub(e.Time); got != tc.want {
			t.Errorf("Deadline - Time = %v; want %v", got, tc.want)
		}
	}
}
