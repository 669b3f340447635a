package ctrlc

import (
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A slow handler still runs once for each event, in order: events wait in
// a queue instead of coalescing in a channel.
func TestSetHandlerSlowHandlerSeesEveryEvent(t *testing.T) {
	defer resetHandler()
	const n = 10
	var mu sync.Mutex
	var seqs []int
	ran := make(chan struct{}, n)
	require.NoError(t, SetHandler(func(e Event) {
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		seqs = append(seqs, e.Seq)
		mu.Unlock()
		ran <- struct{}{}
	}))
	for i := 0; i < n; i++ {
		require.NoError(t, Trigger(Event{Kind: Interrupt}))
	}
	for i := 0; i < n; i++ {
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			mu.Lock()
			t.Fatalf("%d events, the handler ran %d times: %v", n, len(seqs), seqs)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, seqs)
}

// Once SetHandler(new) returned, the old handler does not start again, not
// even for events its listener had queued.
func TestSetHandlerOldHandlerNeverRunsAfterReplacement(t *testing.T) {
	defer resetHandler()
	for round := 0; round < 50; round++ {
		var entered atomic.Int32
		gate := make(chan struct{})
		require.NoError(t, SetHandler(func(Event) {
			entered.Add(1)
			<-gate
		}))
		for i := 0; i < 3; i++ { // one runs and waits at the gate, the others queue
			require.NoError(t, Trigger(Event{Kind: Interrupt}))
		}
		require.Eventually(t, func() bool { return entered.Load() == 1 }, 10*time.Second, time.Millisecond)
		require.NoError(t, SetHandler(func(Event) {}))
		close(gate) // the run under way finishes; the queued events must not start the old handler
		time.Sleep(2 * time.Millisecond)
		require.Equal(t, int32(1), entered.Load(), "round %d: the old handler ran after SetHandler returned", round)
	}
}

// A panicking handler is recovered and reported, and the next event runs
// it again; so does one that calls runtime.Goexit.
func TestSetHandlerSurvivesPanicAndGoexit(t *testing.T) {
	out := captureStderr(t)
	defer resetHandler()
	seen := make(chan int, 3)
	require.NoError(t, SetHandler(func(e Event) {
		seen <- e.Seq
		switch e.Seq {
		case 1:
			panic("handler bug")
		case 2:
			runtime.Goexit()
		}
	}))
	for want := 1; want <= 3; want++ {
		require.NoError(t, Trigger(Event{Kind: Interrupt}))
		select {
		case got := <-seen:
			assert.Equal(t, want, got)
		case <-time.After(10 * time.Second):
			t.Fatalf("the handler did not run for event %d", want)
		}
	}
	resetHandler()
	assert.Contains(t, out.String(), "ctrlc: the handler panicked on interrupt")
	assert.Contains(t, out.String(), ": handler bug\n")
	assert.Contains(t, out.String(), "ctrlc: the handler called runtime.Goexit on interrupt")
}

// captureStderr collects the package's reports for the test's length.
func captureStderr(t *testing.T) *lockedBuffer {
	b := &lockedBuffer{}
	stderr = b
	t.Cleanup(func() { stderr = os.Stderr })
	return b
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// SetHandler calls from inside the handler, and from many goroutines at
// once, end with exactly one handler and one listener.
func TestSetHandlerStorm(t *testing.T) {
	defer resetHandler()
	var running atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				_ = SetHandler(func(Event) {
					running.Add(1)
					defer running.Add(-1)
					_ = SetHandler(func(Event) {})
				})
				_ = Trigger(Event{Kind: Interrupt})
				_ = TrySetHandler(func(Event) {})
			}
		}()
	}
	wg.Wait()
	// Runs under way may still replace the handler; wait until none is.
	require.Eventually(t, func() bool {
		if running.Load() != 0 {
			return false
		}
		time.Sleep(5 * time.Millisecond)
		return running.Load() == 0
	}, 10*time.Second, time.Millisecond)
	hub.mu.Lock()
	n := len(hub.listeners)
	hub.mu.Unlock()
	assert.Equal(t, 1, n, "one handler, one listener")
}
