package service

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Run runs program, under the Windows service control manager when the
// process is a Windows service, and returns program's exit code.
//
// On Windows, a non-empty name forces service mode (svc.IsWindowsService
// cannot tell under Wine); an empty name lets Run detect it. In service mode
// Run connects to the service control manager, reports StartPending, and runs
// program on a goroutine of its own; stop requests reach program's ctrlc
// listeners (see the package doc); when program returns, Run reports Stopped
// with program's exit code and returns it. When the process was not started
// by the service control manager, Run returns an error naming the service and
// program does not run. The service stays StartPending, accepting no stop
// request, until program calls Ready. Outside service mode, and on every
// other platform, Run just calls program and returns its code with a nil
// error; name is not used there.
//
// A panic in program reaches Run's caller, as a direct call would, once the
// service reported Stopped (exit code 2); so does runtime.Goexit. Only one
// Run may be in service mode at a time. A nil program is an error.
func Run(name string, program func() int) (code int, err error) {
	if program == nil {
		return 0, fmt.Errorf("service: Run(%q, nil): nil program", name)
	}
	return run(name, program)
}

// Ready tells the service manager that the program is ready: READY=1 under
// systemd; the service moves from StartPending to Running, and accepts Stop,
// Shutdown and PreShutdown, under the Windows service control manager. Call
// it once the program listens for its stop events, not before: until then a
// stop request could find nobody to deliver it to. Calling it again, or
// after the program began to stop, changes nothing on Windows.
//
// Like every notification, Ready does nothing and returns nil when there is
// no service manager to tell. Its error names $NOTIFY_SOCKET when that is
// not a socket address or the socket does not take the message within 2
// seconds, or says which status the Windows service control manager did not
// take within 2 seconds; the program can go on either way.
func Ready() error { return send(notice{ready: true}) }

// Stopping tells the service manager that the program began to stop:
// STOPPING=1 under systemd; StopPending (no longer accepting stop requests)
// with a wait hint of 10 seconds under the Windows service control manager.
// Call it when the program takes up a stop event, whatever sent it. For a
// stop that came from the service control manager, Run has already reported
// StopPending, and Stopping advances its CheckPoint.
func Stopping() error { return send(notice{stopping: true}) }

// Status describes the program's state for people in one line: STATUS= under
// systemd, which `systemctl status` shows. The Windows service control
// manager has no place for text: there Status does nothing. Line breaks and
// NUL bytes in msg become spaces, invalid UTF-8 becomes U+FFFD, and a msg
// longer than 1024 bytes is cut short and ends in "…", so that systemd
// takes the line.
func Status(msg string) error { return send(notice{status: statusLine(msg)}) }

// Progress says that a start or a stop is still making progress and that the
// next Progress (or the end) will come within more: under systemd, STATUS=msg
// and EXTEND_TIMEOUT_USEC=more, which keeps TimeoutStartSec or TimeoutStopSec
// from ending a long drain that keeps reporting; under the Windows service
// control manager, during StartPending or StopPending, the next CheckPoint
// with a WaitHint of more (the msg is not shown). While the program runs
// normally, Windows ignores it. A more that is not positive is an error
// naming it, and nothing is sent.
func Progress(msg string, more time.Duration) error {
	if more <= 0 {
		return fmt.Errorf("service: Progress: more = %v: must be positive", more)
	}
	return send(notice{status: statusLine(msg), more: more})
}

// notice is one message to the service manager; each platform sends it its
// own way.
type notice struct {
	ready    bool
	stopping bool
	status   string        // "" : none
	more     time.Duration // > 0: progress, the next report comes within more
}

// maxStatus bounds a status line in bytes: systemd ignores a whole
// notification that does not fit its buffer of 4 KiB.
const maxStatus = 1024

// statusLine makes msg one line that systemd accepts: no line break (it
// would start a new variable), no NUL, valid UTF-8, at most maxStatus bytes
// (longer ones end in "…").
func statusLine(msg string) string {
	msg = strings.ToValidUTF8(msg, "\uFFFD")
	if strings.ContainsAny(msg, "\r\n\x00") {
		msg = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\x00", " ").Replace(msg)
	}
	if len(msg) > maxStatus {
		cut := maxStatus - len("…")
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
