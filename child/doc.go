// Package child runs programs as children of this one, as parts of the work
// a pool item does, so that a Ctrl-C meant for this program does not kill
// them mid-item, they stop when the item's context ends, and they do not
// outlive this program.
//
//	cmd := child.Command(ctx, "ffmpeg", "-i", in, out)
//	err := child.Run(cmd)
//
// Command is exec.CommandContext with three things set up: a process group
// of the child's own, a Cancel that asks that group to stop, and a WaitDelay
// (5 s) after which Start's forced stop kills the whole group. Start (or Run,
// which waits too) starts the command and adds what the platform has to keep
// the child from outliving this program. The returned *exec.Cmd is an
// ordinary one: its fields may be changed before Start, and cmd.Wait,
// StdoutPipe and ProcessState work as usual. Its Run, Output and
// CombinedOutput methods call its own Start, not this package's: set
// cmd.Stdout to a buffer and call Run instead.
//
// # Ctrl-C at the terminal
//
// A terminal sends SIGINT (Ctrl-C) and SIGQUIT to every process of its
// foreground process group: to this program and, by default, to every
// program it started. Windows sends CTRL_C_EVENT to every process attached
// to the console. A child started here runs in a process group of its own
// (Unix: setpgid; Windows: CREATE_NEW_PROCESS_GROUP, which also makes it
// ignore CTRL_C_EVENT), so the Ctrl-C reaches this program only; this program
// decides when its children stop, for example by cancelling the items'
// context once the drain is over. A Ctrl-Break typed at a Windows console
// still reaches every process on it. A child that puts itself back in the
// terminal's foreground (SysProcAttr.Foreground, or an interactive program
// that takes the terminal) gets the terminal's signals again.
//
// # Stopping when the context ends
//
// When the command's context is done while the child runs, os/exec calls
// cmd.Cancel. Command's asks the child's whole group to stop: SIGTERM to the
// group on Unix; CTRL_BREAK_EVENT to the group on Windows (Go programs see it
// as os.Interrupt; others, by default, exit). The caller may set another
// Cancel, for example one that sends os.Interrupt with Signal, or one that
// closes the child's standard input. Start makes sure that cmd.WaitDelay
// after the context ended (at once if WaitDelay is zero) every process left
// in the group is killed: SIGKILL to the group on Unix, TerminateJobObject
// on Windows. os/exec's own WaitDelay kills only the direct child; the
// forced stop here also takes the processes it started, which would
// otherwise live on as orphans, and it happens even when Wait has already
// returned (the direct child exited, but not its children). A process that
// the child moved to a group of its own (setsid, setpgid, a daemon) is not
// in the group, and is neither asked nor forced to stop on Unix.
//
// On Unix the process group is addressed by its id, the child's pid, as
// kill(1) does. While any process of the group runs, or the child is not yet
// reaped, that id is the group's alone. Once every process of the group has
// ended and Wait has reaped the child, the id is free: Signal then returns
// os.ErrProcessDone, but the forced stop, which is after processes that may
// outlive the child, still sends SIGKILL to it when the grace ends; it would
// reach a stranger only if the system had handed the same number out again,
// as a new group leader's pid, within the grace (Linux hands pids out in
// turn, up to pid_max, before it reuses one).
//
// # When this program ends by ctrlc.Exit
//
// ctrlc.Exit, and the forced exit of ctrlc's escalation, which uses it,
// kill the process group of every child started here that still runs, and
// of every child whose context ended but whose forced stop is not yet due,
// as after a hurried drain, which returns within about a second of a
// WaitDelay of 5 s: nothing the child started is left running, on every
// Unix (KillAll). A program that ends another way, by returning from main
// or by os.Exit with a code, should call KillAll last, for example with
// defer in the function whose result is the exit code; otherwise what its
// children started may outlive it, as below.
//
// # When this program dies
//
// On Linux the child gets SIGKILL (SysProcAttr.Pdeathsig, unless the caller
// set another signal) when this program dies, even by SIGKILL. Linux sends
// that signal when the thread that started the child exits, not the process
// (go.dev/issue/27505): Start forks on a goroutine locked to its OS thread,
// which stays locked, blocked in waitid(2) without reaping the child, until
// the child exits, so that thread lives exactly as long as needed; each
// running child thus holds an OS thread. The signal reaches the direct child
// only: when this program is killed, the processes the child started live
// on as orphans (adopted by init, or the nearest subreaper), still in the
// child's process group and still away from the terminal's Ctrl-C, unless
// the child stops them. A child that must take its own children with it can
// be given another Pdeathsig, such as SIGTERM, which it catches to stop them
// before it exits. FreeBSD sends the death signal too (procctl(2)
// PROC_PDEATHSIG_CTL), when the parent process exits, whichever thread
// started the child; it too reaches the direct child only.
//
// On Windows the child runs in a job object with
// JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, whose only handle this program holds:
// when this program ends, however it ends, Windows closes the handle and
// kills every process in the job, which holds the child and every process
// it started (they cannot break away). The child is started suspended and
// resumed once it is in the job, so that no process it starts escapes the
// job. When the child exits by itself, the job lets go of what it left
// running. Where the console refuses CTRL_BREAK_EVENT (this program has no
// console, as a service; Wine), Command's Cancel terminates the job at once
// instead of asking.
//
// macOS, OpenBSD, NetBSD, DragonFly, Solaris and AIX have neither a death
// signal nor job objects: there is no guarantee, and nothing stops the
// child when this program is killed. (A program that ends on its own should,
// there as everywhere, cancel its children's context and wait for them
// first.) A child that must not outlive this program can watch for it
// itself: give it a pipe as standard input (cmd.StdinPipe) and have it exit
// at end of file, which comes when this program dies however it dies; or
// have it exit when getppid(2) changes.
//
// # What is left when the child exits by itself
//
// When the child exits before its context ends, processes it left running
// are left alone, as os/exec leaves them: they stay in the child's group
// (Unix) and nothing stops them later.
//
// # Platforms without processes
//
// js/wasm and wasip1 cannot start processes, and plan9 has no process groups:
// there Start, Run and Signal return an error that names the platform and
// wraps errors.ErrUnsupported.
package child
