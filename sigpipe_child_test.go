//go:build unix || windows

package ctrlc_test

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The parent side of the broken-pipe tests (issue 19): a child (the
// scenarios are in sigpipe_unix_test.go and sigpipe_windows_test.go) whose
// standard output or standard error is a pipe that the test breaks by
// closing its read end, as a closed terminal's tee, "prog | head" or a
// restarting journald do. ctrlctest.Start cannot serve: it puts both
// streams on one pipe of its own.

// sigpipe_test.go's drainedExit and drainLines.
const (
	drainedExit = 42
	drainLines  = 5
)

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
	p := &pipeChild{
		t:      t,
		marker: testkit.TempFile(t, "marker"), // not t.TempDir, whose clean-up fails under Wine
		added:  make(chan struct{}, 1),
		eof:    make(chan struct{}),
		done:   make(chan struct{}),
	}
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
	err = startPipeCmd(p.cmd)
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
	deadline := time.After(30 * time.Second)
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
			p.t.Fatalf("no %q from the child after %v; output:\n%s", line, 30*time.Second, p.output())
		}
	}
}

// breakPipe closes the broken stream's read end: the child's next write to
// it meets a pipe with no reader.
func (p *pipeChild) breakPipe() {
	p.t.Helper()
	require.NoError(p.t, p.broken.Close())
}

// wait waits for the child to end and returns how it ended.
func (p *pipeChild) wait() *os.ProcessState {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("the child still runs after %v; output:\n%s", 30*time.Second, p.output())
	}
	<-p.eof
	return p.cmd.ProcessState
}

// readMarker returns the marker file that the child writes after its drain.
func (p *pipeChild) readMarker() string {
	p.t.Helper()
	got, err := os.ReadFile(p.marker)
	require.NoError(p.t, err, "no marker file; output:\n%s", p.output())
	return string(got)
}

// markerIs checks the marker file: the event, and the error number of each
// of the drain's writes.
func (p *pipeChild) markerIs(event string, errnos ...int) {
	p.t.Helper()
	s := make([]string, len(errnos))
	for i, n := range errnos {
		s[i] = strconv.Itoa(n)
	}
	assert.Equal(p.t, "event="+event+"\nerrnos="+strings.Join(s, ",")+"\ndrained\n", p.readMarker(), p.output())
}
