//go:build windows

package ctrlc

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/proctest"
	"golang.org/x/sys/windows"
)

func init() {
	childScenarios["win-ignored"] = childWinIgnored
}

// childWinIgnored runs in a new process group, which Windows starts with
// CTRL_C_EVENT ignored. It reports the ignore around a listener made with
// or without WithEvenIfIgnored, then sends CTRL_C_EVENT to its console.
func childWinIgnored() int {
	fmt.Println("ignored at start:", ignoredKinds().has(Interrupt))
	opts := []Option{WithoutForceExit()}
	if os.Getenv("CHILD_EVEN_IF_IGNORED") != "" {
		opts = append(opts, WithEvenIfIgnored())
	}
	l, err := Notify(opts...)
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	fmt.Println("listening to interrupt:", l.active.has(Interrupt))
	fmt.Println("ignored now:", ignoredKinds().has(Interrupt))
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0); err != nil {
		fmt.Println("cannot send CTRL_C_EVENT:", err)
		return 0
	}
	select {
	case e := <-l.C():
		fmt.Println("got", e)
	case <-time.After(time.Second):
		fmt.Println("no event")
	}
	return 0
}

func TestCtrlCIgnoredAtStart(t *testing.T) {
	for _, even := range []bool{false, true} {
		t.Run(fmt.Sprintf("WithEvenIfIgnored=%v", even), func(t *testing.T) {
			cmd := proctest.Self("win-ignored") // proctest starts it in a new process group
			if even {
				cmd.Env = append(cmd.Env, "CHILD_EVEN_IF_IGNORED=1")
			}
			c := proctest.Start(t, cmd)
			if code, err := c.Wait(); code != 0 {
				t.Fatalf("exit code %d (%v); output:\n%s", code, err, c.Output())
			}
			want := []string{"ignored at start: true", fmt.Sprintf("listening to interrupt: %v", even), fmt.Sprintf("ignored now: %v", !even)}
			if !c.Order(want...) {
				t.Fatalf("want lines %q; output:\n%s", want, c.Output())
			}
			switch {
			case c.Count("cannot send CTRL_C_EVENT") == 1:
				t.Logf("the console event itself could not be sent here:\n%s", c.Output())
			case even && c.Count("got interrupt (CTRL_C_EVENT)") != 1,
				!even && c.Count("no event") != 1:
				t.Fatalf("output:\n%s", c.Output())
			}
			t.Log(strings.ReplaceAll(c.Output(), "\n", "; "))
		})
	}
}
