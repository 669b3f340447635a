/*
Package ctrlc delivers Ctrl-C, SIGTERM, SIGHUP and the Windows console
control events to a Go program on one shutdown channel, on every platform Go
targets, so that the program can finish its work before it exits.

By default a Go program killed by Ctrl-C dies on the spot: no deferred call
runs and work in progress is lost. NotifyContext gives a context cancelled
by the first event instead, the counterpart of signal.NotifyContext:

	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil { ... }
	defer stop()
	<-ctx.Done() // the cause is the Event: "interrupt (SIGINT)", "close (CTRL_CLOSE_EVENT)", ...

Notify gives a Listener whose channel receives every event, like
signal.Notify; SetHandler runs a function for each event, as Rust's ctrlc
crate does; Trigger delivers an event by hand. Several listeners may
coexist; each sees every event of the kinds it asked for, and Stop restores
the default behaviour.

# The escalation

Users expect the first Ctrl-C to finish up, the second to hurry, and the
third to end the program now; supervisors send a second SIGTERM for the
same reason. Every listener does this by itself:

  - The first event is the stop: the context is cancelled, the event is on
    the channel. A pool whose Run drains under the context (package
    github.com/ctrlc-go/ctrlc/pool) finishes its work; if its drain was
    already under way (started by hand, or at the end of a batch), the event
    joins it.
  - The second event hurries: every pool draining under the context hands
    back its queued items unrun, cancels the running ones, gives its OnStop
    hooks what time is left, and returns its report within about a second,
    with everything not done by value, to the code that saves it. Should a
    hurried Run not return within 2 seconds (a handler that ignores its
    context), the process ends. With no pool draining, the second event
    ends the process at once.
  - The third event ends the process at once.

The process ends with Exit, the way the event itself would have ended it,
after one line on standard error (or to the logger of WithLogger). A
listener made WithoutForceExit never ends the process; its second event
still hurries. A plain Listener (Notify) has no drains to hurry: its second
event ends the process. SetHandler's handler decides by itself.

A repeat of the same kind within 50 milliseconds of the one before is taken
for a duplicate, such as the copy of a Ctrl-C that a wrapper (npm, poetry,
a signal-forwarding init) forwards behind the terminal's own: it is neither
delivered nor counted. An event delivered by Trigger never is.

A command-line tool calls Exit itself after a clean drain on Ctrl-C, so
that a shell loop around it stops too; a daemon stopped by its supervisor
exits 0 after a clean drain.

# Deadlines

An Event carries the time by which the operating system or the supervisor
will end the process, when that is known: on Windows for close, logoff and
shutdown, and everywhere for a listener told the supervisor's grace period
with WithGracePeriod (Kubernetes' terminationGracePeriodSeconds, systemd's
TimeoutStopSec). A pool's Run fits its drain before it.

# Unix

On Unix systems (Linux, macOS, the BSDs) the events are SIGINT (Interrupt),
SIGTERM (Terminate) and SIGHUP (Hangup) and, when asked for with WithKinds,
SIGQUIT (Quit). They are received through os/signal, so a program's own
signal.Notify keeps working beside a listener. When the last listener of a
kind stops, the signal's default action is back: a signal that arrives
while Stop runs is delivered or dropped, and once Stop has returned it takes
its default action.

The kernel sends SIGHUP when the terminal goes away: its window is closed,
tmux kill-session, an ssh connection drops. The program then drains as it
does on Ctrl-C, but its terminal is gone: writes to it fail (EIO), and a
program must not stop its drain on a failed write to standard error.

A signal ignored when the program started stays ignored for every kind:
under nohup, SIGHUP is ignored; a command started in the background of a
non-interactive shell (cmd &) has SIGINT and SIGQUIT ignored, so that a
Ctrl-C meant for the shell's foreground job does not reach it. A listener
made with WithEvenIfIgnored takes such a signal over. Go's runtime itself
keeps an inherited ignore only for SIGHUP and SIGINT: SIGTERM and SIGQUIT
get Go's own handler at start whatever their disposition was, so for them
there is nothing left to keep.

# Broken pipes

On Unix, while a listener of any kind is active, a write to a broken pipe
on standard output or standard error fails with EPIPE, as on any other
descriptor, instead of ending the program: without one, Go's runtime kills
a program that writes to a broken pipe on those two descriptors by SIGPIPE
(see os/signal, "SIGPIPE"). A drain thus goes on when the reader of its
log goes away: the tee of "prog 2>&1 | tee log" in a terminal that is
closed (tee dies of the same SIGHUP that starts the drain), the head of
"prog | head", journald restarting under a systemd service, a log
shipper's restart. Nothing else changes: the program exits with the status
it would have had. The library notifies SIGPIPE through os/signal from the
first listener until the last one stops, and then Go's default is back; a
program's own signal.Notify for SIGPIPE keeps working beside it, and a
program that ignores SIGPIPE (signal.Ignore) keeps it ignored.

A broken pipe is not a stop event: no Kind stands for it and no listener
hears of it. A reader going away is no request to stop, and the program
learns of it from its failed writes; one that wants to stop then checks
them for syscall.EPIPE.

Windows has no SIGPIPE: there a write to a pipe whose reader closed fails
with ERROR_NO_DATA (or ERROR_BROKEN_PIPE) and the process goes on, with a
listener or without. Under js/wasm, wasip1 and Plan 9 no signal ends a
program for a write either.

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
stops or the grace passes (4.5 seconds, or WithGracePeriod's), and the
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
