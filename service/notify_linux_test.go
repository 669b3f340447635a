//go:build linux

package service

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listen binds a unixgram socket at addr (a path, or '@' and an abstract
// name), points NOTIFY_SOCKET at it, and returns a function that returns the
// next datagram.
func listen(t *testing.T, addr string) (next func() string) {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	t.Setenv(notifyEnv, addr)
	return func() string {
		t.Helper()
		buf := make([]byte, 4096)
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
		n, err := conn.Read(buf)
		require.NoError(t, err)
		return string(buf[:n])
	}
}

func socketPath(t *testing.T) string { return filepath.Join(t.TempDir(), "notify") }

func TestNotifyMessages(t *testing.T) {
	next := listen(t, socketPath(t))
	require.NoError(t, Ready())
	assert.Equal(t, "READY=1\n", next())
	require.NoError(t, Status("running: 3 done\n2 queued"))
	assert.Equal(t, "STATUS=running: 3 done 2 queued\n", next(), "one line: a newline would start a new variable")
	require.NoError(t, Stopping())
	assert.Equal(t, "STOPPING=1\n", next())
	require.NoError(t, Progress("draining: 4 left", 5*time.Second+250*time.Microsecond))
	assert.Equal(t, "STATUS=draining: 4 left\nEXTEND_TIMEOUT_USEC=5000250\n", next())
	require.NoError(t, Progress("", time.Second))
	assert.Equal(t, "EXTEND_TIMEOUT_USEC=1000000\n", next())
	require.NoError(t, Status(strings.Repeat("long ", 1<<20)), "a huge status is cut, not refused")
	assert.Equal(t, "STATUS="+statusLine(strings.Repeat("long ", 1<<20))+"\n", next())
}

func TestNotifyAbstractSocket(t *testing.T) {
	next := listen(t, fmt.Sprintf("@ctrlc-service-test-%d-%d", os.Getpid(), time.Now().UnixNano()))
	require.NoError(t, Ready())
	assert.Equal(t, "READY=1\n", next())
}

// TestNotifyUnset: with no NOTIFY_SOCKET, nothing is sent and nothing fails,
// even with a socket where systemd's would be.
func TestNotifyUnset(t *testing.T) {
	addr := socketPath(t)
	next := listen(t, addr)
	os.Unsetenv(notifyEnv) // t.Setenv in listen restores it at the end
	require.NoError(t, Ready())
	require.NoError(t, Stopping())
	require.NoError(t, Status("unset"))
	require.NoError(t, Progress("unset", time.Second))
	t.Setenv(notifyEnv, "")
	require.NoError(t, Status("empty"))

	// The first datagram the socket got is the first sent with the variable set.
	t.Setenv(notifyEnv, addr)
	require.NoError(t, Status("set"))
	assert.Equal(t, "STATUS=set\n", next())
}

func TestNotifyBadAddress(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir", "notify")
	for _, tc := range []struct{ addr, want string }{
		{"relative/notify", "want an absolute path or an abstract socket name"},
		{"vsock:2:1234", "want an absolute path or an abstract socket name"},
		{missing, "no such file or directory"},
		{"@ctrlc-service-test-nobody-listens", "connection refused"},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			t.Setenv(notifyEnv, tc.addr)
			for name, f := range map[string]func() error{
				"Ready":    Ready,
				"Stopping": Stopping,
				"Status":   func() error { return Status("x") },
				"Progress": func() error { return Progress("x", time.Second) },
			} {
				err := f()
				require.Error(t, err, name)
				assert.Contains(t, err.Error(), fmt.Sprintf("service: NOTIFY_SOCKET=%q", tc.addr), "%s names the address", name)
				assert.Contains(t, err.Error(), tc.want, name)
			}
		})
	}
}

// TestNotifyStalledReader: a reader that never reads fills the socket's
// queue; a notification then fails after the timeout instead of blocking the
// program.
func TestNotifyStalledReader(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the send timeout")
	}
	listen(t, socketPath(t)) // never read
	var err error
	for i := 0; i < 100000 && err == nil; i++ {
		err = Status(strings.Repeat("x", 1000))
	}
	require.Error(t, err, "a full queue ends in an error")
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "a timeout: %v", err)
}

// TestNotifyConcurrent: notifications from many goroutines each arrive
// whole, as one datagram.
func TestNotifyConcurrent(t *testing.T) {
	next := listen(t, socketPath(t))
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- Progress(fmt.Sprintf("item %d", i), time.Duration(i+1)*time.Microsecond)
		}()
	}
	seen := map[string]bool{}
	for range n {
		seen[next()] = true
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, seen, n)
	for i := range n {
		assert.True(t, seen[fmt.Sprintf("STATUS=item %d\nEXTEND_TIMEOUT_USEC=%d\n", i, i+1)], "message %d", i)
	}
}
