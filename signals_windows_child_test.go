//go:build windows

package ctrlc_test

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/internal/testkit"
	"github.com/ctrlc-go/ctrlc/internal/wine"
	"golang.org/x/sys/windows"
)

// statusControlCExit is STATUS_CONTROL_C_EXIT, the exit status of a console
// process that Windows (or ctrlc.Exit) ended for a console event.
const statusControlCExit = 0xC000013A

// Real console events to child programs (the test binary again, running a
// scenario of signals_windows_test.go), sent with ctrlctest: it injects the
// event the way the console does, which works under Wine as on Windows. Only
// the tests of the console's own paths (GenerateConsoleCtrlEvent to a
// process group, closing a console window) need real Windows and skip
// under Wine, with the reason.

// TestChildBreak: a real CTRL_BREAK_EVENT reaches a child's listener.
func TestChildBreak(t *testing.T) {
	c := ctrlctest.Start(t, ctrlctest.Self("win-break"))
	c.WaitFor("ready")
	c.Send(ctrlc.Break)
	c.WaitFor("got break (CTRL_BREAK_EVENT)")
	if st := c.Wait(); st.Code != 0 {
		t.Fatalf("child %v; output:\n%s", st, c.Output())
	}
}

// TestChildWaitsOnTheChannelAlone: a program whose only goroutine waits on
// the shutdown channel is waiting for an event, not deadlocked: the Go
// runtime must not end it with "all goroutines are asleep".
func TestChildWaitsOnTheChannelAlone(t *testing.T) {
	c := ctrlctest.Start(t, ctrlctest.Self("win-alone"))
	c.WaitFor("ready")
	time.Sleep(100 * time.Millisecond) // the runtime finds a deadlock at once
	c.Send(ctrlc.Break)
	c.WaitFor("got break (CTRL_BREAK_EVENT)")
	if st := c.Wait(); st.Code != 0 {
		t.Fatalf("child %v; output:\n%s", st, c.Output())
	}
}

// TestChildBreakConsole: CTRL_BREAK_EVENT the console's way, with
// GenerateConsoleCtrlEvent to a child in a process group of its own.
func TestChildBreakConsole(t *testing.T) {
	cmd := ctrlctest.Self("win-break")
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
	c := ctrlctest.Start(t, cmd)
	c.WaitFor("ready")
	c.Send(ctrlc.Break) // skips under Wine, which refuses it
	c.WaitFor("got break (CTRL_BREAK_EVENT)")
	if st := c.Wait(); st.Code != 0 {
		t.Fatalf("child %v; output:\n%s", st, c.Output())
	}
}

// TestChildBreakAfterStop: once the listener stopped, CTRL_BREAK_EVENT ends
// the process the default way, with exit code STATUS_CONTROL_C_EXIT (Wine's
// default handler exits with 0).
func TestChildBreakAfterStop(t *testing.T) {
	c := ctrlctest.Start(t, ctrlctest.Self("win-break-stopped"))
	c.WaitFor("ready")
	c.Send(ctrlc.Break)
	want := uint32(statusControlCExit)
	if _, wine := wine.Version(); wine {
		want = 0
	}
	if st := c.Wait(); uint32(st.Code) != want {
		t.Fatalf("child %v; want exit code %#x; output:\n%s", st, want, c.Output())
	}
	if c.Count("still alive") != 0 {
		t.Fatalf("the child outlived the break:\n%s", c.Output())
	}
}

// startHold starts childWinHold for kind k with the given settings.
func startHold(t *testing.T, k ctrlc.Kind, env ...string) *ctrlctest.Process {
	t.Helper()
	cmd := ctrlctest.Self("win-hold")
	cmd.Env = append(cmd.Env, append(env, ctrlc.HoldKindEnv+"="+k.String())...)
	c := ctrlctest.Start(t, cmd)
	c.WaitFor("ready")
	return c
}

// testHold: the event holds the child open while its 1 s clean-up runs; when
// the child stops listening, the hold ends and the child is ended as Windows
// ends it, with STATUS_CONTROL_C_EXIT.
func testHold(t *testing.T, k ctrlc.Kind, native string) {
	c := startHold(t, k)
	c.Send(k) // returns once the child has ended
	st := c.Wait()
	got := "got " + k.String() + " (" + native + ")"
	if !c.Order(got, "clean-up done") || c.Count("not ended") != 0 || uint32(st.Code) != statusControlCExit {
		t.Fatalf("child %v; want %q, the clean-up, then STATUS_CONTROL_C_EXIT; output:\n%s", st, got, c.Output())
	}
}

func TestChildClose(t *testing.T)    { testHold(t, ctrlc.Close, "CTRL_CLOSE_EVENT") }
func TestChildLogoff(t *testing.T)   { testHold(t, ctrlc.Logoff, "CTRL_LOGOFF_EVENT") }
func TestChildShutdown(t *testing.T) { testHold(t, ctrlc.Shutdown, "CTRL_SHUTDOWN_EVENT") }

// TestChildCloseGrace: a clean-up longer than the close grace is cut short at
// the grace: the child is ended before it finishes.
func TestChildCloseGrace(t *testing.T) {
	// The grace (1 s) ends the hold 2 s before the clean-up (3 s) would
	// finish, and before Windows' own limit (5 s).
	c := startHold(t, ctrlc.Close, ctrlc.HoldGraceEnv+"=1s", ctrlc.HoldWorkEnv+"=3s")
	c.Send(ctrlc.Close)
	st := c.Wait()
	if c.Count("got close (CTRL_CLOSE_EVENT)") != 1 || c.Count("clean-up done") != 0 || uint32(st.Code) != statusControlCExit {
		t.Fatalf("child %v; want the event, no end of the clean-up, STATUS_CONTROL_C_EXIT; output:\n%s", st, c.Output())
	}
}

// TestChildCloseExit: a child that exits by itself inside the hold keeps its
// own exit code.
func TestChildCloseExit(t *testing.T) {
	c := startHold(t, ctrlc.Close, ctrlc.HoldExitEnv+"=1")
	c.Send(ctrlc.Close)
	st := c.Wait()
	if !c.Order("got close (CTRL_CLOSE_EVENT)", "clean-up done") || st.Code != 0 {
		t.Fatalf("child %v; want the clean-up and exit code 0; output:\n%s", st, c.Output())
	}
}

// TestChildCloseWindow: a child in a console of its own closes the console
// window; it must see CTRL_CLOSE_EVENT and live on until its 1 s clean-up is
// done. Under Wine a console made with CREATE_NEW_CONSOLE has no window
// without a display, and with one, closing it ends the processes with exit
// code 0 without calling their handlers: Windows runs this test.
func TestChildCloseWindow(t *testing.T) {
	file := testkit.TempFile(t, "close.txt")
	cmd := ctrlctest.Self("win-close")
	cmd.Env = append(cmd.Env, ctrlc.ChildFileEnv+"="+file)
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_CONSOLE, HideWindow: true}
	c := ctrlctest.Start(t, cmd)
	st := c.Wait()
	b, rerr := os.ReadFile(file)
	if rerr != nil {
		t.Fatalf("reading the child's file: %v (%v; output:\n%s)", rerr, st, c.Output())
	}
	got := strings.ReplaceAll(string(b), "\r\n", "\n")
	if v, wine := wine.Version(); wine && got == "no console window\n" {
		t.Skipf("Wine %s gives a console made with CREATE_NEW_CONSOLE no window (GetConsoleWindow returns NULL), so WM_CLOSE cannot close it; Windows runs this test", v)
	}
	want := "posted WM_CLOSE\ngot close (CTRL_CLOSE_EVENT)\nclean-up done\n"
	if got != want || !st.Success() {
		t.Fatalf("child %v, file:\n%s\nwant exit code 0, file:\n%s", st, got, want)
	}
}
