package ctrlc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind is the portable name of an event that asks a program to stop.
type Kind uint8

// The kinds of events. Each maps to one native signal or console event; a
// kind with no native counterpart on a platform never arrives there except
// through Trigger.
const (
	Interrupt Kind = iota + 1 // SIGINT; CTRL_C_EVENT; Node's SIGINT
	Terminate                 // SIGTERM; Node's SIGTERM
	Hangup                    // SIGHUP: the terminal went away
	Quit                      // SIGQUIT, only when asked for with WithKinds
	Break                     // CTRL_BREAK_EVENT (Windows)
	Close                     // CTRL_CLOSE_EVENT (Windows); "pagehide" in a browser
	Logoff                    // CTRL_LOGOFF_EVENT (Windows services), a window's WM_ENDSESSION at logoff
	Shutdown                  // CTRL_SHUTDOWN_EVENT (Windows services), a window's WM_ENDSESSION at shutdown
	maxKind   = Shutdown
)

var kindNames = [...]string{
	Interrupt: "interrupt",
	Terminate: "terminate",
	Hangup:    "hangup",
	Quit:      "quit",
	Break:     "break",
	Close:     "close",
	Logoff:    "logoff",
	Shutdown:  "shutdown",
}

// nativeNames are the names people type for a kind, whatever the platform
// the program runs on, so that one configuration file serves every platform.
// ParseKind compares them without regard to case.
var nativeNames = map[string]Kind{
	"SIGINT":              Interrupt,
	"INT":                 Interrupt,
	"SIGTERM":             Terminate,
	"TERM":                Terminate,
	"SIGHUP":              Hangup,
	"HUP":                 Hangup,
	"SIGQUIT":             Quit,
	"CTRL_C_EVENT":        Interrupt,
	"CTRL_C":              Interrupt,
	"CTRL_BREAK_EVENT":    Break,
	"CTRL_BREAK":          Break,
	"CTRL_CLOSE_EVENT":    Close,
	"CTRL_CLOSE":          Close,
	"CTRL_LOGOFF_EVENT":   Logoff,
	"CTRL_LOGOFF":         Logoff,
	"CTRL_SHUTDOWN_EVENT": Shutdown,
	"CTRL_SHUTDOWN":       Shutdown,
	"PAGEHIDE":            Close,
}

// String returns the kind's lower-case name, such as "interrupt".
func (k Kind) String() string {
	if !k.valid() {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

func (k Kind) valid() bool { return k >= Interrupt && k <= maxKind }

// ParseKind returns the kind named name, ignoring ASCII case. It accepts the names
// Kind.String gives ("interrupt", "terminate", ...) and the native names of
// every platform, wherever the program runs: the Unix signals with or without
// their SIG prefix ("SIGINT", "INT", "sigterm", "HUP", "SIGQUIT"), the Windows
// console events with or without their _EVENT suffix ("CTRL_C_EVENT",
// "CTRL_BREAK", "CTRL_CLOSE_EVENT", "CTRL_LOGOFF_EVENT",
// "CTRL_SHUTDOWN_EVENT") and the browser's "pagehide" (Close). Any other name,
// including one with surrounding spaces, is an error wrapping ErrUnknownKind
// that quotes it.
func ParseKind(name string) (Kind, error) {
	if len(name) <= len("CTRL_SHUTDOWN_EVENT") && isASCII(name) {
		upper := strings.ToUpper(name) // ASCII only: no "ſigint" for "sigint"
		for k := Interrupt; k <= maxKind; k++ {
			if upper == strings.ToUpper(kindNames[k]) {
				return k, nil
			}
		}
		if k, ok := nativeNames[upper]; ok {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%w: %s (want one of %s, or a native name such as SIGINT, TERM, CTRL_C_EVENT)",
		ErrUnknownKind, quoteShort(name), strings.Join(kindNames[Interrupt:], ", "))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
	}
	return strconv.Quote(s)
}

// ErrUnknownKind is returned for a Kind outside Interrupt…Shutdown and for a
// name ParseKind does not know.
var ErrUnknownKind = errors.New("ctrlc: unknown kind")

// kindSet is a set of kinds, one bit per kind.
type kindSet uint16

func (s kindSet) has(k Kind) bool { return s&(1<<k) != 0 }

func setOf(kinds ...Kind) kindSet {
	var s kindSet
	for _, k := range kinds {
		s |= 1 << k
	}
	return s
}
