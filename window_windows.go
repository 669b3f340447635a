//go:build windows

package ctrlc

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows asks a program with windows to stop through window messages, not
// console events: taskkill without /F posts WM_CLOSE to the top-level windows
// of the process (a console program has none, so only /F used to work), and
// the end of a session sends WM_QUERYENDSESSION and WM_ENDSESSION to them. A
// console program that loads user32.dll or gdi32.dll no longer gets
// CTRL_LOGOFF_EVENT and CTRL_SHUTDOWN_EVENT (HandlerRoutine's documentation:
// it is to make a hidden window and handle those messages), and a program
// built with -ldflags=-H=windowsgui has no console at all.
//
// So while some listener wants Close, Logoff or Shutdown, the package keeps
// a hidden top-level window on a locked OS thread of its own, which runs the
// window's message loop. Its messages take the console events' path:
// WM_CLOSE is Close; WM_QUERYENDSESSION and WM_ENDSESSION are Logoff when
// lParam has ENDSESSION_LOGOFF, else Shutdown; each is held like the console
// event (arrive and heldStop.hold below, also used by the console handler).
//
// The window is made by enable and destroyed by disable, both called with
// hub.mu held. A window can be destroyed only by its own thread
// (DestroyWindow from another fails with "Access is denied"), so disable
// posts wmStop to it and waits until the thread has left its loop and
// destroyed the window; the goroutine then returns still locked to its
// thread, and the runtime ends the thread.

var (
	user32                         = windows.NewLazySystemDLL("user32.dll")
	procRegisterClassExW           = user32.NewProc("RegisterClassExW")
	procUnregisterClassW           = user32.NewProc("UnregisterClassW")
	procCreateWindowExW            = user32.NewProc("CreateWindowExW")
	procDestroyWindow              = user32.NewProc("DestroyWindow")
	procDefWindowProcW             = user32.NewProc("DefWindowProcW")
	procGetMessageW                = user32.NewProc("GetMessageW")
	procDispatchMessageW           = user32.NewProc("DispatchMessageW")
	procPostMessageW               = user32.NewProc("PostMessageW")
	procShutdownBlockReasonCreate  = user32.NewProc("ShutdownBlockReasonCreate")
	procShutdownBlockReasonDestroy = user32.NewProc("ShutdownBlockReasonDestroy")

	windowProcOnce sync.Once
	windowProc     uintptr // made once, like the console callback
)

// The window messages the window handles.
const (
	wmClose           = 0x0010
	wmQueryEndSession = 0x0011
	wmEndSession      = 0x0016
	// wmStop, a private message (WM_APP), tells the window's thread to
	// destroy the window and end. It counts only once disable has closed the
	// window's quit channel, so that a stray WM_APP from elsewhere does not.
	wmStop = 0x8000

	endSessionLogoff = 0x80000000 // lParam of WM_QUERYENDSESSION and WM_ENDSESSION
)

const (
	windowClass = "ctrlc-go stop window" // found by FindWindowEx in the tests
	windowTitle = "ctrlc"
	// blockReason is what Windows shows beside the program while a held
	// WM_ENDSESSION keeps the session from ending.
	blockReason = "Draining: finishing the work in progress before it exits"
)

func init() {
	// An event from the window carries the message as its Native code, so
	// that its String says how it came: "close (WM_CLOSE)". The console
	// events' codes (0 to 6) are other numbers.
	ctrlName[wmClose] = "WM_CLOSE"
	ctrlName[wmQueryEndSession] = "WM_QUERYENDSESSION"
	ctrlName[wmEndSession] = "WM_ENDSESSION"
}

// Guarded by hub.mu: how many of the kinds the window serves are enabled,
// the window, nil while there is none, and why the last try to make one
// failed, for the tests.
var (
	windowRefs int
	window     *stopWindow
	windowErr  error
)

// addWindowRef is called by enable for a kind that holds (Close, Logoff,
// Shutdown), with hub.mu held. A window that cannot be made (no window
// station, no user32.dll) leaves the console events as the only path, as
// before the window existed: the next enable of such a kind tries again.
func addWindowRef() {
	windowRefs++
	if window == nil {
		window, windowErr = openWindow()
	}
}

// dropWindowRef is called by disable for a kind that holds, with hub.mu
// held: the last of them destroys the window.
func dropWindowRef() {
	windowRefs--
	if windowRefs == 0 && window != nil {
		window.close()
		window = nil
	}
}

// stopWindow is the hidden window and its thread.
type stopWindow struct {
	hwnd uintptr       // set by the thread before it reports ready
	quit chan struct{} // closed by close: the wait of a message being handled ends
	done chan struct{} // closed by the thread once the window is gone

	// Only the window's thread uses these.
	session  *heldStop // the stop that WM_QUERYENDSESSION began, until WM_ENDSESSION
	blocking bool      // ShutdownBlockReasonCreate succeeded
}

// liveWindow is the window whose thread runs, for windowProc, which is one
// callback for every window: there is never more than one at a time.
var liveWindow atomic.Pointer[stopWindow]

func openWindow() (*stopWindow, error) {
	if err := user32.Load(); err != nil {
		return nil, err
	}
	w := &stopWindow{quit: make(chan struct{}), done: make(chan struct{})}
	ready := make(chan error, 1)
	go w.run(ready)
	if err := <-ready; err != nil {
		<-w.done
		return nil, err
	}
	return w, nil
}

// wndClassEx is WNDCLASSEXW.
type wndClassEx struct {
	size       uint32
	style      uint32
	wndProc    uintptr
	clsExtra   int32
	wndExtra   int32
	instance   windows.Handle
	icon       windows.Handle
	cursor     windows.Handle
	background windows.Handle
	menuName   *uint16
	className  *uint16
	iconSm     windows.Handle
}

// winMsg is MSG.
type winMsg struct {
	hwnd    uintptr
	message uint32
	wParam  uintptr
	lParam  uintptr
	time    uint32
	pt      struct{ x, y int32 }
	private uint32
}

// run is the window's thread: it makes the window, reports to ready, runs
// the message loop until close asks it to stop, and destroys the window.
func (w *stopWindow) run(ready chan<- error) {
	// Never unlocked: when run returns, the runtime ends the thread, which
	// nothing else may use, since its message queue belongs to the window.
	runtime.LockOSThread()
	defer close(w.done)
	windowProcOnce.Do(func() { windowProc = windows.NewCallback(windowProcedure) })

	class, _ := windows.UTF16PtrFromString(windowClass)
	title, _ := windows.UTF16PtrFromString(windowTitle)
	var instance windows.Handle
	if err := windows.GetModuleHandleEx(0, nil, &instance); err != nil {
		ready <- err
		return
	}
	wc := wndClassEx{wndProc: windowProc, instance: instance, className: class}
	wc.size = uint32(unsafe.Sizeof(wc))
	if atom, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); atom == 0 {
		ready <- err
		return
	}
	defer procUnregisterClassW.Call(uintptr(unsafe.Pointer(class)), uintptr(instance))

	liveWindow.Store(w)
	defer liveWindow.CompareAndSwap(w, nil)
	// A top-level window (no parent, not HWND_MESSAGE: message-only windows
	// get neither taskkill's WM_CLOSE nor the end of the session), hidden
	// (no WS_VISIBLE), extended style 0 as HandlerRoutine's documentation
	// says.
	hwnd, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(class)), uintptr(unsafe.Pointer(title)),
		0, 0, 0, 0, 0, 0, 0, uintptr(instance), 0)
	if hwnd == 0 {
		ready <- err // under Wine with no display: "no driver could be loaded"
		return
	}
	w.hwnd = hwnd
	ready <- nil

	var m winMsg
	for {
		r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
		if int32(r) <= 0 { // WM_QUIT, or an error
			break
		}
		if m.message == wmStop && m.hwnd == hwnd && w.closing() {
			break
		}
		procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
	}
	w.unblock()
	procDestroyWindow.Call(hwnd)
}

func (w *stopWindow) closing() bool {
	select {
	case <-w.quit:
		return true
	default:
		return false
	}
}

// close ends the window's thread and waits until the window is destroyed.
// It is called with hub.mu held; a message being handled may be waiting for
// hub.mu (arrive, on a goroutine of its own): closing quit ends that wait,
// so the thread gets to wmStop.
func (w *stopWindow) close() {
	close(w.quit)
	for {
		if ok, _, _ := procPostMessageW.Call(w.hwnd, wmStop, 0, 0); ok != 0 {
			break
		}
		// The thread has ended already (its loop met WM_QUIT), or its
		// queue is full: it drains it, so try again.
		select {
		case <-w.done:
			return
		case <-time.After(time.Millisecond):
		}
	}
	<-w.done
}

// windowProcedure is the window procedure of every window of windowClass.
func windowProcedure(hwnd, msg, wParam, lParam uintptr) uintptr {
	w := liveWindow.Load()
	if w == nil || w.hwnd != hwnd {
		r, _, _ := procDefWindowProcW.Call(hwnd, msg, wParam, lParam)
		return r
	}
	switch msg {
	case wmClose:
		// Never DefWindowProc, which would destroy the window: the window
		// stays until the last listener stops, whoever listens to Close.
		w.onClose()
		return 0
	case wmQueryEndSession:
		w.onQueryEndSession(lParam)
		return 1 // TRUE: the session may end
	case wmEndSession:
		w.onEndSession(wParam != 0, lParam)
		return 0
	}
	r, _, _ := procDefWindowProcW.Call(hwnd, msg, wParam, lParam)
	return r
}

func sessionKind(lParam uintptr) Kind {
	if lParam&endSessionLogoff != 0 {
		return Logoff
	}
	return Shutdown // also ENDSESSION_CLOSEAPP (the Restart Manager) and ENDSESSION_CRITICAL
}

// onClose holds WM_CLOSE as the console handler holds CTRL_CLOSE_EVENT.
// Windows does not end the process when WM_CLOSE returns, but the hold keeps
// the two paths alike: a program that exits by itself inside the hold keeps
// its exit code on both.
func (w *stopWindow) onClose() {
	if s := w.arrive(Event{Kind: Close, Native: wmClose, Time: time.Now()}); s != nil {
		s.hold(w.quit)
	}
}

// onQueryEndSession starts the stop at the first word of the end of the
// session, which gives the drain the most time, and lets the session end
// (returning FALSE would only make Windows ask the user). Windows ends the
// program once WM_ENDSESSION returns; until then the reason says why the
// program holds the session. ShutdownBlockReasonCreate must be called on
// the window's thread; Wine's is a stub that fails, which changes nothing.
// An end of the session that is then cancelled (WM_ENDSESSION with wParam
// FALSE) cannot take back the event.
func (w *stopWindow) onQueryEndSession(lParam uintptr) {
	s := w.arrive(Event{Kind: sessionKind(lParam), Native: wmQueryEndSession, Time: time.Now()})
	if s == nil || !s.took {
		return
	}
	w.session = s
	if !w.blocking && procShutdownBlockReasonCreate.Find() == nil {
		reason, _ := windows.UTF16PtrFromString(blockReason)
		ok, _, _ := procShutdownBlockReasonCreate.Call(w.hwnd, uintptr(unsafe.Pointer(reason)))
		w.blocking = ok != 0
	}
}

// onEndSession holds WM_ENDSESSION until the stop's hold ends: the one that
// WM_QUERYENDSESSION began, never a second event, however late
// WM_ENDSESSION comes; or a new one when no WM_QUERYENDSESSION came.
func (w *stopWindow) onEndSession(ending bool, lParam uintptr) {
	defer w.unblock()
	s := w.session
	w.session = nil
	if !ending {
		return // the end of the session was cancelled
	}
	if s == nil {
		s = w.arrive(Event{Kind: sessionKind(lParam), Native: wmEndSession, Time: time.Now()})
	}
	if s != nil {
		s.hold(w.quit)
	}
}

func (w *stopWindow) unblock() {
	if w.blocking {
		procShutdownBlockReasonDestroy.Call(w.hwnd)
		w.blocking = false
	}
}

// arrive runs arrive for the window, on a goroutine: arrive takes hub.mu,
// which close holds while it waits for this thread. It returns nil when the
// window is being closed.
func (w *stopWindow) arrive(e Event) *heldStop {
	src := source{native: true, gen: hub.gen.Load()}
	got := make(chan *heldStop, 1)
	go func() { got <- arrive(e, src) }()
	select {
	case s := <-got:
		return s
	case <-w.quit:
		return nil // the goroutine ends once close releases hub.mu
	}
}

// heldStop is one stop request of a kind that holds (Close, Logoff,
// Shutdown), from its first native event until the hold ends: at its
// deadline, or when the last listener of the kind that took it stops.
type heldStop struct {
	deadline time.Time
	taken    chan struct{}   // closed once the event was dispatched
	took     bool            // set before taken is closed: a listener took the event
	release  <-chan struct{} // releases[k] when the event came: closed by the last Stop
}

// Guarded by heldMu: per kind, the latest stop.
var (
	heldMu sync.Mutex
	held   [maxKind + 1]*heldStop
)

// arrive dispatches e, a native event of a kind that holds, and returns its
// stop, unless a stop of that kind is under way: then e is the same request
// come by another path (the console event and the window message both came,
// or Windows said it twice), and it returns that stop without dispatching
// e, since a second event would count as a second press and force the exit.
// The event's Deadline is its Time plus the close grace (at most 4.5 s for
// a console close).
func arrive(e Event, src source) *heldStop {
	k := e.Kind
	grace := closeGrace(k)
	if e.Native == windows.CTRL_CLOSE_EVENT {
		// Windows ends a console process about 5 s after a console close,
		// whatever the grace: its Deadline must not promise more.
		grace = min(grace, defaultCloseGrace)
	}
	heldMu.Lock()
	if s := held[k]; s != nil && !s.over() {
		heldMu.Unlock()
		<-s.taken
		return s
	}
	e.Deadline = e.Time.Add(grace)
	s := &heldStop{deadline: e.Deadline, taken: make(chan struct{})}
	held[k] = s
	heldMu.Unlock()

	defer close(s.taken)
	// The release of the listeners there are now, which are those that can
	// take e: if they all stop before dispatch, the hold is over at once.
	hub.mu.Lock()
	s.release = releases[k]
	hub.mu.Unlock()
	s.took = dispatch(e, src)
	return s
}

// over reports whether the stop's hold has ended (or never began: nobody
// took the event). A stop being dispatched is not over.
func (s *heldStop) over() bool {
	select {
	case <-s.taken:
	default:
		return false
	}
	if !s.took || s.release == nil || !time.Now().Before(s.deadline) {
		return true
	}
	select {
	case <-s.release:
		return true
	default:
		return false
	}
}

// hold blocks until the stop's hold ends or quit is closed (nil: never).
func (s *heldStop) hold(quit <-chan struct{}) {
	if !s.took || s.release == nil {
		return
	}
	t := time.NewTimer(time.Until(s.deadline))
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.release:
	case <-quit:
	}
}
