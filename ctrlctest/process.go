package ctrlctest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/internal/exitcode"
)

// timeout bounds every wait of a Process, so that a program that hangs fails
// the test instead of hanging it.
const timeout = 30 * time.Second

// outputGrace is how long, once the process has exited, Start's process
// waits for its output to end before it closes the output pipe (the
// exec.Cmd's WaitDelay, when the caller left it zero). Output goes on after
// an exit only when the process left a child holding the pipe (sh -c
// 'server &'); without the bound, Wait and the test's clean-up would wait
// for that grandchild forever.
const outputGrace = 2 * time.Second

// Process is a program started by Start. Its methods that can fail the test
// must be called from the test's goroutine, like t.Fatal.
type Process struct {
	Cmd *exec.Cmd

	t     testing.TB
	group bool // Windows: started with CREATE_NEW_PROCESS_GROUP

	mu    sync.Mutex
	lines []string
	added chan struct{} // signalled when a line arrives
	eof   chan struct{} // closed when the output ends
	done  chan struct{} // closed when the process was waited for
	err   error         // from cmd.Wait, read after done
}

// Start starts cmd with its standard output and standard error merged into
// the lines that WaitFor, Lines and Output read (lines of any length), and
// kills it when the test ends if it still runs. Start fails the test when
// cmd cannot start, and skips it where no process can start (js/wasm,
// wasip1). A WaitDelay of 0 becomes 2 s, so that a grandchild holding the
// output cannot keep Wait waiting.
//
// On Unix the process gets a process group of its own (Setpgid), so that
// signals for it never reach the test, unless cmd.SysProcAttr asks for a
// session of its own (Setsid), which makes it a group leader already; the
// caller's other SysProcAttr fields are kept. On Windows Start keeps cmd.SysProcAttr as it is:
// without CREATE_NEW_PROCESS_GROUP, the default, the process shares the
// test's console and process group, which is what Send needs (under Wine a
// process in a new group ignores every injected event, where Windows ignores
// only CTRL_C_EVENT). With CREATE_NEW_PROCESS_GROUP in
// cmd.SysProcAttr.CreationFlags, Process.Send delivers Break through the
// console, with GenerateConsoleCtrlEvent to the process's group, as a user
// pressing Ctrl-Break would (Wine refuses it: the test is then skipped).
func Start(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skipf("ctrlctest: %s/%s cannot start child processes", runtime.GOOS, runtime.GOARCH)
	}
	if cmd == nil {
		t.Fatal("ctrlctest.Start: nil *exec.Cmd")
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = outputGrace
	}
	p := &Process{t: t, Cmd: cmd, added: make(chan struct{}, 1), eof: make(chan struct{}), done: make(chan struct{})}
	p.group = prepare(cmd)
	if err := cmd.Start(); err != nil {
		pw.Close()
		t.Fatalf("ctrlctest: starting %v: %v", cmd.Args, err)
	}
	go p.read(pr)
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		<-p.eof
	})
	return p
}

func (p *Process) read(r io.Reader) {
	defer close(p.eof)
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.mu.Unlock()
			select {
			case p.added <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// Pid returns the process's id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Lines returns the output lines so far, without their line endings.
func (p *Process) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Output returns the output so far as one string, lines joined by "\n".
func (p *Process) Output() string { return strings.Join(p.Lines(), "\n") }

// WaitFor waits until a line contains substr and returns that line. It fails
// the test when the output ends first, or after 30 s.
func (p *Process) WaitFor(substr string) string {
	p.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	find := func() (string, bool) {
		for _, l := range p.Lines() {
			if strings.Contains(l, substr) {
				return l, true
			}
		}
		return "", false
	}
	for {
		if l, ok := find(); ok {
			return l
		}
		select {
		case <-p.added:
		case <-p.eof:
			if l, ok := find(); ok {
				return l
			}
			p.t.Fatalf("ctrlctest: %s ended without printing %q; output:\n%s", p.name(), substr, p.Output())
		case <-deadline.C:
			p.t.Fatalf("ctrlctest: no %q from %s after %v; output:\n%s", substr, p.name(), timeout, p.Output())
		}
	}
}

// Order reports whether the output holds a line containing each of want, in
// that order.
func (p *Process) Order(want ...string) bool {
	i := 0
	for _, l := range p.Lines() {
		if i < len(want) && strings.Contains(l, want[i]) {
			i++
		}
	}
	return i == len(want)
}

// Count returns how many output lines contain substr.
func (p *Process) Count(substr string) int {
	n := 0
	for _, l := range p.Lines() {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}

// Send delivers a real stop event of kind k to the process (see the package
// function Send), and fails the test when it cannot.
func (p *Process) Send(k ctrlc.Kind) {
	p.t.Helper()
	if p.sendGroup(k) {
		return
	}
	if err := Send(p.Pid(), k); err != nil {
		p.t.Fatalf("%v; output:\n%s", err, p.Output())
	}
}

// Wait waits for the process to exit and tells how it ended. It fails the
// test when the process still runs after 30 s.
func (p *Process) Wait() ExitStatus {
	p.t.Helper()
	p.waitDone()
	ps := p.Cmd.ProcessState
	return ExitStatus{Code: ps.ExitCode(), Signal: signalOf(ps)}
}

func (p *Process) waitDone() {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("ctrlctest: %s still runs after %v; output:\n%s", p.name(), timeout, p.Output())
	}
	<-p.eof
}

func (p *Process) name() string {
	return fmt.Sprintf("%s (pid %d)", p.Cmd.Path, p.Cmd.Process.Pid)
}

// ExitStatus is how a process ended.
type ExitStatus struct {
	// Code is the exit code, or -1 when a signal killed the process. On
	// Windows it is the 32-bit exit status, such as 0xC000013A
	// (STATUS_CONTROL_C_EXIT; compare uint32(Code)).
	Code int
	// Signal is the signal that killed the process (Unix), nil when it
	// exited by itself.
	Signal os.Signal
}

// Success reports whether the process exited by itself with code 0.
func (s ExitStatus) Success() bool { return s.Code == 0 && s.Signal == nil }

// EndedBy reports whether the process ended the way ctrlc.Exit ends it for
// an event of kind k, the same way on every OS: on Unix killed by the kind's
// signal, or exited with 128 plus its number (what Exit falls back to as
// process 1, for Quit, and for the Windows kinds); on Windows exited with
// STATUS_CONTROL_C_EXIT, the one status Windows has for all of them;
// elsewhere exited with 128 plus the number.
func (s ExitStatus) EndedBy(k ctrlc.Kind) bool {
	n := exitcode.Signal(uint8(k))
	if n == 0 {
		return false
	}
	return endedBy(s, n)
}

// String describes the status as "exit code 0", "exit code 0xc000013a" or
// "killed by signal: interrupt" (the signal as Go names it).
func (s ExitStatus) String() string {
	switch {
	case s.Signal != nil:
		return "killed by signal: " + s.Signal.String()
	case s.Code < 0 || s.Code > 255:
		return fmt.Sprintf("exit code %#x", uint32(s.Code))
	}
	return fmt.Sprintf("exit code %d", s.Code)
}
