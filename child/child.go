package child

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// defaultGrace is the WaitDelay that Command sets: how long a child has,
// once its context is done, between the polite request to stop and the
// forced stop of its whole process group (Unix) or job (Windows).
const defaultGrace = 5 * time.Second

const windowsOS = runtime.GOOS == "windows"

// Command returns the [exec.Cmd] to run the program name with arg as a child
// program of this one, as [exec.CommandContext] does, set up so that:
//
//   - the child runs in a process group of its own (Unix: SysProcAttr.Setpgid;
//     Windows: CREATE_NEW_PROCESS_GROUP), so that a Ctrl-C typed at the
//     terminal reaches this program and not the child, which can finish the
//     work it is doing while this program drains;
//   - when ctx is done before the child exits, Cancel asks the child's whole
//     group to stop (Unix: SIGTERM to the group; Windows: CTRL_BREAK_EVENT to
//     the group, or, where the console refuses it, the forced stop at once);
//   - WaitDelay is 5 s: the grace between that request and the forced stop,
//     which [Start] arranges for the whole group or job, not only for the
//     direct child as os/exec's WaitDelay does.
//
// The caller may change the command's fields before starting it: Cancel for
// another polite request (for example one that calls [Signal] with
// os.Interrupt), WaitDelay for another grace, SysProcAttr for other process
// attributes (Start keeps them, adding its own).
//
// Start the command with [Start] or [Run], not with its own Start method:
// they add the forced stop of the group and the guarantee that the child does
// not outlive this program (see the package documentation for what each
// platform can give). Command panics if ctx is nil, as exec.CommandContext
// does.
func Command(ctx context.Context, name string, arg ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, arg...)
	cmd.SysProcAttr, _ = ownGroup(nil) // fails only for a caller's Pgid
	cmd.Cancel = func() error { return askToStop(cmd) }
	cmd.WaitDelay = defaultGrace
	return cmd
}

// Start starts cmd, which Command or exec.Command made, as a child program:
// like cmd.Start, and in addition
//
//   - the child gets a process group of its own (Unix) or a new process group
//     (Windows), merged into cmd.SysProcAttr (a copy: the caller's struct is
//     not changed) with every field the caller set kept;
//   - when cmd's context is done while the child runs, cmd.Cancel runs as
//     usual and, cmd.WaitDelay later (at once when WaitDelay is zero), every
//     process still in the child's group (Unix) or job (Windows) is killed,
//     even after Wait has returned;
//   - the child does not outlive this program where the platform allows it:
//     Linux and FreeBSD kill it (SIGKILL) when this program dies, Windows
//     kills it with every process it started (a job object). Other platforms
//     give no such guarantee (see the package documentation);
//   - when this program ends by ctrlc.Exit, the child's group is killed if
//     the child still runs or its forced stop is not yet due, on every Unix.
//
// After Start, call cmd.Wait as usual. Processes that the child leaves
// running when it exits by itself (not stopped by its context) are left
// alone, as os/exec leaves them.
//
// Start returns an error, and starts nothing, for a nil cmd, for a command
// that was already started, and on a platform that cannot give these
// guarantees (js/wasm, wasip1, plan9: the error wraps errors.ErrUnsupported
// and names the platform); it returns cmd.Start's error when the program
// cannot start.
func Start(cmd *exec.Cmd) error {
	if err := usable("Start", cmd); err != nil {
		return err
	}
	if cmd.Process != nil {
		return fmt.Errorf("child.Start: %s already started (pid %d)", cmdName(cmd), cmd.Process.Pid)
	}
	attr, err := ownGroup(cmd.SysProcAttr)
	if err != nil {
		return fmt.Errorf("child.Start: %s: %w", cmdName(cmd), err)
	}
	cmd.SysProcAttr = attr
	if polite := cmd.Cancel; polite != nil {
		grace := cmd.WaitDelay
		cmd.Cancel = func() error {
			// Armed before the polite request, so that a Cancel that is
			// slow to return cannot put off the forced stop.
			forceStopAfter(cmd, grace)
			return polite()
		}
	}
	if err := start(cmd); err != nil {
		return err
	}
	track(cmd.Process)
	return nil
}

// Run starts cmd with [Start] and waits for it with cmd.Wait: it returns
// Start's error, or Wait's.
func Run(cmd *exec.Cmd) error {
	if err := usable("Run", cmd); err != nil {
		return err
	}
	if err := Start(cmd); err != nil {
		return err
	}
	return cmd.Wait()
}

// KillAll kills, at once, every child program that Start started and that
// still runs or whose forced stop is pending (its context ended, its
// WaitDelay is not over), with every process in its group (Unix) or job
// (Windows). Children that exited by themselves, and what they left
// running, are left alone.
//
// ctrlc.Exit calls it. A program that ends another way, by returning from
// main or by os.Exit with a code, should call it last, for example with
// defer in the function whose result is the exit code: a hurried drain
// gives up on its items within about a second, before their children's
// forced stops are due, and nothing else would then stop what those
// children started.
func KillAll() { killAll() }

// Signal sends sig to every process in the group of cmd's child (the child
// and whatever it started that stayed in its group), which Start started:
//
//   - on Unix, with kill(2) to the process group;
//   - on Windows, os.Interrupt and syscall.SIGTERM are CTRL_BREAK_EVENT to the
//     child's process group through the console (the only console event that
//     can target a group; a Go child sees os.Interrupt), and os.Kill
//     terminates the child's job object, that is the child and every process
//     it started; other signals are errors wrapping errors.ErrUnsupported.
//
// It returns os.ErrProcessDone when cmd's child has exited and Wait has
// reaped it, since its group id may then belong to someone else; an error
// naming the problem for a nil or not started cmd, a sig this platform has
// no way to send, or a platform without processes; and the system's error
// otherwise (Windows: the console refuses CTRL_BREAK_EVENT when this program
// has no console, and under Wine).
//
// Signal is what Command's Cancel uses; a Cancel of the caller's may use it
// to send another signal, for example:
//
//	cmd.Cancel = func() error { return child.Signal(cmd, os.Interrupt) }
func Signal(cmd *exec.Cmd, sig os.Signal) error {
	if err := usable("Signal", cmd); err != nil {
		return err
	}
	if cmd.Process == nil {
		return fmt.Errorf("child.Signal: %s not started", cmdName(cmd))
	}
	if sig == nil {
		return fmt.Errorf("child.Signal: nil signal for %s (pid %d)", cmdName(cmd), cmd.Process.Pid)
	}
	if reaped(cmd) {
		return os.ErrProcessDone
	}
	if err := signalGroup(cmd, sig); err != nil {
		if errors.Is(err, os.ErrProcessDone) {
			return err
		}
		return fmt.Errorf("child.Signal: %v to %s (pid %d): %w", sig, cmdName(cmd), cmd.Process.Pid, err)
	}
	return nil
}

// usable checks what every function needs: a command, on a platform that can
// run one.
func usable(fn string, cmd *exec.Cmd) error {
	if err := supported(); err != nil {
		return fmt.Errorf("child.%s: %w", fn, err)
	}
	if cmd == nil {
		return fmt.Errorf("child.%s: nil *exec.Cmd", fn)
	}
	return nil
}

// unsupported is the error of a platform that cannot run child programs.
func unsupported(why string) error {
	return fmt.Errorf("%s/%s %s: %w", runtime.GOOS, runtime.GOARCH, why, errors.ErrUnsupported)
}

func cmdName(cmd *exec.Cmd) string {
	if cmd.Path != "" {
		return cmd.Path
	}
	if len(cmd.Args) > 0 {
		return cmd.Args[0]
	}
	return "command"
}
