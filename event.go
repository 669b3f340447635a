package ctrlc

import (
	"context"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/exitcode"
)

// Event is one delivery of a stop request. It is an error, so that it can be
// the cause of a context (NotifyContext) and of a pool's errors.
type Event struct {
	Kind   Kind
	Native int       // the signal number; on Windows the CTRL_*_EVENT code, or the window message (WM_CLOSE, WM_QUERYENDSESSION, ...); 0 when the platform has none
	Seq    int       // 1 for the first event a listener saw, 2 for the second, ...; repeats taken for duplicates are not counted
	Time   time.Time // when the event was received

	// Deadline is when the operating system or the supervisor will end the
	// process, or zero when that is not known: on Windows a close, logoff or
	// shutdown event carries the end of its hold, and a listener made with
	// WithGracePeriod(d) gives every event Time plus d (the earlier of the
	// two when both apply).
	Deadline time.Time
}

// Error describes the event as "interrupt (SIGINT)", "close
// (CTRL_CLOSE_EVENT)", or just the kind where the platform has no native
// code; fmt prints an Event so.
func (e Event) Error() string {
	if e.Kind.valid() && e.Native == nativeOf(e.Kind) {
		return eventTexts[e.Kind]
	}
	return eventText(e.Kind, e.Native)
}

// eventTexts holds Error's text for each kind with its own native code,
// made once: the text a program prints at the stop costs no allocation.
var eventTexts = func() (texts [maxKind + 1]string) {
	for k := Interrupt; k <= maxKind; k++ {
		texts[k] = eventText(k, nativeOf(k))
	}
	return texts
}()

func eventText(k Kind, native int) string {
	if name := nativeName(k, native); name != "" {
		return k.String() + " (" + name + ")"
	}
	return k.String()
}

// Is reports whether target is context.Canceled, so that the cause of a
// context that an event cancelled matches it, as os/signal's does.
func (e Event) Is(target error) bool { return target == context.Canceled }

// exitCode is the exit status a shell reports for a process killed by e:
// 128 plus the Unix signal number (130 for an interrupt, 143 for terminate),
// on every platform; Windows events use the signal Go's runtime maps them
// to. An event of an unknown kind gives 1.
func exitCode(e Event) int { return exitcode.Of(uint8(e.Kind)) }
