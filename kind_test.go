package ctrlc

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKindString(t *testing.T) {
	want := []string{"interrupt", "terminate", "hangup", "quit", "break", "close", "logoff", "shutdown"}
	for i, name := range want {
		assert.Equal(t, name, Kind(i+1).String())
	}
	assert.Equal(t, "Kind(0)", Kind(0).String())
	assert.Equal(t, "Kind(42)", Kind(42).String())
}

func TestParseKind(t *testing.T) {
	for k := Interrupt; k <= maxKind; k++ {
		got, err := ParseKind(strings.ToUpper(k.String()))
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
	for name, want := range map[string]Kind{
		"SIGINT": Interrupt, "INT": Interrupt, "sigint": Interrupt, "int": Interrupt,
		"SIGTERM": Terminate, "sigterm": Terminate, "TERM": Terminate,
		"SIGHUP": Hangup, "hup": Hangup, "SIGQUIT": Quit, "QUIT": Quit,
		"CTRL_C_EVENT": Interrupt, "ctrl_c_event": Interrupt, "CTRL_C": Interrupt,
		"CTRL_BREAK_EVENT": Break, "CTRL_CLOSE_EVENT": Close, "CTRL_CLOSE": Close,
		"CTRL_LOGOFF_EVENT": Logoff, "CTRL_SHUTDOWN_EVENT": Shutdown, "pagehide": Close,
	} {
		got, err := ParseKind(name)
		if assert.NoError(t, err, name) {
			assert.Equal(t, want, got, name)
		}
	}
	for _, bad := range []string{"", "sig", "SIGKILL", "KILL", " SIGINT", "SIGINT ", "SIG_INT", "CTRL_C_EVENT_", "2", "interrupt\x00", "SIGSIGINT"} {
		_, err := ParseKind(bad)
		assert.ErrorIs(t, err, ErrUnknownKind, "%q", bad)
	}
	_, err := ParseKind("sigkill")
	assert.ErrorContains(t, err, `"sigkill" (want one of interrupt, terminate, hangup, quit, break, close, logoff, shutdown, or a native name such as SIGINT, TERM, CTRL_C_EVENT)`)
	_, err = ParseKind(strings.Repeat("x", 1<<20))
	assert.ErrorIs(t, err, ErrUnknownKind)
	assert.Less(t, len(err.Error()), 300, "a huge name is cut in the error")
	assert.Contains(t, err.Error(), "(1048576 bytes)")
}

// ASCII case only: the Unicode letters whose upper case is an ASCII one
// (ſ is S, ı is I, the Kelvin sign K) do not make a kind's name.
func TestParseKindFoldsASCIICaseOnly(t *testing.T) {
	for _, bad := range []string{"ſigint", "ınt", "ınterrupt", "ſIGTERM", "termınate", "quıt", "pagehıde", "ctrl_c_event\u0130", "SİGINT", "brea\u212A", "hangup\u00a0"} {
		_, err := ParseKind(bad)
		assert.ErrorIs(t, err, ErrUnknownKind, "%q", bad)
	}
	for name, want := range map[string]Kind{"InTeRrUpT": Interrupt, "sIgTeRm": Terminate, "Ctrl_Break": Break, "PageHide": Close} {
		got, err := ParseKind(name)
		if assert.NoError(t, err, name) {
			assert.Equal(t, want, got, name)
		}
	}
}

func TestDefaultKinds(t *testing.T) {
	assert.Subset(t, defaultKinds, []Kind{Interrupt, Terminate, Hangup}, "one list of kinds serves every platform: Hangup everywhere, by Trigger where there is no SIGHUP")
	assert.NotContains(t, defaultKinds, Quit, "SIGQUIT only on request")
	switch runtime.GOOS {
	case "windows":
		assert.Equal(t, []Kind{Interrupt, Terminate, Hangup, Break, Close, Logoff, Shutdown}, defaultKinds)
	case "js":
		assert.Equal(t, []Kind{Interrupt, Terminate, Hangup, Close}, defaultKinds)
	case "wasip1", "plan9":
		assert.Equal(t, []Kind{Interrupt, Terminate, Hangup}, defaultKinds)
	default: // Unix
		assert.Equal(t, []Kind{Interrupt, Terminate, Hangup}, defaultKinds, "SIGHUP is a stop by default")
	}
	cfg, err := newConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, setOf(defaultKinds...), cfg.kinds)
}

func TestExitCode(t *testing.T) {
	for k, code := range map[Kind]int{Interrupt: 130, Terminate: 143, Hangup: 129, Quit: 131, Break: 130, Close: 143, Logoff: 143, Shutdown: 143, 0: 1, 99: 1} {
		assert.Equal(t, code, exitCode(Event{Kind: k}), k.String())
	}
}

// An Event is an error that fmt prints as its description, and that
// matches context.Canceled only.
func TestEventIsAnError(t *testing.T) {
	var err error = Event{Kind: Close}
	var e Event
	require.True(t, errors.As(err, &e))
	assert.Equal(t, Close, e.Kind)
	assert.Equal(t, e.Error(), fmt.Sprint(e))
	assert.Equal(t, e.Error(), fmt.Sprintf("%v", e))
	assert.Equal(t, "quit", Event{Kind: Quit}.Error(), "no native code (Windows has no console event for it): the kind alone")
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, fmt.Errorf("wrapped: %w", err), context.Canceled)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrUnknownKind)
}

// The text of an event with its kind's own native code is made once: a
// program that prints it at the stop allocates nothing for it. Other codes
// are described as they come.
func TestEventTextOfItsOwnNativeCode(t *testing.T) {
	for k := Interrupt; k <= maxKind; k++ {
		e := Event{Kind: k, Native: nativeOf(k)}
		assert.Equal(t, eventText(k, e.Native), e.Error())
		assert.Zero(t, testing.AllocsPerRun(10, func() { _ = e.Error() }), "%v", e)
	}
	assert.Equal(t, eventText(Terminate, 99), Event{Kind: Terminate, Native: 99}.Error())
	assert.Equal(t, "Kind(200)", Event{Kind: 200}.Error())
}
