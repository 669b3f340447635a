package ctrlc

import (
	"errors"
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

func TestDefaultKinds(t *testing.T) {
	kinds := DefaultKinds()
	assert.Subset(t, kinds, []Kind{Interrupt, Terminate})
	assert.NotContains(t, kinds, Hangup, "SIGHUP only on request")
	assert.NotContains(t, kinds, Quit, "SIGQUIT only on request")
	kinds[0] = Quit
	assert.Equal(t, Interrupt, DefaultKinds()[0], "a copy")
}

func TestExitCode(t *testing.T) {
	for k, code := range map[Kind]int{Interrupt: 130, Terminate: 143, Hangup: 129, Quit: 131, Break: 130, Close: 143, Logoff: 143, Shutdown: 143, 0: 1} {
		assert.Equal(t, code, Event{Kind: k}.ExitCode(), k.String())
	}
}

func TestEventIsAnError(t *testing.T) {
	var err error = Event{Kind: Close}
	var e Event
	require.True(t, errors.As(err, &e))
	assert.Equal(t, Close, e.Kind)
	assert.Equal(t, e.String(), err.Error())
}
