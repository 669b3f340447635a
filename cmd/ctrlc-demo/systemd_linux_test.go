//go:build linux

package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSystemdNotify runs the demo as systemd runs a Type=notify service:
// NOTIFY_SOCKET names a datagram socket the test listens on. A real SIGTERM
// during a backlog must bring READY=1, then STOPPING=1, then the drain's
// STATUS lines, each extending the stop timeout by the 5 s within which the
// demo promises the next.
func TestSystemdNotify(t *testing.T) {
	t.Parallel()
	needDemo(t)
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	require.NoError(t, err)
	defer conn.Close()
	msgs := make(chan string, 100)
	go func() {
		defer close(msgs)
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			msgs <- string(buf[:n])
		}
	}()

	cmd := exec.Command(demoPath, "-workers", "1", "-work", "400ms", "-rate", "100", "-queue", "4")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	c := ctrlctest.Start(t, cmd)
	c.WaitFor("press Ctrl-C to stop")
	time.Sleep(200 * time.Millisecond) // 1 running, 4 queued: a drain of about 2 s
	c.Send(ctrlc.Terminate)
	wantExit(t, c, 0)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Second))) // every datagram was sent before the exit
	var got []string
	for m := range msgs {
		got = append(got, m)
	}
	all := strings.Join(got, "")
	assert.NotContains(t, c.Output(), "telling the supervisor", "no notification failed")

	// Each datagram is a few VAR=value lines; one line each from here on.
	lines := strings.Split(strings.TrimSuffix(all, "\n"), "\n")
	index := func(prefix string) int {
		return slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
	}
	ready, stopping := index("READY=1"), index("STOPPING=1")
	require.Equal(t, 0, ready, "READY=1 first:\n%s", all)
	assert.Equal(t, 1, strings.Count(all, "READY=1\n"), "READY=1 once")
	assert.True(t, strings.HasPrefix(lines[1], "STATUS=running: "), "the ready status: %q", lines[1])
	require.Greater(t, stopping, ready, "STOPPING=1 after READY=1:\n%s", all)
	assert.Equal(t, 1, strings.Count(all, "STOPPING=1\n"), "STOPPING=1 once")
	assert.Equal(t, "STATUS=received terminate (SIGTERM), shutting down", lines[stopping+1])
	const promise = "EXTEND_TIMEOUT_USEC=5000000"
	assert.Equal(t, promise, lines[stopping+2], "the stop promises the next report within 5 s")

	var draining, extends int
	for i, l := range lines[stopping+1:] {
		i += stopping + 1
		switch {
		case strings.HasPrefix(l, "STATUS=draining "):
			draining++
			assert.Regexp(t, `^STATUS=draining [0-9.]+m?s: \d+ commands received, \d+ done, [01] running, \d+ queued`+
				`( \(full: the receiver loop holds one, waiting for room\))?; a second Ctrl-C \(or stop event\) hurries it, keeping the commands not done$`, l)
			require.Less(t, i+1, len(lines), "each drain status comes with an extension")
			assert.Equal(t, promise, lines[i+1])
		case strings.HasPrefix(l, "EXTEND_TIMEOUT_USEC="):
			extends++
		case strings.HasPrefix(l, "STATUS="):
		default:
			t.Errorf("unexpected line %q after STOPPING=1", l)
		}
	}
	assert.GreaterOrEqual(t, draining, 1, "the drain reported its progress:\n%s", all)
	assert.Equal(t, draining+1, extends, "every progress report extends the stop timeout:\n%s", all)
	for _, l := range lines[:stopping] {
		assert.NotContains(t, l, "EXTEND_TIMEOUT_USEC", "no extension before the stop")
	}
	assert.Equal(t, c.Count("draining "), draining, "one STATUS per draining line")
}
