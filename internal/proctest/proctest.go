// Package proctest runs a child process for tests that send it real signals:
// it starts the child in a process group of its own, collects its output
// line by line, waits for a line, and delivers an interrupt the way the
// platform allows.
package proctest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Timeout bounds every wait, so that a broken child fails the test instead
// of hanging it.
const Timeout = 30 * time.Second

// Child is a running child process.
type Child struct {
	t   testing.TB
	Cmd *exec.Cmd

	mu    sync.Mutex
	lines []string
	added chan struct{} // signalled when a line arrives
	eof   chan struct{} // closed when the output ends
	done  chan struct{} // closed when the process was waited for
	err   error
}

// SelfEnv is the environment variable through which a test binary that
// re-executes itself learns which child scenario to run.
const SelfEnv = "CTRLC_TEST_CHILD"

// Self returns a command that runs the current test binary as the child
// scenario name (see RunChild).
func Self(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), SelfEnv+"="+name)
	return cmd
}

// RunChild is called from TestMain: when the binary was started by Self, it
// runs the named scenario and exits with what it returns; otherwise it
// returns and the tests run as usual.
func RunChild(scenarios map[string]func() int) {
	name := os.Getenv(SelfEnv)
	if name == "" {
		return
	}
	f, ok := scenarios[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "proctest: no child scenario %q\n", name)
		os.Exit(3)
	}
	os.Exit(f())
}

// CanStart reports whether this platform can start child processes: js/wasm
// and wasip1 cannot, and there Start skips the test that calls it.
const CanStart = runtime.GOOS != "js" && runtime.GOOS != "wasip1"

// Start starts cmd in a new process group, with its standard output and
// standard error merged, and kills it when the test ends.
func Start(t testing.TB, cmd *exec.Cmd) *Child {
	t.Helper()
	if !CanStart {
		t.Skipf("proctest: %s/%s cannot start child processes", runtime.GOOS, runtime.GOARCH)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	newProcessGroup(cmd)
	c := &Child{t: t, Cmd: cmd, added: make(chan struct{}, 1), eof: make(chan struct{}), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %v: %v", cmd.Args, err)
	}
	go c.read(pr)
	go func() {
		c.err = cmd.Wait()
		pw.Close()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = cmd.Process.Kill()
			<-c.done
		}
		<-c.eof
	})
	return c
}

func (c *Child) read(r io.Reader) {
	defer close(c.eof)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		c.mu.Lock()
		c.lines = append(c.lines, sc.Text())
		c.mu.Unlock()
		select {
		case c.added <- struct{}{}:
		default:
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// Lines returns the output lines so far.
func (c *Child) Lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

// Output returns the output so far as one string.
func (c *Child) Output() string { return strings.Join(c.Lines(), "\n") }

// WaitFor waits until a line contains substr and returns that line; it fails
// the test when the child exits or Timeout passes first.
func (c *Child) WaitFor(substr string) string {
	c.t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		for _, l := range c.Lines() {
			if strings.Contains(l, substr) {
				return l
			}
		}
		select {
		case <-c.added:
		case <-c.eof:
			for _, l := range c.Lines() {
				if strings.Contains(l, substr) {
					return l
				}
			}
			c.t.Fatalf("child ended without printing %q; output:\n%s", substr, c.Output())
		case <-deadline.C:
			c.t.Fatalf("no %q from the child after %v; output:\n%s", substr, Timeout, c.Output())
		}
	}
}

// Wait waits for the child to exit and returns its exit code (-1 when a
// signal killed it) and the error from exec.Cmd.Wait.
func (c *Child) Wait() (int, error) {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(Timeout):
		c.t.Fatalf("child still running after %v; output:\n%s", Timeout, c.Output())
	}
	<-c.eof
	var ee *exec.ExitError
	if c.err == nil {
		return 0, nil
	}
	if errors.As(c.err, &ee) {
		return ee.ExitCode(), c.err
	}
	return -1, c.err
}

// Order reports whether the output holds a line containing each of want, in
// that order.
func (c *Child) Order(want ...string) bool {
	i := 0
	for _, l := range c.Lines() {
		if i < len(want) && strings.Contains(l, want[i]) {
			i++
		}
	}
	return i == len(want)
}

// Count returns how many output lines contain substr.
func (c *Child) Count(substr string) int {
	n := 0
	for _, l := range c.Lines() {
		if strings.Contains(l, substr) {
			n++
		}
	}
	return n
}
