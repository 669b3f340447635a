package ctrlc

import "time"

// Event is one delivery of a stop request.
type Event struct {
	Kind   Kind
	Native int       // the signal number, or the CTRL_*_EVENT code on Windows; 0 when the platform has none
	Seq    int       // 1 for the first event a listener saw, 2 for the second, ...; repeats coalesced by WithRepeatWindow are not counted
	Time   time.Time // when the event was received

	// Deadline is when the operating system or the supervisor will end the
	// process, or zero when that is not known. On Windows a close, logoff or
	// shutdown event carries Time plus the close grace (WithCloseGrace),
	// after which the process is ended; a listener made with
	// WithGracePeriod(d) sees Time plus d, or the earlier of the two when
	// both apply.
	Deadline time.Time
}

// String describes the event as "interrupt (SIGINT)", "close
// (CTRL_CLOSE_EVENT)", or just the kind where the platform has no native code.
func (e Event) String() string {
	if name := nativeName(e.Kind, e.Native); name != "" {
		return e.Kind.String() + " (" + name + ")"
	}
	return e.Kind.String()
}

// Error makes an Event usable as an error, so that the cause of a context
// from NotifyContext is the event itself: errors.As(context.Cause(ctx), &ev).
func (e Event) Error() string { return e.String() }

// ExitCode returns the exit status a shell reports for a process killed by
// the event: 128 plus the Unix signal number (130 for an interrupt, 143 for
// terminate), on every platform. Windows events use the signal Go's runtime
// maps them to. An event of an unknown kind gives 1.
func (e Event) ExitCode() int {
	if !e.Kind.valid() {
		return 1
	}
	return 128 + unixNumbers[e.Kind]
}
