package ctrlc

import (
	"os"

	"github.com/ctrlc-go/ctrlc/internal/atexit"
)

// Exit ends the process the way the event would have ended it had nobody
// caught it, so that the parent (a shell, a supervisor) learns that it was
// interrupted; for the zero Event (no event came) it exits with status 0,
// so that a program can end with ctrlc.Exit(report.Event) either way. It
// never returns, runs no deferred calls, and is safe to call from any
// goroutine.
//
// On Unix, Exit resets the event's signal to its default action and raises
// it: the parent sees the process killed by SIGINT, SIGTERM or SIGHUP
// (WIFSIGNALED), which is what makes a shell loop such as
// "for f in *; do prog "$f"; done" stop at the first Ctrl-C. Where that
// cannot work it exits with the shell's code for the signal, 128 plus its
// number (130, 143, ...), instead: for a kind with no signal of its own on
// Unix (Break, Close, Logoff, Shutdown), for
// Quit (whose default in a Go program is a goroutine dump and exit status 2),
// as process 1 (the kernel does not let a process kill PID 1 with a default
// action), and when the signal stays ignored.
//
// On Windows, Exit exits with STATUS_CONTROL_C_EXIT (0xC000013A), the status
// Windows gives a console process ended by Ctrl-C or by closing its window.
// Under js/wasm, wasip1 and other platforms it exits with that code. An
// event of a kind outside Interrupt…Shutdown exits with status 1
// everywhere.
//
// Call Exit after a clean drain when the program is a command-line tool that
// a user or a script interrupts: its caller should stop too. A daemon or
// service stopped by its supervisor should exit 0 after a clean drain
// instead: the stop was asked for and went well. The forced exit of the
// escalation uses Exit.
//
// Before it ends the process, Exit kills the process groups of the child
// programs that package child started and that would otherwise outlive
// it (child.KillAll): those still running, and those whose context ended
// but whose grace (WaitDelay) is not over, as after a hurried drain.
//
// Listeners made while Exit runs wait for the process to end: they cannot
// catch the signal Exit raises.
func Exit(e Event) {
	atexit.Run()
	if e.Kind == 0 {
		os.Exit(0)
	}
	exit(e)
}
