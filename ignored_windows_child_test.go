//go:build windows

package ctrlc_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"golang.org/x/sys/windows"
)

// The parent side of the test of a CTRL_C_EVENT ignored at start: the child
// scenario is in ignored_windows_test.go.

func TestCtrlCIgnoredAtStart(t *testing.T) {
	for _, even := range []bool{false, true} {
		t.Run(fmt.Sprintf("WithEvenIfIgnored=%v", even), func(t *testing.T) {
			cmd := ctrlctest.Self("win-ignored")
			cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
			if even {
				cmd.Env = append(cmd.Env, "CHILD_EVEN_IF_IGNORED=1")
			}
			c := ctrlctest.Start(t, cmd)
			if st := c.Wait(); !st.Success() {
				t.Fatalf("%v; output:\n%s", st, c.Output())
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
