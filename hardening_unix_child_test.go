//go:build unix

package ctrlc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The parent side of the hardening tests that need a child process: real
// signals to the child scenarios of hardening_unix_test.go.

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
			c := ctrlctest.Start(t, ignoring(cmd, "INT"))
			c.WaitFor("ready")
			c.Send(ctrlc.Interrupt)
			if evenIfIgnored {
				c.WaitFor("got interrupt (SIGINT)")
			} else {
				time.Sleep(100 * time.Millisecond)
			}
			c.Send(ctrlc.Terminate)
			c.WaitFor("got terminate (SIGTERM)")
			st := c.Wait()
			require.True(t, st.Success(), "%v; output:\n%s", st, c.Output())
			want := 0
			if evenIfIgnored {
				want = 1
			}
			assert.Equal(t, want, c.Count("got interrupt"), c.Output())
		})
	}
}
