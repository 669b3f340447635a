//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogFile: with -log, all the output, the JSON report included, is
// appended to the file, and nothing reaches the console.
func TestLogFile(t *testing.T) {
	t.Parallel()
	needDemo(t)
	logFile := filepath.Join(t.TempDir(), "demo.log")
	require.NoError(t, os.WriteFile(logFile, []byte("an earlier run\n"), 0o644))
	c := ctrlctest.Start(t, exec.Command(demoPath, "-log", logFile, "-json", "-rate", "200", "-work", "10ms"))
	deadline := time.Now().Add(waitLimit)
	for {
		data, err := os.ReadFile(logFile)
		require.NoError(t, err)
		if strings.Contains(string(data), "press Ctrl-C to stop") {
			break
		}
		require.True(t, time.Now().Before(deadline), "no ready line in the log:\n%s\nconsole:\n%s", data, c.Output())
		time.Sleep(10 * time.Millisecond)
	}
	c.Send(ctrlc.Terminate)
	wantExit(t, c, 0)
	assert.Empty(t, c.Lines(), "nothing on the console")
	data, err := os.ReadFile(logFile)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	last := -1
	for _, want := range []string{"an earlier run", "ctrlc-demo (pid ", "received terminate (SIGTERM), shutting down…",
		"report: ", `{"event":"terminate (SIGTERM)",`, "Good bye!"} {
		i := lineIndex(lines, want)
		require.Greater(t, i, last, "%q in order in the log:\n%s", want, data)
		last = i
	}
}
