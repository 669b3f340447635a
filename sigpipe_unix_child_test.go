//go:build unix

package ctrlc_test

import (
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startPipeCmd starts a broken-pipe child in a process group of its own, as
// ctrlctest.Start does, and with SIGINT and SIGHUP at their default even if
// this test runs with them ignored (see startWithDefaults). SIGPIPE needs
// nothing: Go's runtime catches it in every Go program, so that a child
// gets SIGPIPE's default.
func startPipeCmd(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, syscall.SIGHUP, syscall.SIGINT)
	defer signal.Stop(caught)
	return cmd.Start()
}

func (p *pipeChild) signal(sig syscall.Signal) {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(sig))
}

// waitStatus waits for the child to end and returns its wait status.
func (p *pipeChild) waitStatus() syscall.WaitStatus {
	p.t.Helper()
	return p.wait().Sys().(syscall.WaitStatus)
}

// A stop event, then a drain whose log goes to a pipe whose reader is gone:
// each write fails with EPIPE, and the child finishes its drain (the
// marker file is whole) and exits as it does when its reader stays (the
// "whole" cases).
func TestBrokenPipeDuringDrain(t *testing.T) {
	for _, tc := range []struct {
		stream string
		sig    syscall.Signal
		whole  bool // the control: the test leaves the pipe whole
		event  string
	}{
		{"stderr", syscall.SIGINT, false, "interrupt (SIGINT)"},
		{"stderr", syscall.SIGHUP, false, "hangup (SIGHUP)"},
		{"stdout", syscall.SIGINT, false, "interrupt (SIGINT)"},
		{"stdout", syscall.SIGHUP, false, "hangup (SIGHUP)"},
		{"stderr", syscall.SIGINT, true, "interrupt (SIGINT)"},
		{"stdout", syscall.SIGHUP, true, "hangup (SIGHUP)"},
	} {
		name := tc.stream + "/" + tc.sig.String()
		errno := syscall.EPIPE
		if tc.whole {
			name, errno = name+"/whole", 0
		}
		t.Run(name, func(t *testing.T) {
			var more []string
			if tc.sig == syscall.SIGHUP {
				more = []string{"hangup"}
			}
			c := startPipeChild(t, "broken-pipe", tc.stream, more...)
			if !tc.whole {
				c.breakPipe()
			}
			c.signal(tc.sig)
			st := c.waitStatus()
			require.False(t, st.Signaled(), "killed by %v; output:\n%s", st.Signal(), c.output())
			assert.Equal(t, drainedExit, st.ExitStatus(), c.output())
			c.markerIs(tc.event, slices.Repeat([]int{int(errno)}, drainLines)...)
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
	st := c.waitStatus()
	require.True(t, st.Signaled(), "%v, want death by SIGPIPE; output:\n%s", c.cmd.ProcessState, c.output())
	assert.Equal(t, syscall.SIGPIPE, st.Signal(), c.output())
	assert.NoFileExists(t, c.marker, "the child went on after its write to the broken pipe")
}

// A program that ignores SIGPIPE keeps it ignored: a listener that comes and
// goes does not turn the ignore into Go's default, and the drain's writes
// to the broken pipe fail with EPIPE.
func TestBrokenPipeIgnoredSIGPIPEStaysIgnored(t *testing.T) {
	c := startPipeChild(t, "broken-pipe-ignored", "stdout")
	c.breakPipe()
	_, err := c.stdin.WriteString("go\n")
	require.NoError(t, err)
	st := c.waitStatus()
	require.False(t, st.Signaled(), "killed by %v; output:\n%s", st.Signal(), c.output())
	assert.Equal(t, drainedExit, st.ExitStatus(), c.output())
	c.markerIs("interrupt", slices.Repeat([]int{int(syscall.EPIPE)}, drainLines)...)
}

// A program's own signal.Notify for SIGPIPE keeps working beside a listener,
// and the listener's Stop does not take SIGPIPE away from it: its channel
// gets SIGPIPE for the writes to a broken pipe on standard error both
// times, and the program lives on.
func TestBrokenPipeOwnSIGPIPENotifyKeepsWorking(t *testing.T) {
	c := startPipeChild(t, "broken-pipe-own", "stderr")
	c.breakPipe()
	_, err := c.stdin.WriteString("go\n")
	require.NoError(t, err)
	st := c.waitStatus()
	require.False(t, st.Signaled(), "killed by %v; output:\n%s", st.Signal(), c.output())
	assert.Equal(t, drainedExit, st.ExitStatus(), c.output())
	epipes := strings.Repeat(strconv.Itoa(int(syscall.EPIPE))+",", drainLines-1) + strconv.Itoa(int(syscall.EPIPE))
	assert.Equal(t, "beside a listener: errnos="+epipes+" own=broken pipe\n"+
		"after Stop: errnos="+epipes+" own=broken pipe\ndrained\n", c.readMarker())
}
