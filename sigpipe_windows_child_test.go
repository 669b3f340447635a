//go:build windows

package ctrlc_test

import (
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// startPipeCmd starts a broken-pipe child in this test's console and
// process group, as ctrlctest.Start does.
func startPipeCmd(cmd *exec.Cmd) error { return cmd.Start() }

// Windows has no SIGPIPE: a write to a pipe whose reader closed fails with
// ERROR_NO_DATA (ERROR_BROKEN_PIPE for some pipes) and the process goes on,
// with a listener as without one.
func TestBrokenPipeWindowsWriteFails(t *testing.T) {
	for _, stream := range []string{"stderr", "stdout"} {
		for _, listen := range []bool{true, false} {
			name, more := stream+"/listener", []string(nil)
			if !listen {
				name, more = stream+"/no-listener", []string{"nolistener"}
			}
			t.Run(name, func(t *testing.T) {
				c := startPipeChild(t, "win-broken-pipe", stream, more...)
				c.breakPipe()
				_, err := c.stdin.WriteString("go\n")
				require.NoError(t, err)
				st := c.wait()
				assert.Equal(t, drainedExit, st.ExitCode(), "%v; output:\n%s", st, c.output())
				got := c.readMarker()
				errnos, ok := strings.CutPrefix(got, "event=interrupt (CTRL_C_EVENT)\nerrnos=")
				require.True(t, ok, "marker %q", got)
				errnos, ok = strings.CutSuffix(errnos, "\ndrained\n")
				require.True(t, ok, "marker %q", got)
				fails := []string{strconv.Itoa(int(windows.ERROR_NO_DATA)), strconv.Itoa(int(windows.ERROR_BROKEN_PIPE))}
				list := strings.Split(errnos, ",")
				assert.Len(t, list, drainLines, got)
				for _, n := range list {
					assert.True(t, slices.Contains(fails, n), "a drain write returned errno %s, want ERROR_NO_DATA (232) or ERROR_BROKEN_PIPE (109); marker %q", n, got)
				}
				t.Logf("the drain's writes to the broken %s failed with errnos %s", stream, errnos)
			})
		}
	}
}
