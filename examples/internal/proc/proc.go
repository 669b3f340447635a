// Package proc runs the examples as child processes for their end-to-end
// tests: the test binary re-executes itself as the example program, collects
// its output line by line, and sends it real signals.
package proc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Timeout bounds every wait, so that a broken child fails the test instead
// of hanging it.
const Timeout = 60 * time.Second

// childEnv tells a re-executed test binary to run the program instead of the
// tests.
const childEnv = "CTRLC_EXAMPLE_CHILD"

// RunChild is called first in TestMain: when the binary was started by
// Command, it runs main with the arguments Command was given and exits with
// what main returns; otherwise it returns and the tests run.
func RunChild(main func(args []string) int) {
	if os.Getenv(childEnv) == "" {
		return
	}
	args := os.Args[1:]
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(main(args))
}

// Command returns a command that runs the current test binary as the
// program (see RunChild) with args.
func Command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	return cmd
}

// Process is a running child.
type Process struct {
	t   testing.TB
	Cmd *exec.Cmd

	mu    sync.Mutex
	lines []string
	added chan struct{} // signalled when a line arrives
	eof   chan struct{} // closed when the output ends
	done  chan struct{} // closed when the process was waited for
	err   error
	ended time.Time
}

// Start starts cmd with its standard output and error merged, and kills it
// when the test ends.
func Start(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	p := &Process{t: t, Cmd: cmd, added: make(chan struct{}, 1), eof: make(chan struct{}), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %v: %v", cmd.Args, err)
	}
	go p.read(pr)
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err, p.ended = err, time.Now()
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
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		p.mu.Lock()
		p.lines = append(p.lines, sc.Text())
		p.mu.Unlock()
		select {
		case p.added <- struct{}{}:
		default:
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// Lines returns the output lines so far.
func (p *Process) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Output returns the output so far as one string.
func (p *Process) Output() string { return strings.Join(p.Lines(), "\n") }

// WaitFor waits until a line contains substr and returns that line; it fails
// the test when the child's output ends or Timeout passes first.
func (p *Process) WaitFor(substr string) string {
	p.t.Helper()
	line, err := p.waitUntil(func(l string) bool { return strings.Contains(l, substr) })
	if err != nil {
		p.t.Fatalf("waiting for %q: %v; output:\n%s", substr, err, p.Output())
	}
	return line
}

func (p *Process) waitUntil(match func(string) bool) (string, error) {
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	seen := 0
	for {
		lines := p.Lines()
		for _, l := range lines[seen:] {
			if match(l) {
				return l, nil
			}
		}
		seen = len(lines)
		select {
		case <-p.added:
		case <-p.eof:
			for _, l := range p.Lines()[seen:] {
				if match(l) {
					return l, nil
				}
			}
			return "", errors.New("the output ended")
		case <-deadline.C:
			return "", fmt.Errorf("nothing after %v", Timeout)
		}
	}
}

// Count returns how many output lines so far start with prefix.
func (p *Process) Count(prefix string) int {
	n := 0
	for _, l := range p.Lines() {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// Wait waits for the child to exit and returns its exit code (-1 when a
// signal killed it), when it exited, and the error from exec.Cmd.Wait.
func (p *Process) Wait() (code int, ended time.Time, err error) {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(Timeout):
		p.t.Fatalf("child still running after %v; output:\n%s", Timeout, p.Output())
	}
	<-p.eof
	p.mu.Lock()
	err, ended = p.err, p.ended
	p.mu.Unlock()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, ended, nil
	case errors.As(err, &ee):
		return ee.ExitCode(), ended, err
	}
	return -1, ended, err
}

// Signal sends the child sig.
func (p *Process) Signal(sig os.Signal) {
	p.t.Helper()
	if err := p.Cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v to %d: %v", sig, p.Cmd.Process.Pid, err)
	}
}
