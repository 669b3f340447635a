/*
Package ctrlc delivers Ctrl-C, SIGTERM and the Windows console control
events to a Go program on one shutdown channel, on every platform Go
targets, so that the program can finish its work before it exits.

By default a Go program killed by Ctrl-C dies on the spot: no deferred call
runs and work in progress is lost. A Listener catches the events instead:

	l, err := ctrlc.Notify()
	if err != nil { ... }
	defer l.Stop()
	e := <-l.C() // "interrupt (SIGINT)", "close (CTRL_CLOSE_EVENT)", ...

Several listeners may coexist; each sees every event of the kinds it asked
for. NotifyContext gives a context cancelled by the first event instead, and
SetHandler runs a function for each event, as Rust's ctrlc crate does.
Trigger delivers an event by hand. Stop restores the default behaviour.

# A second event, repeats and the last word

While the program shuts down, a second event ends it at once (see
WithForceExit), so that a stuck shutdown can always be cut short by pressing
Ctrl-C again. A repeat of the same kind within a few tens of milliseconds of
the one before is taken for a duplicate, such as the copy of a Ctrl-C that a
wrapper (npm, poetry, a signal-forwarding init) forwards behind the
terminal's own, and does not count (see WithRepeatWindow). Between the
forcing event and the exit, WithLastWord runs a function, bounded by a
timeout, that can save what the program still holds; one more forcing event
during it ends the process at once.

The forced exit ends the process with Exit, the way the event itself would
have: on Unix by the signal, so that the parent sees WIFSIGNALED and a shell
loop stops; on Windows with STATUS_CONTROL_C_EXIT. A command-line tool calls
Exit itself after a clean drain on Ctrl-C for the same reason; a daemon
stopped by its supervisor exits 0 after a clean drain.

# Deadlines

An Event carries the time by which the operating system or the supervisor
will end the process, when that is known: on Windows for close, logoff and
shutdown, and everywhere for a listener told the supervisor's grace period
with WithGracePeriod (Kubernetes' terminationGracePeriodSeconds, systemd's
TimeoutStopSec).

# Unix

On Unix systems (Linux, macOS, the BSDs) the events are SIGINT (Interrupt)
and SIGTERM (Terminate) and, when asked for with WithKinds, SIGHUP (Hangup)
and SIGQUIT (Quit). They are received through os/signal, so a program's own
signal.Notify keeps working beside a listener. When the last listener of a
kind stops, the signal's default action is back.

A signal ignored when the program started stays ignored for every kind:
under nohup, SIGHUP is ignored; a command started in the background of a
non-interactive shell (cmd &) has SIGINT and SIGQUIT ignored, so that a
Ctrl-C meant for the shell's foreground job does not reach it. A listener
made with WithEvenIfIgnored takes such a signal over. Go's runtime itself
keeps an inherited ignore only for SIGHUP and SIGINT: SIGTERM and SIGQUIT
get Go's own handler at start whatever their disposition was, so for them
there is nothing left to keep.

# Windows

On Windows the events are the console control events: CTRL_C_EVENT
(Interrupt), CTRL_BREAK_EVENT (Break), CTRL_CLOSE_EVENT (Close),
CTRL_LOGOFF_EVENT (Logoff) and CTRL_SHUTDOWN_EVENT (Shutdown), received by a
handler registered with SetConsoleCtrlHandler, which Windows calls on a
thread of its own. The handler returns FALSE for events no listener wants, so
that Go's runtime (os/signal) or the default handler gets them.

For close, logoff and shutdown, Windows ends the process as soon as the
handler returns, and in any case about 5 seconds after the event. The
handler therefore holds the process open until the last listener of the kind
stops or the close grace passes (WithCloseGrace, DefaultCloseGrace), and the
event's Deadline says when that is. A process started with
CREATE_NEW_PROCESS_GROUP ignores CTRL_C_EVENT, which stays ignored unless a
listener is made with WithEvenIfIgnored. Exit ends the process with
STATUS_CONTROL_C_EXIT (0xC000013A), as Windows does for Ctrl-C.

Windows tells a program with windows to stop by window messages instead,
and a console program that loads user32.dll, or one built with
-ldflags=-H=windowsgui (which has no console), hears of logoff and shutdown
only that way. So while a listener wants Close, Logoff or Shutdown, the
package keeps a hidden top-level window on a thread of its own: taskkill
without /F posts it WM_CLOSE, which arrives as Close; the end of the session
sends WM_QUERYENDSESSION and then WM_ENDSESSION, which arrive as Logoff when
Windows sets ENDSESSION_LOGOFF and as Shutdown otherwise. Such an event's
Native is the message, as in "close (WM_CLOSE)". The event comes with
WM_QUERYENDSESSION, and WM_ENDSESSION is held like the console events, since
Windows ends the session once it returns; a stop that comes both ways, as a
console event and as a message, is one event. The window goes away with the
last such listener.

# JavaScript and WebAssembly

Under js/wasm in Node the events are Node's SIGINT and SIGTERM (SIGHUP and
SIGQUIT with WithKinds), and in a browser the page's "pagehide" is a Close.
A pending timer keeps Node's event loop alive while a listener waits. Node
cannot tell whether a signal was ignored at start.

WASI preview 1 (wasip1) delivers no signals at all: the host, such as wazero
or wasmtime, kills the guest on Ctrl-C without telling it. There, Trigger and
the parent context of NotifyContext are the only ways to start a shutdown,
and events carry no signal number.

# Other systems

Elsewhere (Plan 9, ...) os.Interrupt is the Interrupt kind, received through
os/signal. A kind that a platform lacks is accepted by WithKinds everywhere
and arrives only through Trigger, so that one list of kinds serves every
platform.
*/
package ctrlc
