//go:build unix

package ctrlc_test

import (
	"bufio"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The parent side of the broken-pipe tests (issue 19): a child (the
// scenarios are in sigpipe_unix_test.go) whose standard output or standard
// error is a pipe that the test breaks by closing its read end, as a
// closed terminal's tee, "prog | head" or a restarting journald do.

const drainedExit = 42 // sigpipe_unix_test.go's drainedExit

// pipeChild is a child with one standard stream on a pipe that the test
// breaks, and the other one read by the test.
type pipeChild struct {
	t      *testing.T
	cmd    *exec.Cmd
	marker string
	stdin  *os.File
	broken *os.File // the read end of the broken stream, until breakPipe

	mu    sync.Mutex
	lines []string
	added chan struct{}
	eof   chan struct{}
	done  chan struct{}
}

// startPipeChild starts the scenario with the stream broken ("stdout" or
// "stderr") on a pipe of its own, and waits for "ready" on the other one.
func startPipeChild(t *testing.T, scenario, broken string, more ...string) *pipeChild {
	t.Helper()
	if testing.Short() {
		t.Skip("starts child processes")
	}
	p := &pipeChild{t: t, marker: filepath.Join(t.TempDir(), "marker"),
		added: make(chan struct{}, 1), eof: make(chan struct{}), done: make(chan struct{})}
	p.cmd = ctrlctest.Self(scenario, append([]string{p.marker, broken}, more...)...)
	br, bw, err := os.Pipe()
	require.NoError(t, err)
	wr, ww, err := os.Pipe()
	require.NoError(t, err)
	sr, sw, err := os.Pipe()
	require.NoError(t, err)
	p.broken, p.stdin = br, sw
	p.cmd.Stdin = sr
	switch broken {
	case "stdout":
		p.cmd.Stdout, p.cmd.Stderr = bw, ww
	case "stderr":
		p.cmd.Stdout, p.cmd.Stderr = ww, bw
	default:
		t.Fatalf("no stream %q", broken)
	}
	// A process group of its own, as ctrlctest.Start gives, and SIGINT and
	// SIGHUP at their default even if this test runs with them ignored
	// (see startWithDefaults). SIGPIPE needs nothing: Go's runtime catches it
	// in every Go program, so that a child gets SIGPIPE's default.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, syscall.SIGHUP, syscall.SIGINT)
	err = p.cmd.Start()
	signal.Stop(caught)
	for _, f := range []*os.File{sr, bw, ww} {
		f.Close() // the child's ends
	}
	if err != nil {
		br.Close()
		wr.Close()
		sw.Close()
		t.Fatal(err)
	}
	go p.read(wr)
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		<-p.eof
		wr.Close()
		br.Close()
		sw.Close()
	})
	p.waitFor("ready")
	return p
}

func (p *pipeChild) read(r *os.File) {
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
}

func (p *pipeChild) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

func (p *pipeChild) waitFor(line string) {
	p.t.Helper()
	deadline := time.After(ctrlctest.Timeout)
	for {
		if strings.Contains(p.output(), line) {
			return
		}
		select {
		case <-p.added:
		case <-p.eof:
			if strings.Contains(p.output(), line) {
				return
			}
			p.t.Fatalf("the child ended without %q; output:\n%s", line, p.output())
		case <-deadline:
			p.t.Fatalf("no %q from the child after %v; output:\n%s", line, ctrlctest.Timeout, p.output())
		}
	}
}

// breakPipe closes the broken stream's read end: the child's next write to
// it meets a pipe with no reader.
func (p *pipeChild) breakPipe() {
	p.t.Helper()
	require.NoError(p.t, p.broken.Close())
}

func (p *pipeChild) signal(sig syscall.Signal) {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(sig))
}

// wait waits for the child to end and returns its wait status.
func (p *pipeChild) wait() syscall.WaitStatus {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(ctrlctest.Timeout):
		p.t.Fatalf("the child still runs after %v; output:\n%s", ctrlctest.Timeout, p.output())
	}
	<-p.eof
	return p.cmd.ProcessState.Sys().(syscall.WaitStatus)
}

// A stop event, then a drain whose log goes to a pipe whose reader is gone:
// each write fails with EPIPE, and the child finishes its drain (the
// marker file is whole) and exits as it would have with its reader there.
func TestBrokenPipeDuringDrain(t *testing.T) {
	for _, tc := range []struct {
		broken string
		sig    syscall.Signal
		event  string
	}{
		{"stderr", syscall.SIGINT, "interrupt (SIGINT)"},
		{"stderr", syscall.SIGHUP, "hangup (SIGHUP)"},
		{"stdout", syscall.SIGINT, "interrupt (SIGINT)"},
		{"stdout", syscall.SIGHUP, "hangup (SIGHUP)"},
	} {
		t.Run(tc.broken+"/"+tc.sig.String(), func(t *testing.T) {
			var more []string
			if tc.sig == syscall.SIGHUP {
				more = []string{"hangup"}
			}
			c := startPipeChild(t, "broken-pipe", tc.broken, more...)
			c.breakPipe()
			c.signal(tc.sig)
			st := c.wait()
			require.False(t, st.Signaled(), "killed by %v; output:\n%s", st.Signal(), c.output())
			assert.Equal(t, drainedExit, st.ExitStatus(), c.output())
			got, err := os.ReadFile(c.marker)
			require.NoError(t, err, "no marker file; output:\n%s", c.output())
			assert.Equal(t, "event="+tc.event+"\nepipe=5\nother=0\ndrained\n", string(got))
			assert.Contains(t, c.output(), "drained")
		})
	}
}

// Once the last listener has stopped, Go's default is back: a write to a
// broken standard output kills the program by SIGPIPE.
func TestBrokenPipeAfterStopKills(t *testing.T) {
	c := startPipeChild(t, "broken-pipe-stopped", "stdout")
	c.breakPipe()
	_, err := c.stdin.WriteString("go\n")
	require.NoError(t, err)
	st := c.wait()
	require.True(t, st.Signaled(), "%v, want death by SIGPIPE; output:\n%s", st, c.output())
	assert.Equal(t, syscall.SIGPIPE, st.Signal(), c.output())
	assert.NoFileExists(t, c.marker, "the child went on after its write to the broken pipe")
}
