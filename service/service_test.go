package service

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Outside a service (the test binary is none), Run is a call of program.

func TestRunCallsProgram(t *testing.T) {
	for _, want := range []int{0, 1, 3, -1, 255} {
		calls := 0
		code, err := Run("", func() int { calls++; return want })
		require.NoError(t, err)
		assert.Equal(t, want, code)
		assert.Equal(t, 1, calls, "program runs once")
	}
}

func TestRunNilProgram(t *testing.T) {
	code, err := Run("bot", nil)
	require.ErrorContains(t, err, `service: Run("bot", nil): nil program`)
	assert.Zero(t, code)
}

func TestRunPanicReachesCaller(t *testing.T) {
	assert.PanicsWithValue(t, "boom", func() { _, _ = Run("", func() int { panic("boom") }) })
}

func TestRunGoexitReachesCaller(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	returned := false
	go func() {
		defer wg.Done()
		_, _ = Run("", func() int { runtime.Goexit(); return 0 })
		returned = true
	}()
	wg.Wait()
	assert.False(t, returned, "Goexit in program ends the goroutine that called Run")
}

func TestProgressWantsPositiveMore(t *testing.T) {
	for _, more := range []time.Duration{0, -time.Second, -1} {
		err := Progress("draining", more)
		require.Error(t, err)
		assert.Equal(t, "service: Progress: more = "+more.String()+": must be positive", err.Error(), "the error names the bad value")
	}
}

func TestStatusLine(t *testing.T) {
	assert.Equal(t, "a b c d e", statusLine("a\nb\r\nc\rd\x00e"))
	assert.Equal(t, "plain", statusLine("plain"))
	assert.Equal(t, "", statusLine(""))
	assert.Equal(t, "bad \uFFFD byte", statusLine("bad \xff byte"))

	long := statusLine(strings.Repeat("x", 10<<20))
	assert.Len(t, long, maxStatus)
	assert.True(t, strings.HasSuffix(long, "…"))
	// A cut never splits a rune: 'é' is 2 bytes, and 1021 is odd.
	cut := statusLine(strings.Repeat("é", 1000))
	assert.True(t, utf8.ValidString(cut), "valid UTF-8 after the cut")
	assert.LessOrEqual(t, len(cut), maxStatus)
	assert.Equal(t, strings.Repeat("é", 510)+"…", cut)
}
