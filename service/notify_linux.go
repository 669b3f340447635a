//go:build linux

package service

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
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
	addr := os.Getenv(notifyEnv)
	if addr == "" {
		return nil // not under systemd: nothing to build either
	}
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
	return notify(addr, b.String())
}

// notify sends state to the socket at addr, the value of $NOTIFY_SOCKET;
// nothing when state is empty.
func notify(addr, state string) error {
	if state == "" {
		return nil
	}
	if addr[0] != '/' && addr[0] != '@' {
		return fmt.Errorf("service: %s=%q: want an absolute path or an abstract socket name starting with '@'", notifyEnv, addr)
	}
	// A socket of x/sys/unix, not of package net: net links the C resolver
	// (cgo) into every program that imports this package, and a dynamically
	// linked program starts and ends measurably slower. SockaddrUnix turns a
	// leading '@' into the NUL of an abstract name.
	if err := sendDatagram(addr, state); err != nil {
		return fmt.Errorf("service: %s=%q: %w", notifyEnv, addr, err)
	}
	return nil
}

// sendDatagram sends b to the unixgram socket at addr, waiting at most
// sendTimeout for room in its queue; a timeout is an error whose Timeout
// method reports true.
func sendDatagram(addr, b string) error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(sendTimeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	for {
		// A send with a timeout is not restarted after a signal handler.
		err = unix.Sendto(fd, []byte(b), 0, &unix.SockaddrUnix{Name: addr})
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return os.NewSyscallError("sendto", err)
	}
	return nil
}
