//go:build unix

package ctrlc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The parent side of the hardening tests that need a child process: real
// signals to the child scenarios of hardening_unix_test.go.

// Replacing the handler never lets SIGINT's default action back: the child
// survives SIGINT every 0.5 ms while it replaces its handler for a second.
func TestSetHandlerReplacementKeepsSIGINTCaught(t *testing.T) {
	c := child(t, "sethandler-loop")
	pid := c.Cmd.Process.Pid
	stop := make(chan struct{})
	sent := make(chan int)
	go func() {
		n := 0
		defer func() { sent <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if unix.Kill(pid, unix.SIGINT) != nil {
				return // the child is gone
			}
			n++
			time.Sleep(500 * time.Microsecond)
		}
	}()
	code, err := c.Wait()
	close(stop)
	n := <-sent
	require.NoError(t, err, "after %d SIGINTs: %s", n, c.Output())
	assert.Equal(t, 0, code)
	assert.Contains(t, c.Output(), "survived")
	t.Logf("%d SIGINTs during the replacements", n)
}

// A child started with SIGINT ignored, as "cmd &" in a non-interactive shell
// starts it, neither hears nor dies by SIGINT; with WithEvenIfIgnored it
// hears it.
func TestSIGINTIgnoredAtStartStaysIgnored(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, evenIfIgnored := range []bool{false, true} {
		t.Run(fmt.Sprintf("WithEvenIfIgnored=%v", evenIfIgnored), func(t *testing.T) {
			cmd := ctrlctest.Self("ignored")
			if evenIfIgnored {
				cmd.Env = append(cmd.Env, "CHILD_EVEN_IF_IGNORED=1")
			}
			c := ctrlctest.Start(t, ignoringSIGINT(cmd))
			c.WaitFor("ready")
			c.Interrupt()
			if evenIfIgnored {
				c.WaitFor("got interrupt (SIGINT)")
			} else {
				time.Sleep(100 * time.Millisecond)
			}
			c.Terminate()
			c.WaitFor("got terminate (SIGTERM)")
			code, err := c.Wait()
			require.NoError(t, err, c.Output())
			assert.Equal(t, 0, code)
			want := 0
			if evenIfIgnored {
				want = 1
			}
			assert.Equal(t, want, c.Count("got interrupt"), c.Output())
		})
	}
}
