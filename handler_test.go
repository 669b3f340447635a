package ctrlc

import (
	"errors"
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

// As in Rust, a program has one handler for its life: a second SetHandler
// is ErrMultipleHandlers and leaves the first handler running, alone.
func TestSetHandlerTwiceIsAnError(t *testing.T) {
	defer resetHandler()
	first := make(chan Event, 4)
	require.NoError(t, SetHandler(func(e Event) { first <- e }))
	second := make(chan Event, 4)
	err := SetHandler(func(e Event) { second <- e })
	require.ErrorIs(t, err, ErrMultipleHandlers)
	assert.EqualError(t, err, "ctrlc: a handler is already set")
	hub.mu.Lock()
	n := len(hub.listeners)
	hub.mu.Unlock()
	assert.Equal(t, 1, n, "the refused handler has no listener")

	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	select {
	case e := <-first:
		assert.Equal(t, 1, e.Seq)
	case <-time.After(10 * time.Second):
		t.Fatal("the first handler did not run")
	}
	select {
	case e := <-second:
		t.Fatalf("the refused handler ran for %v", e)
	case <-time.After(20 * time.Millisecond):
	}
}

// A nil handler is an error, with a handler set or not, and is not taken
// for a second handler.
func TestSetHandlerNil(t *testing.T) {
	defer resetHandler()
	err := SetHandler(nil)
	require.EqualError(t, err, "ctrlc: SetHandler: nil handler")
	assert.NotErrorIs(t, err, ErrMultipleHandlers)
	assert.Empty(t, hub.listeners)
	require.NoError(t, SetHandler(func(Event) {}), "the nil handler did not count")
	assert.EqualError(t, SetHandler(nil), "ctrlc: SetHandler: nil handler")
}

// The handler's events never end the process: the handler decides.
func TestSetHandlerNeverExits(t *testing.T) {
	defer resetHandler()
	exits := fakeExit(t)
	ran := make(chan struct{}, 8)
	require.NoError(t, SetHandler(func(Event) { ran <- struct{}{} }))
	for i := 0; i < 5; i++ {
		require.NoError(t, Trigger(Event{Kind: Interrupt}))
		<-ran
	}
	noExit(t, exits, 20*time.Millisecond)
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

// SetHandler from many goroutines at once, and from inside the handler:
// exactly one call succeeds, the others return ErrMultipleHandlers, and
// there is one listener.
func TestSetHandlerStorm(t *testing.T) {
	defer resetHandler()
	var ok, refused, running atomic.Int32
	var inside atomic.Bool // the handler calls SetHandler too
	inside.Store(true)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				err := SetHandler(func(Event) {
					running.Add(1)
					defer running.Add(-1)
					if !inside.Load() {
						return
					}
					if err := SetHandler(func(Event) {}); !errors.Is(err, ErrMultipleHandlers) {
						t.Errorf("SetHandler inside the handler: %v", err)
					}
				})
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrMultipleHandlers):
					refused.Add(1)
				default:
					t.Errorf("SetHandler: %v", err)
				}
				_ = Trigger(Event{Kind: Interrupt})
			}
		}()
	}
	wg.Wait()
	// resetHandler, at the end, lets a SetHandler succeed again: no run of
	// the handler may still be inside one then.
	inside.Store(false)
	require.Eventually(t, func() bool { return running.Load() == 0 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(8*50-1), refused.Load())
	hub.mu.Lock()
	n := len(hub.listeners)
	hub.mu.Unlock()
	assert.Equal(t, 1, n, "one handler, one listener")
}
