//go:build windows

package ctrlc

import (
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
	childScenarios["win-close-twice"] = childWinCloseTwice
}

// childWinCloseTwice gets two console close events: the second, while the
// first holds the process, is the same request come again (Windows says it
// once per stop; a real console closes once), so it is no second event,
// which would count as a second press and end the process, and it returns
// when the first's hold ends.
func childWinCloseTwice([]string) int {
	l, err := Notify(WithKinds(Close), WithGracePeriod(500*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	go syscall.SyscallN(callback, uintptr(windows.CTRL_CLOSE_EVENT))
	e := <-l.C()
	fmt.Println("shutting down after", e, "deadline in", e.Deadline.Sub(e.Time))
	second := make(chan struct{})
	go func() {
		syscall.SyscallN(callback, uintptr(windows.CTRL_CLOSE_EVENT))
		close(second)
	}()
	select {
	case e := <-l.C():
		fmt.Println("a second event:", e)
		return 1
	case <-second:
		fmt.Println("the second close returned with the first's hold")
	case <-time.After(childTimeout):
		fmt.Println("the second close is still held")
		return 1
	}
	return 0
}

// childWinExit calls Exit with the kind in CHILD_KIND (a number).
func childWinExit([]string) int {
	n, _ := strconv.Atoi(os.Getenv("CHILD_KIND"))
	fmt.Println("exiting")
	Exit(Event{Kind: Kind(n)})
	fmt.Println("Exit returned")
	return 4
}

// childWinForced gets two interrupts, the second of which ends the
// process: a plain listener has no drain to hurry. Triggered events are
// never taken for duplicates.
func childWinForced([]string) int {
	l, err := Notify()
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	_ = Trigger(Event{Kind: Interrupt})
	fmt.Println("shutting down after", <-l.C())
	_ = Trigger(Event{Kind: Interrupt})
	time.Sleep(childTimeout)
	fmt.Println("clean exit")
	return 0
}

// A console close event holds the process for the longest grace among the
// listeners of its kind (4.5 s for one given none, and never longer), and
// carries the end of that hold as its Deadline; a listener's own shorter
// grace period wins for that listener.
func TestCloseEventDeadline(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  [][]Option // one listener each; the first is watched
		want  time.Duration
		other time.Duration // the Deadline the second listener sees
	}{
		{"no grace", [][]Option{nil}, defaultCloseGrace, 0},
		{"grace 1s", [][]Option{{WithGracePeriod(time.Second)}}, time.Second, 0},
		// Windows ends a console process about 5 s after a console close:
		// a longer grace holds no longer, and the Deadline says so.
		{"grace 1m", [][]Option{{WithGracePeriod(time.Minute)}}, defaultCloseGrace, 0},
		{"grace 3s beside none", [][]Option{{WithGracePeriod(3 * time.Second)}, nil}, 3 * time.Second, defaultCloseGrace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ls []*Listener
			for _, opts := range tc.opts {
				l, err := Notify(append([]Option{WithKinds(Close), WithoutForceExit()}, opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				ls = append(ls, l)
			}
			ret := callHandler(t, windows.CTRL_CLOSE_EVENT)
			var got []time.Duration
			for _, l := range ls {
				e := wantEvent(t, l, Close, windows.CTRL_CLOSE_EVENT, "close (CTRL_CLOSE_EVENT)")
				got = append(got, e.Deadline.Sub(e.Time))
			}
			for _, l := range ls {
				l.Stop()
			}
			<-ret
			if got[0] != tc.want {
				t.Errorf("Deadline - Time = %v; want %v", got[0], tc.want)
			}
			if len(got) > 1 && got[1] != tc.other {
				t.Errorf("the other listener's Deadline - Time = %v; want %v", got[1], tc.other)
			}
		})
	}
}
