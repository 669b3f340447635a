//go:build linux

package service

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// The systemd notification protocol (sd_notify(3)): each notice is one
// datagram of newline-separated VAR=value lines, sent to the unixgram socket
// named by $NOTIFY_SOCKET, a path or, after '@', an abstract socket name.
// The variable is read at every send, as sd_notify does, so that a program
// started without it does nothing and tests can set it.

// notifyEnv names the socket systemd listens on.
const notifyEnv = "NOTIFY_SOCKET"

// sendTimeout bounds a send to a socket whose reader stalls: a datagram to a
// full queue would otherwise block the program.
const sendTimeout = 2 * time.Second

func run(_ string, program func() int) (int, error) { return program(), nil }

func send(n notice) error {
	var b strings.Builder
	if n.ready {
		b.WriteString("READY=1\n")
	}
	if n.stopping {
		b.WriteString("STOPPING=1\n")
	}
	if n.status != "" {
		b.WriteString("STATUS=" + n.status + "\n")
	}
	if n.more > 0 {
		// Rounded up: systemd ignores EXTEND_TIMEOUT_USEC=0.
		usec := (n.more + time.Microsecond - 1) / time.Microsecond
		b.WriteString("EXTEND_TIMEOUT_USEC=" + strconv.FormatInt(int64(usec), 10) + "\n")
	}
	return notify(b.String())
}

// notify sends state to $NOTIFY_SOCKET; nothing when the variable is unset
// or empty, or state is.
func notify(state string) error {
	addr := os.Getenv(notifyEnv)
	if addr == "" || state == "" {
		return nil
	}
	if addr[0] != '/' && addr[0] != '@' {
		return fmt.Errorf("service: %s=%q: want an absolute path or an abstract socket name starting with '@'", notifyEnv, addr)
	}
	// The net package turns a leading '@' into the NUL of an abstract name.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("service: %s=%q: %w", notifyEnv, addr, err)
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(sendTimeout)); err != nil {
		return fmt.Errorf("service: %s=%q: %w", notifyEnv, addr, err)
	}
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("service: %s=%q: %w", notifyEnv, addr, err)
	}
	return nil
}
