//go:build windows

package ctrlc

import (
	"strconv"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/svcmode"
	"golang.org/x/sys/windows"
)

// Windows has no signals; a console process gets control events through a
// handler registered with SetConsoleCtrlHandler, called on a thread of its
// own. The handlers run last-registered first until one returns TRUE, so
// returning FALSE for an event nobody listens to hands it on to the Go
// runtime's handler (os/signal) or the default one, which ends the process.

var defaultKinds = []Kind{Interrupt, Terminate, Hangup, Break, Close, Logoff, Shutdown}

var (
	kernel32                  = windows.NewLazySystemDLL("kernel32.dll")
	procSetConsoleCtrlHandler = kernel32.NewProc("SetConsoleCtrlHandler")

	callbackOnce sync.Once
	callback     uintptr // made once: Windows callbacks are a limited resource
)

// ctrlEvents holds the console event of each kind; hasEvent tells which
// entries are real, since CTRL_C_EVENT is 0.
var (
	ctrlEvents = [maxKind + 1]uint32{
		Interrupt: windows.CTRL_C_EVENT,
		Break:     windows.CTRL_BREAK_EVENT,
		Close:     windows.CTRL_CLOSE_EVENT,
		Logoff:    windows.CTRL_LOGOFF_EVENT,
		Shutdown:  windows.CTRL_SHUTDOWN_EVENT,
	}
	hasEvent = setOf(Interrupt, Break, Close, Logoff, Shutdown)
	ctrlName = map[uint32]string{
		windows.CTRL_C_EVENT:        "CTRL_C_EVENT",
		windows.CTRL_BREAK_EVENT:    "CTRL_BREAK_EVENT",
		windows.CTRL_CLOSE_EVENT:    "CTRL_CLOSE_EVENT",
		windows.CTRL_LOGOFF_EVENT:   "CTRL_LOGOFF_EVENT",
		windows.CTRL_SHUTDOWN_EVENT: "CTRL_SHUTDOWN_EVENT",
	}
)

// Guarded by hub.mu: how many kinds are enabled (the handler is registered
// while this is above zero), per close kind the channel whose closing ends a
// hold, and a timer that is pending while the handler is registered.
var (
	enabledKinds int
	releases     [maxKind + 1]chan struct{}
	keepAlive    *time.Timer
)

// ignoredKinds returns Interrupt while the process ignores CTRL_C_EVENT:
// it was started with CREATE_NEW_PROCESS_GROUP, inherited the ignore from
// its parent, or called SetConsoleCtrlHandler(NULL, TRUE). Windows then
// calls no handler for CTRL_C_EVENT. The flag is read each time, so a
// program that turned the ignore off itself is listened to.
func ignoredKinds() kindSet {
	if windows.RtlGetCurrentPeb().ProcessParameters.ConsoleFlags&1 != 0 {
		return setOf(Interrupt)
	}
	return 0
}

// keepAliveFor outlasts any program. Go's runtime declares a deadlock ("all
// goroutines are asleep") when every goroutine is blocked and no timer is
// pending, without counting on callbacks from Windows' threads (Go issue
// 6751): a program whose only goroutine waits on the shutdown channel would
// die before its event came. A pending timer tells the runtime to wait.
const keepAliveFor = 100 * 365 * 24 * time.Hour

func enable(k Kind) error {
	if !hasEvent.has(k) {
		return nil
	}
	if k == Interrupt && ignoredKinds().has(Interrupt) {
		// Only a listener made WithEvenIfIgnored turns on a kind ignored at
		// start: it takes Ctrl-C over, for the rest of the process's life.
		if err := setConsoleCtrlHandler(0, false); err != nil {
			return err
		}
	}
	if enabledKinds == 0 {
		callbackOnce.Do(func() { callback = windows.NewCallback(consoleCtrlHandler) })
		if err := setConsoleCtrlHandler(callback, true); err != nil {
			return err
		}
		keepAlive = time.AfterFunc(keepAliveFor, func() {})
	}
	enabledKinds++
	if holds(k) {
		releases[k] = make(chan struct{})
		addWindowRef() // window_windows.go: the same kinds by window message
	}
	return nil
}

func disable(k Kind) {
	if !hasEvent.has(k) {
		return
	}
	if releases[k] != nil {
		close(releases[k])
		releases[k] = nil
	}
	if holds(k) {
		dropWindowRef()
	}
	enabledKinds--
	if enabledKinds == 0 {
		setConsoleCtrlHandler(callback, false) // nothing to do if it fails: the handler returns FALSE for unwanted events
		keepAlive.Stop()
		keepAlive = nil
	}
}

func setConsoleCtrlHandler(handler uintptr, add bool) error {
	var a uintptr
	if add {
		a = 1
	}
	if r, _, err := procSetConsoleCtrlHandler.Call(handler, a); r == 0 {
		return err
	}
	return nil
}

// holds reports whether Windows ends the process as soon as the handler of
// k returns, so that the handler must wait for the program's shutdown.
func holds(k Kind) bool { return k == Close || k == Logoff || k == Shutdown }

func consoleCtrlHandler(ctrlType uint32) uintptr {
	k, ok := kindOfCtrl(ctrlType)
	if !ok {
		return 0
	}
	if k == Logoff && svcmode.On() {
		// Some user logged off: no reason for a service to stop, and the
		// default handler must not end it either.
		return 1
	}
	e := Event{Kind: k, Native: int(ctrlType), Time: time.Now()}
	src := source{native: true, gen: hub.gen.Load()}
	if holds(k) {
		// Windows ends the process when the hold ends. The hidden window may
		// get the same stop as a message (window_windows.go): arrive makes
		// the two one event, and both hold until the same end.
		s := arrive(e, src)
		if !s.took {
			return 0
		}
		s.hold(nil)
		return 1
	}
	if !dispatch(e, src) {
		return 0
	}
	return 1
}

func kindOfCtrl(ctrlType uint32) (Kind, bool) {
	for k := Interrupt; k <= maxKind; k++ {
		if hasEvent.has(k) && ctrlEvents[k] == ctrlType {
			return k, true
		}
	}
	return 0, false
}

func nativeOf(k Kind) int { return int(ctrlEvents[k]) }

func nativeName(k Kind, n int) string {
	if !hasEvent.has(k) && n == 0 {
		return "" // no console event behind k, and 0 is CTRL_C_EVENT's code
	}
	if name, ok := ctrlName[uint32(n)]; ok {
		return name
	}
	return "event " + strconv.Itoa(n)
}
