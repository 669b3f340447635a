//go:build windows

package ctrlc

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/wine"
	"golang.org/x/sys/windows"
)

// The Windows tests that need the package's insides: a real CTRL_C_EVENT
// through GenerateConsoleCtrlEvent, and the close hold through the very
// callback the kernel calls. This file also holds the child programs of the
// child-process tests, which send real console events with ctrlctest (an
// external test package, since ctrlctest imports ctrlc):
// signals_windows_child_test.go.

func init() {
	childScenarios["win-break"] = childWinBreak
	childScenarios["win-break-stopped"] = childWinBreakStopped
	childScenarios["win-close"] = childWinClose
	childScenarios["win-hold"] = childWinHold
	childScenarios["win-alone"] = childWinAlone
}

// ownConsoleEnv marks a test binary started by TestConsoleCtrlC in a console
// of its own.
const ownConsoleEnv = "CTRLC_TEST_OWN_CONSOLE"

// callHandler calls the registered console control handler with ctrlType on
// a goroutine, the way Windows does on a thread of its own, and returns a
// channel that gets what the handler returned.
func callHandler(t *testing.T, ctrlType uint32) <-chan uintptr {
	t.Helper()
	if callback == 0 {
		t.Fatal("no console control handler was made")
	}
	ret := make(chan uintptr, 1)
	go func() {
		r, _, _ := syscall.SyscallN(callback, uintptr(ctrlType))
		ret <- r
	}()
	return ret
}

func wantEvent(t *testing.T, l *Listener, kind Kind, native uint32, str string) Event {
	t.Helper()
	select {
	case e := <-l.C():
		if e.Kind != kind || e.Native != int(native) || e.Error() != str || e.Seq != 1 {
			t.Fatalf("got event %+v (%q); want Kind %v, Native %d, %q, Seq 1", e, e.Error(), kind, native, str)
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s event within 10 s", str)
	}
	return Event{}
}

// TestConsoleCtrlC delivers a real CTRL_C_EVENT with GenerateConsoleCtrlEvent.
// The event goes to every process on the console, so on real Windows, where
// go test and the shell share the test's console, the test runs again in a
// child with a console of its own. Under Wine the console is the terminal
// scripts/wine-test.sh makes for the run, which only this binary uses.
func TestConsoleCtrlC(t *testing.T) {
	if _, underWine := wine.Version(); !underWine && os.Getenv(ownConsoleEnv) == "" {
		runInOwnConsole(t)
		return
	}
	if os.Getenv(ownConsoleEnv) != "" {
		// A child inherits "ignore CTRL+C" from a parent started with
		// CREATE_NEW_PROCESS_GROUP; this process wants it delivered.
		if err := setConsoleCtrlHandler(0, false); err != nil {
			t.Fatalf("SetConsoleCtrlHandler(NULL, FALSE): %v", err)
		}
	}
	// The listener must be in place before the event: without it Windows'
	// default handler ends the process.
	l, err := Notify(WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0); err != nil {
		t.Skipf("cannot deliver CTRL_C_EVENT: GenerateConsoleCtrlEvent: %v (no console; under Wine the process needs a terminal: run scripts/wine-test.sh)", err)
	}
	wantEvent(t, l, Interrupt, windows.CTRL_C_EVENT, "interrupt (CTRL_C_EVENT)")
	select {
	case e := <-l.C():
		t.Fatalf("a second event %v after one CTRL_C_EVENT", e)
	case <-time.After(100 * time.Millisecond):
	}
}

// runInOwnConsole runs TestConsoleCtrlC in a child test binary that has a
// (hidden) console of its own and reports its result.
func runInOwnConsole(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestConsoleCtrlC$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), ownConsoleEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_CONSOLE, HideWindow: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %v: %v", cmd.Args, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(childTimeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("the child in its own console still ran after %v; output:\n%s", childTimeout, &out)
	}
	o := out.String()
	switch {
	case err == nil && strings.Contains(o, "--- PASS: TestConsoleCtrlC"):
		t.Logf("passed in a console of its own:\n%s", o)
	case err == nil && strings.Contains(o, "--- SKIP: TestConsoleCtrlC"):
		t.Skipf("skipped in a console of its own:\n%s", o)
	default:
		t.Fatalf("in a console of its own: %v; output:\n%s", err, o)
	}
}

// TestCloseHoldUntilStop: for close, logoff and shutdown, Windows ends the
// process as soon as the handler returns, so the handler must hold until the
// program is done: here, until the last listener of the kind stops.
func TestCloseHoldUntilStop(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		ctrl uint32
		str  string
	}{
		{Close, windows.CTRL_CLOSE_EVENT, "close (CTRL_CLOSE_EVENT)"},
		{Logoff, windows.CTRL_LOGOFF_EVENT, "logoff (CTRL_LOGOFF_EVENT)"},
		{Shutdown, windows.CTRL_SHUTDOWN_EVENT, "shutdown (CTRL_SHUTDOWN_EVENT)"},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			const grace = 20 * time.Second // far beyond the test: only Stop can end the hold
			l, err := Notify(WithKinds(tc.kind), WithGracePeriod(grace), WithoutForceExit())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Stop()
			start := time.Now()
			ret := callHandler(t, tc.ctrl)
			wantEvent(t, l, tc.kind, tc.ctrl, tc.str)
			select {
			case r := <-ret:
				t.Fatalf("the handler returned %d after %v, while the listener still runs", r, time.Since(start))
			case <-time.After(500 * time.Millisecond):
			}
			stopped := time.Now()
			l.Stop()
			select {
			case r := <-ret:
				if r != 1 {
					t.Fatalf("the handler returned %d after Stop; want 1 (TRUE)", r)
				}
				t.Logf("returned %v after Stop", time.Since(stopped))
			case <-time.After(5 * time.Second):
				t.Fatal("the handler still holds 5 s after the listener stopped")
			}
		})
	}
}

// TestCloseHoldUntilGrace: a close event whose listener never stops holds the
// process for the listener's grace period, then the handler returns TRUE.
func TestCloseHoldUntilGrace(t *testing.T) {
	const grace = time.Second
	l, err := Notify(WithKinds(Close), WithGracePeriod(grace), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	start := time.Now()
	ret := callHandler(t, windows.CTRL_CLOSE_EVENT)
	wantEvent(t, l, Close, windows.CTRL_CLOSE_EVENT, "close (CTRL_CLOSE_EVENT)")
	select {
	case r := <-ret:
		// Windows' monotonic clock may lag its timers by a tick (about
		// 16 ms under Wine): allow 50 ms.
		took := time.Since(start)
		if took < grace-50*time.Millisecond {
			t.Fatalf("the handler returned after %v, before the %v grace", took, grace)
		}
		if r != 1 {
			t.Fatalf("the handler returned %d after the grace; want 1 (TRUE)", r)
		}
		t.Logf("returned after %v (grace %v)", took, grace)
	case <-time.After(grace + 10*time.Second):
		t.Fatalf("the handler still holds %v after a %v grace", grace+10*time.Second, grace)
	}
}

// TestCallbackUnwantedEvent: the handler returns FALSE for events no listener
// wants, so that the next handler (the Go runtime's, os/signal) gets them,
// and TRUE without holding for the ones that need no hold.
func TestCallbackUnwantedEvent(t *testing.T) {
	l, err := Notify(WithKinds(Break), WithGracePeriod(20*time.Second), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	for _, ctrl := range []uint32{windows.CTRL_C_EVENT, windows.CTRL_CLOSE_EVENT, windows.CTRL_LOGOFF_EVENT, windows.CTRL_SHUTDOWN_EVENT, 42} {
		select {
		case r := <-callHandler(t, ctrl):
			if r != 0 {
				t.Errorf("handler(%d) with only a Break listener = %d; want 0 (FALSE)", ctrl, r)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("handler(%d), which nobody listens to, still runs after 5 s", ctrl)
		}
	}
	select {
	case e := <-l.C():
		t.Fatalf("the Break listener got %v", e)
	default:
	}
	select {
	case r := <-callHandler(t, windows.CTRL_BREAK_EVENT):
		if r != 1 {
			t.Errorf("handler(CTRL_BREAK_EVENT) with a Break listener = %d; want 1 (TRUE)", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler(CTRL_BREAK_EVENT) held the process: only close, logoff and shutdown may")
	}
	wantEvent(t, l, Break, windows.CTRL_BREAK_EVENT, "break (CTRL_BREAK_EVENT)")
}

// A logger that calls runtime.Goexit on the console's thread, where a
// Goexit is fatal to the process, takes neither the handler nor the event
// down: the handler returns TRUE and the listener gets the event.
func TestCallbackGoexitInLogger(t *testing.T) {
	out := captureStderr(t)
	l, err := Notify(WithKinds(Break), WithLogger(slog.New(hostileHandler{goexit: true})), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	select {
	case r := <-callHandler(t, windows.CTRL_BREAK_EVENT):
		if r != 1 {
			t.Errorf("handler(CTRL_BREAK_EVENT) with a Break listener = %d; want 1 (TRUE)", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler(CTRL_BREAK_EVENT) still runs after 5 s")
	}
	wantEvent(t, l, Break, windows.CTRL_BREAK_EVENT, "break (CTRL_BREAK_EVENT)")
	if !strings.Contains(out.String(), "ctrlc: the logger called runtime.Goexit") {
		t.Errorf("standard error %q does not report the Goexit", out.String())
	}
}

// childWinBreak waits for one event and prints it.
func childWinBreak([]string) int {
	l, err := Notify(WithoutForceExit())
	if err != nil {
		fmt.Println("notify:", err)
		return 2
	}
	defer l.Stop()
	fmt.Println("ready")
	select {
	case e := <-l.C():
		fmt.Println("got", e)
		return 0
	case <-time.After(childTimeout):
		fmt.Println("no event")
		return 1
	}
}

// childWinBreakStopped stops its listener and waits to be ended.
func childWinBreakStopped([]string) int {
	l, err := Notify(WithoutForceExit())
	if err != nil {
		fmt.Println("notify:", err)
		return 2
	}
	l.Stop()
	fmt.Println("ready")
	time.Sleep(childTimeout)
	fmt.Println("still alive")
	return 1
}

// ChildFileEnv names the file childWinClose writes to.
const ChildFileEnv = "CTRLC_TEST_FILE"

// childWinClose closes its own console window and proves that the close
// event holds the process open while a slow clean-up runs, by writing to the
// file the parent reads afterwards.
func childWinClose([]string) int {
	f, err := os.Create(os.Getenv(ChildFileEnv))
	if err != nil {
		fmt.Println(err)
		return 2
	}
	say := func(format string, args ...any) {
		fmt.Fprintf(f, format+"\n", args...)
		_ = f.Sync()
	}
	// No Stop: it would end the hold, and Windows would end the process
	// (exit code STATUS_CONTROL_C_EXIT) before it exits by itself.
	l, err := Notify(WithKinds(Close), WithGracePeriod(4*time.Second), WithoutForceExit())
	if err != nil {
		say("notify: %v", err)
		return 2
	}
	hwnd, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("GetConsoleWindow").Call()
	if hwnd == 0 {
		say("no console window")
		return 3
	}
	const wmClose = 0x0010
	if ok, _, err := windows.NewLazySystemDLL("user32.dll").NewProc("PostMessageW").Call(hwnd, wmClose, 0, 0); ok == 0 {
		say("PostMessage(WM_CLOSE): %v", err)
		return 3
	}
	say("posted WM_CLOSE")
	select {
	case e := <-l.C():
		say("got %v", e)
	case <-time.After(childTimeout):
		say("no close event")
		return 1
	}
	time.Sleep(time.Second) // the slow clean-up that the hold lets finish
	say("clean-up done")
	f.Close()
	return 0
}

// The settings of childWinHold, exported for signals_windows_child_test.go.
const (
	HoldKindEnv  = "CTRLC_TEST_KIND"  // the kind to listen to: close, logoff or shutdown
	HoldGraceEnv = "CTRLC_TEST_GRACE" // WithGracePeriod, the hold; default 4 s
	HoldWorkEnv  = "CTRLC_TEST_WORK"  // how long the clean-up takes; default 1 s
	HoldExitEnv  = "CTRLC_TEST_EXIT"  // set: exit 0 after the clean-up instead of stopping the listener
)

// childWinHold waits for one event of a kind that holds the process open,
// cleans up, and then either stops listening, which ends the hold and lets
// Windows end the process, or exits by itself.
func childWinHold([]string) int {
	k, err := ParseKind(os.Getenv(HoldKindEnv))
	if err != nil {
		fmt.Println(err)
		return 2
	}
	grace, work := 4*time.Second, time.Second
	if d, err := time.ParseDuration(os.Getenv(HoldGraceEnv)); err == nil {
		grace = d
	}
	if d, err := time.ParseDuration(os.Getenv(HoldWorkEnv)); err == nil {
		work = d
	}
	l, err := Notify(WithKinds(k), WithGracePeriod(grace), WithoutForceExit())
	if err != nil {
		fmt.Println("notify:", err)
		return 2
	}
	fmt.Println("ready")
	select {
	case e := <-l.C():
		fmt.Println("got", e)
	case <-time.After(childTimeout):
		fmt.Println("no event")
		return 1
	}
	time.Sleep(work) // the slow clean-up that the hold lets finish
	fmt.Println("clean-up done")
	if os.Getenv(HoldExitEnv) != "" {
		return 0
	}
	l.Stop()
	time.Sleep(childTimeout)
	fmt.Println("not ended after the hold")
	return 1
}

// childWinAlone waits on the shutdown channel and nothing else: no timer, no
// other goroutine, as the smallest program does.
func childWinAlone([]string) int {
	l, err := Notify()
	if err != nil {
		fmt.Println("notify:", err)
		return 2
	}
	defer l.Stop()
	fmt.Println("ready")
	fmt.Println("got", <-l.C())
	return 0
}
