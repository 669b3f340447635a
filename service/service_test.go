package service

import (
	"runtime"
	"sync"
	"testing"
	"time"

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
		assert.Contains(t, err.Error(), more.String(), "the error names the bad value")
		assert.Contains(t, err.Error(), `"draining"`)
	}
}

func TestOneLine(t *testing.T) {
	assert.Equal(t, "a b c d", oneLine("a\nb\r\nc\rd"))
	assert.Equal(t, "plain", oneLine("plain"))
	assert.Equal(t, "", oneLine(""))
}
