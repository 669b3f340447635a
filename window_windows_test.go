//go:build windows

package ctrlc

import (
	"debug/pe"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ctrlc-go/ctrlc/internal/wine"
	"go.uber.org/goleak"
	"golang.org/x/sys/windows"
)

// The hidden window from inside: its messages sent with SendMessage, as
// taskkill and the end of a session send them, and its lifetime. The child
// programs below are started by window_windows_child_test.go, which sends
// them the real thing: taskkill, wineboot --end-session, a GUI-subsystem
// build.

func init() {
	childScenarios["win-window"] = withoutArgs(childWinWindow)
}

var (
	procFindWindowExW            = user32.NewProc("FindWindowExW")
	procSendMessageW             = user32.NewProc("SendMessageW")
	procShutdownBlockReasonQuery = user32.NewProc("ShutdownBlockReasonQuery")
	procGetConsoleCP             = kernel32.NewProc("GetConsoleCP")
)

// ourWindows returns the windows of windowClass that belong to this process.
func ourWindows(t *testing.T) []uintptr {
	t.Helper()
	return windowsOfThisProcess()
}

func windowsOfThisProcess() []uintptr {
	class, _ := windows.UTF16PtrFromString(windowClass)
	var found []uintptr
	var after uintptr
	for {
		h, _, _ := procFindWindowExW.Call(0, after, uintptr(unsafe.Pointer(class)), 0)
		if h == 0 {
			return found
		}
		var pid uint32
		if _, err := windows.GetWindowThreadProcessId(windows.HWND(h), &pid); err == nil && pid == windows.GetCurrentProcessId() {
			found = append(found, h)
		}
		after = h
	}
}

// theWindow returns this process's one window, and fails the test when
// there is none or more than one.
func theWindow(t *testing.T) uintptr {
	t.Helper()
	w := ourWindows(t)
	if len(w) != 1 {
		t.Fatalf("%d windows of class %q in this process; want 1", len(w), windowClass)
	}
	return w[0]
}

// threadCount returns how many threads this process has.
func threadCount(t *testing.T) int {
	t.Helper()
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPTHREAD, 0)
	if err != nil {
		t.Fatalf("CreateToolhelp32Snapshot: %v", err)
	}
	defer windows.CloseHandle(snap)
	pid := windows.GetCurrentProcessId()
	te := windows.ThreadEntry32{Size: uint32(unsafe.Sizeof(windows.ThreadEntry32{}))}
	n := 0
	for err = windows.Thread32First(snap, &te); err == nil; err = windows.Thread32Next(snap, &te) {
		if te.OwnerProcessID == pid {
			n++
		}
	}
	return n
}

// sendMessage sends msg to hwnd from a goroutine, as another process or
// thread would, and returns a channel that gets the window procedure's
// result.
func sendMessage(hwnd uintptr, msg uint32, wParam, lParam uintptr) <-chan uintptr {
	ret := make(chan uintptr, 1)
	go func() {
		r, _, _ := procSendMessageW.Call(hwnd, uintptr(msg), wParam, lParam)
		ret <- r
	}()
	return ret
}

// returns waits for a result of sendMessage or callHandler within d.
func returns(t *testing.T, ret <-chan uintptr, d time.Duration, what string) uintptr {
	t.Helper()
	select {
	case r := <-ret:
		return r
	case <-time.After(d):
		t.Fatalf("%s still runs after %v", what, d)
	}
	return 0
}

// holding checks that ret does not come within d.
func holding(t *testing.T, ret <-chan uintptr, d time.Duration, what string) {
	t.Helper()
	select {
	case r := <-ret:
		t.Fatalf("%s returned %d while the listener still runs", what, r)
	case <-time.After(d):
	}
}

// noMore checks that l gets no further event within d.
func noMore(t *testing.T, l *Listener, d time.Duration) {
	t.Helper()
	select {
	case e := <-l.C():
		t.Fatalf("a second event %v (Seq %d): one stop must be one event", e, e.Seq)
	case <-time.After(d):
	}
}

// shutdownBlockReason returns the window's shutdown block reason, and false
// when it has none.
func shutdownBlockReason(t *testing.T, hwnd uintptr) (string, bool) {
	t.Helper()
	buf := make([]uint16, 256)
	n := uint32(len(buf))
	if ok, _, _ := procShutdownBlockReasonQuery.Call(hwnd, uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n))); ok == 0 {
		return "", false
	}
	return windows.UTF16ToString(buf[:n]), true
}

// reasonsWork reports whether ShutdownBlockReasonCreate does something here:
// Wine's ShutdownBlockReasonCreate and ShutdownBlockReasonQuery are stubs
// that fail with ERROR_CALL_NOT_IMPLEMENTED.
func reasonsWork() bool {
	_, underWine := wine.Version()
	return !underWine
}

// TestWindowLifetime: the window exists while, and only while, a listener
// wants a kind it serves, and 1,000 listeners started and stopped leave no
// window, no thread and no goroutine behind.
func TestWindowLifetime(t *testing.T) {
	if err := user32.Load(); err != nil {
		t.Skipf("no user32.dll: %v", err)
	}
	l, err := Notify(WithKinds(Interrupt, Break))
	if err != nil {
		t.Fatal(err)
	}
	if w := ourWindows(t); len(w) != 0 {
		t.Fatalf("%d windows for a listener of interrupt and break; want none", len(w))
	}
	l.Stop()

	// Two listeners: the window stays until the last of them stops.
	a, err := Notify(WithKinds(Close), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	hwnd := theWindow(t)
	var pid uint32
	tid, _ := windows.GetWindowThreadProcessId(windows.HWND(hwnd), &pid)
	if tid == windows.GetCurrentThreadId() {
		t.Errorf("the window belongs to the test's thread %d; want a thread of its own", tid)
	}
	if visible, _, _ := user32.NewProc("IsWindowVisible").Call(hwnd); visible != 0 {
		t.Error("the window is visible")
	}
	b, err := Notify(WithKinds(Logoff, Shutdown), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	if h := theWindow(t); h != hwnd {
		t.Errorf("a second listener made window %#x beside %#x", h, hwnd)
	}
	a.Stop()
	if h := theWindow(t); h != hwnd {
		t.Errorf("after the first Stop the window is %#x; want %#x still", h, hwnd)
	}
	b.Stop()
	if w := ourWindows(t); len(w) != 0 {
		t.Fatalf("%d windows once every listener stopped; want none", len(w))
	}

	// A thousand times: each makes a window on a thread of its own and
	// destroys both.
	ignore := goleak.IgnoreCurrent()
	threads := threadCount(t)
	const n = 1000
	start := time.Now()
	kinds := []Kind{Close, Logoff, Shutdown}
	for i := range n {
		l, err := Notify(WithKinds(kinds[i%len(kinds)]), WithoutForceExit())
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			theWindow(t)
		}
		l.Stop()
	}
	took := time.Since(start)
	if w := ourWindows(t); len(w) != 0 {
		t.Fatalf("%d windows after %d listeners; want none", len(w), n)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Fatalf("after %d listeners: %v", n, err)
	}
	// The locked goroutine returns, and the runtime ends its thread a
	// moment later. The runtime may keep a few threads more of its own.
	const slack = 4
	deadline := time.Now().Add(5 * time.Second)
	after := threadCount(t)
	for after > threads+slack && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		after = threadCount(t)
	}
	if after > threads+slack {
		t.Fatalf("%d threads after %d listeners, %d before; a thread was left behind", after, n, threads)
	}
	t.Logf("%d listeners in %v (%v each); threads: %d before, %d after", n, took, took/n, threads, after)
}

// TestWindowClose: WM_CLOSE, as taskkill without /F posts it, is a Close
// event held until the listener stops, and does not destroy the window.
func TestWindowClose(t *testing.T) {
	const grace = 20 * time.Second // only Stop can end the hold
	l, err := Notify(WithKinds(Close), WithGracePeriod(grace), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	hwnd := theWindow(t)
	ret := sendMessage(hwnd, wmClose, 0, 0)
	e := wantEvent(t, l, Close, wmClose, "close (WM_CLOSE)")
	if d := e.Deadline.Sub(e.Time); d != grace {
		t.Errorf("Deadline - Time = %v; want the close grace %v", d, grace)
	}
	holding(t, ret, 300*time.Millisecond, "WM_CLOSE")
	// Another listener keeps the window while the first one stops.
	other, err := Notify(WithKinds(Shutdown), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Stop()
	l.Stop()
	if r := returns(t, ret, 5*time.Second, "WM_CLOSE after Stop"); r != 0 {
		t.Errorf("WM_CLOSE returned %d; want 0", r)
	}
	if h := theWindow(t); h != hwnd {
		t.Errorf("the window is %#x after WM_CLOSE; want %#x, not destroyed", h, hwnd)
	}
	// Nobody listens to Close now: WM_CLOSE returns at once, and the
	// window stays for the Shutdown listener.
	if r := returns(t, sendMessage(hwnd, wmClose, 0, 0), 5*time.Second, "WM_CLOSE with no Close listener"); r != 0 {
		t.Errorf("WM_CLOSE with no Close listener returned %d; want 0", r)
	}
	theWindow(t)
	select {
	case e := <-other.C():
		t.Fatalf("the Shutdown listener got %v", e)
	default:
	}
}

// TestWindowEndSession: WM_QUERYENDSESSION returns TRUE at once and starts
// the stop, as Logoff when lParam has ENDSESSION_LOGOFF, else Shutdown;
// WM_ENDSESSION that follows is the same stop, not a second event, and is
// held until the listener stops. The shutdown block reason lives from
// WM_QUERYENDSESSION until WM_ENDSESSION returns (real Windows only: Wine's
// ShutdownBlockReasonCreate is a stub that fails).
func TestWindowEndSession(t *testing.T) {
	for _, tc := range []struct {
		kind   Kind
		lParam uintptr
	}{
		{Logoff, endSessionLogoff},
		{Shutdown, 0},
		{Shutdown, 1}, // ENDSESSION_CLOSEAPP
	} {
		t.Run(fmt.Sprintf("%s/%#x", tc.kind, tc.lParam), func(t *testing.T) {
			const grace = 20 * time.Second
			l, err := Notify(WithKinds(tc.kind), WithGracePeriod(grace), WithoutForceExit())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Stop()
			hwnd := theWindow(t)
			if r := returns(t, sendMessage(hwnd, wmQueryEndSession, 0, tc.lParam), 5*time.Second, "WM_QUERYENDSESSION"); r != 1 {
				t.Errorf("WM_QUERYENDSESSION returned %d; want 1 (TRUE: the session may end)", r)
			}
			e := wantEvent(t, l, tc.kind, wmQueryEndSession, tc.kind.String()+" (WM_QUERYENDSESSION)")
			if d := e.Deadline.Sub(e.Time); d != grace {
				t.Errorf("Deadline - Time = %v; want %v", d, grace)
			}
			if reasonsWork() {
				if r, ok := shutdownBlockReason(t, hwnd); !ok || r != blockReason {
					t.Errorf("shutdown block reason %q, %v after WM_QUERYENDSESSION; want %q", r, ok, blockReason)
				}
			}
			ret := sendMessage(hwnd, wmEndSession, 1, tc.lParam)
			holding(t, ret, 300*time.Millisecond, "WM_ENDSESSION")
			noMore(t, l, 0)
			l.Stop()
			returns(t, ret, 5*time.Second, "WM_ENDSESSION after Stop")
			if reasonsWork() {
				if r, ok := shutdownBlockReason(t, hwnd); ok {
					t.Errorf("shutdown block reason %q still there after WM_ENDSESSION", r)
				}
			}
		})
	}
	if !reasonsWork() {
		v, _ := wine.Version()
		t.Logf("Wine %s: ShutdownBlockReasonCreate and ShutdownBlockReasonQuery are stubs (ERROR_CALL_NOT_IMPLEMENTED): the block reason is checked on Windows only", v)
	}
}

// TestWindowEndSessionGrace: WM_ENDSESSION is held until the deadline of the
// event that WM_QUERYENDSESSION began, not a grace from WM_ENDSESSION on; and
// WM_ENDSESSION with wParam FALSE (the end of the session was cancelled)
// returns at once.
func TestWindowEndSessionGrace(t *testing.T) {
	const grace = time.Second
	l, err := Notify(WithKinds(Shutdown), WithGracePeriod(grace), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	hwnd := theWindow(t)
	returns(t, sendMessage(hwnd, wmQueryEndSession, 0, 0), 5*time.Second, "WM_QUERYENDSESSION")
	e := wantEvent(t, l, Shutdown, wmQueryEndSession, "shutdown (WM_QUERYENDSESSION)")
	time.Sleep(300 * time.Millisecond)
	returns(t, sendMessage(hwnd, wmEndSession, 1, 0), grace+5*time.Second, "WM_ENDSESSION")
	// Windows' timers may lag the monotonic clock by a tick (16 ms).
	if late := time.Since(e.Deadline); late < -50*time.Millisecond || late > 500*time.Millisecond {
		t.Errorf("WM_ENDSESSION returned %v after the event's deadline; want at it", late)
	}
	noMore(t, l, 0)

	// A new end of the session, cancelled: the event came with
	// WM_QUERYENDSESSION, and WM_ENDSESSION(FALSE) holds nothing.
	l.Stop()
	l2, err := Notify(WithKinds(Shutdown), WithGracePeriod(20*time.Second), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Stop()
	hwnd = theWindow(t)
	returns(t, sendMessage(hwnd, wmQueryEndSession, 0, 0), 5*time.Second, "WM_QUERYENDSESSION")
	wantEvent(t, l2, Shutdown, wmQueryEndSession, "shutdown (WM_QUERYENDSESSION)")
	returns(t, sendMessage(hwnd, wmEndSession, 0, 0), 5*time.Second, "WM_ENDSESSION(FALSE)")
}

// arrival is one way a stop comes: a console event (msg 0) or a window
// message.
type arrival struct {
	ctrl   uint32
	msg    uint32
	wParam uintptr
}

func (a arrival) native() int {
	if a.msg == 0 {
		return int(a.ctrl)
	}
	return int(a.msg)
}

var (
	consoleClose    = arrival{ctrl: windows.CTRL_CLOSE_EVENT}
	consoleShutdown = arrival{ctrl: windows.CTRL_SHUTDOWN_EVENT}
	windowClose     = arrival{msg: wmClose}
	queryEndSession = arrival{msg: wmQueryEndSession}
	endSession      = arrival{msg: wmEndSession, wParam: 1}
)

// TestWindowOneEventPerStop: a program that gets the console event and the
// window message for one stop, in either order, or the same message twice,
// sees one event, and each of them holds until the listener stops. The
// arrivals are 100 ms apart, beyond the repeat window (which is off here
// anyway): it is the hold that makes them one. Once that hold is over, a new
// stop is a new event.
func TestWindowOneEventPerStop(t *testing.T) {
	for _, tc := range []struct {
		name     string
		kind     Kind
		arrivals []arrival
	}{
		{"console close, then WM_CLOSE", Close, []arrival{consoleClose, windowClose}},
		{"WM_CLOSE, then console close", Close, []arrival{windowClose, consoleClose}},
		{"WM_CLOSE twice", Close, []arrival{windowClose, windowClose}},
		{"console shutdown, then the window's", Shutdown, []arrival{consoleShutdown, queryEndSession, endSession}},
		{"the window's shutdown, then the console's", Shutdown, []arrival{queryEndSession, consoleShutdown, endSession}},
		{"WM_ENDSESSION twice", Shutdown, []arrival{endSession, endSession}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 {
				// Every arrival counts: no repeat window hides a second event.
				l := notifyWith(t, func(c *config) { c.repeatWindow = 0 }, WithKinds(tc.kind), WithGracePeriod(20*time.Second), WithoutForceExit())
				hwnd := theWindow(t)
				var held []<-chan uintptr
				for i, a := range tc.arrivals {
					var ret <-chan uintptr
					if a.msg == 0 {
						ret = callHandler(t, a.ctrl)
					} else {
						ret = sendMessage(hwnd, a.msg, a.wParam, 0)
					}
					if i == 0 {
						first := Event{Kind: tc.kind, Native: a.native()}
						wantEvent(t, l, tc.kind, uint32(first.Native), first.Error())
					}
					if a.msg == wmQueryEndSession {
						if r := returns(t, ret, 5*time.Second, "WM_QUERYENDSESSION"); r != 1 {
							t.Errorf("WM_QUERYENDSESSION returned %d; want 1", r)
						}
					} else {
						held = append(held, ret)
					}
					noMore(t, l, 100*time.Millisecond)
				}
				for _, ret := range held {
					holding(t, ret, 0, "an arrival of the stop")
				}
				l.Stop()
				for _, ret := range held {
					returns(t, ret, 5*time.Second, "an arrival of the stop, after Stop")
				}
			}
		})
	}
}

// TestWindowClosesWhileAMessageWaits: the last Stop destroys the window
// while a message that just came waits for the registry's lock, which Stop
// holds: Stop must not wait for that message (it would wait forever).
func TestWindowClosesWhileAMessageWaits(t *testing.T) {
	l, err := Notify(WithKinds(Close), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	hwnd := theWindow(t)
	hub.mu.Lock()
	ret := sendMessage(hwnd, wmClose, 0, 0)
	time.Sleep(200 * time.Millisecond) // the message now waits for hub.mu in closeGrace
	// What the last Stop does, with hub.mu held: close the window.
	w := window
	window = nil
	closed := make(chan struct{})
	go func() { w.close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		hub.mu.Unlock()
		t.Fatal("closing the window with hub.mu held still waits after 5 s, for a message that waits for hub.mu")
	}
	hub.mu.Unlock()
	returns(t, ret, 5*time.Second, "WM_CLOSE")
	if n := len(ourWindows(t)); n != 0 {
		t.Fatalf("%d windows after close; want none", n)
	}
	// The message's goroutine goes on once hub.mu is free, and ends (the
	// listener, which the last Stop would have removed first, may get the
	// event). TestMain's goleak checks that it ended.
	l.Stop()
}

// TestWindowStopRightAfterTheEvent: a program that stops its listener as
// soon as the event comes, while the window's thread still handles the
// message, ends cleanly each time.
func TestWindowStopRightAfterTheEvent(t *testing.T) {
	for i := range 50 {
		l, err := Notify(WithKinds(Close, Shutdown), WithoutForceExit())
		if err != nil {
			t.Fatal(err)
		}
		hwnd := theWindow(t)
		msg, wParam := uint32(wmClose), uintptr(0)
		if i%2 == 1 {
			msg, wParam = wmEndSession, 1
		}
		ret := sendMessage(hwnd, msg, wParam, 0)
		<-l.C()
		stopped := make(chan struct{})
		go func() { l.Stop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: Stop still runs after 5 s", i)
		}
		returns(t, ret, 5*time.Second, "the message after Stop")
		if n := len(ourWindows(t)); n != 0 {
			t.Fatalf("round %d: %d windows after Stop; want none", i, n)
		}
	}
}

// The settings of childWinWindow, exported for window_windows_child_test.go
// (ChildFileEnv names its marker file; HoldKindEnv, HoldGraceEnv and
// HoldWorkEnv are as for childWinHold).
const (
	WindowEndEnv = "CTRLC_TEST_END"       // "exit": exit 0 after the drain; else stop listening and wait to be ended
	windowDrain  = 500 * time.Millisecond // the drain's default
)

// childWinWindow listens to the kinds in HoldKindEnv (a comma-separated
// list), writes "ready", then for the first event "got <event>", drains for
// HoldWorkEnv (500 ms by default), says whether the drain ended before the
// event's deadline and how many events came, and then exits or stops its
// listener and waits to be ended. Every line goes to standard output and to
// the marker file, written whole and synced, so that the parent can read
// what happened after the process was killed.
func childWinWindow() int {
	var f *os.File
	if name := os.Getenv(ChildFileEnv); name != "" {
		var err error
		if f, err = os.Create(name); err != nil {
			fmt.Println(err)
			return 2
		}
		defer f.Close()
	}
	say := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...) + "\n"
		fmt.Print(line)
		if f != nil {
			f.WriteString(line)
			f.Sync()
		}
	}
	var kinds []Kind
	for _, name := range strings.Split(os.Getenv(HoldKindEnv), ",") {
		k, err := ParseKind(name)
		if err != nil {
			say("%v", err)
			return 2
		}
		kinds = append(kinds, k)
	}
	grace, work := 4*time.Second, windowDrain
	if d, err := time.ParseDuration(os.Getenv(HoldGraceEnv)); err == nil {
		grace = d
	}
	if d, err := time.ParseDuration(os.Getenv(HoldWorkEnv)); err == nil {
		work = d
	}
	l, err := Notify(WithKinds(kinds...), WithGracePeriod(grace), WithoutForceExit())
	if err != nil {
		say("notify: %v", err)
		return 2
	}
	console := "none"
	if cp, _, _ := procGetConsoleCP.Call(); cp != 0 { // fails without a console
		console = "yes"
	}
	hub.mu.Lock()
	why := windowErr
	hub.mu.Unlock()
	if why != nil {
		say("no window: %v", why) // before ready: the parent sees it in the marker file
	}
	say("ready pid %d subsystem %s console %s windows %d", os.Getpid(), subsystem(), console, len(windowsOfThisProcess()))
	var e Event
	select {
	case e = <-l.C():
		say("got %v", e)
	case <-time.After(childTimeout):
		say("no event")
		return 1
	}
	time.Sleep(work) // the drain that the hold lets finish
	if time.Now().Before(e.Deadline) {
		say("drain done before the deadline")
	} else {
		say("drain done after the deadline")
	}
	n := 1
	for more := true; more; {
		select {
		case e := <-l.C():
			say("another event %v", e)
			n++
		default:
			more = false
		}
	}
	say("events: %d", n)
	if os.Getenv(WindowEndEnv) == "exit" {
		say("exiting")
		return 0
	}
	say("stopping")
	fmt.Println("stopping at", time.Now().UnixNano()) // when the hold ends: for the parent, which sees when the process ended
	l.Stop()
	time.Sleep(childTimeout)
	say("not ended after the hold")
	return 1
}

// subsystem returns the subsystem this program was linked for: "gui" for
// -ldflags=-H=windowsgui, else "console".
func subsystem() string {
	exe, err := os.Executable()
	if err != nil {
		return err.Error()
	}
	f, err := pe.Open(exe)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var sub uint16
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		sub = h.Subsystem
	case *pe.OptionalHeader32:
		sub = h.Subsystem
	}
	switch sub {
	case pe.IMAGE_SUBSYSTEM_WINDOWS_GUI:
		return "gui"
	case pe.IMAGE_SUBSYSTEM_WINDOWS_CUI:
		return "console"
	}
	return fmt.Sprintf("%d", sub)
}
