package ctrlc

import (
	"context"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeExit replaces the process exit of the forced exit for the test's
// length and returns the channel on which the events it was called with
// arrive.
func fakeExit(t *testing.T) <-chan Event {
	t.Helper()
	if stderr == os.Stderr {
		captureStderr(t) // the reports of the fake exits are no news
	}
	exits := make(chan Event, 16)
	exitProcess = func(e Event) { exits <- e }
	resetExiting()
	t.Cleanup(func() {
		lastWords.Wait()
		exitProcess = Exit
		resetExiting()
	})
	return exits
}

func resetExiting() {
	exiting.mu.Lock()
	exiting.started, exiting.lastWord = false, false
	exiting.mu.Unlock()
}

func waitExit(t *testing.T, exits <-chan Event) Event {
	t.Helper()
	select {
	case e := <-exits:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no exit within 10 s")
		return Event{}
	}
}

func noExit(t *testing.T, exits <-chan Event, d time.Duration) {
	t.Helper()
	select {
	case e := <-exits:
		t.Fatalf("exit with %v", e)
	case <-time.After(d):
	}
}

func TestForceExitOnSecondEvent(t *testing.T) {
	exits := fakeExit(t)
	l, err := Notify(WithRepeatWindow(0))
	require.NoError(t, err)
	defer l.Stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	noExit(t, exits, 20*time.Millisecond)
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	e := waitExit(t, exits)
	assert.Equal(t, Interrupt, e.Kind)
	assert.Equal(t, 2, e.Seq)
}

func TestRepeatDoesNotCountTowardForceExit(t *testing.T) {
	exits := fakeExit(t)
	l, err := Notify(WithRepeatWindow(time.Hour))
	require.NoError(t, err)
	defer l.Stop()
	for i := 0; i < 5; i++ {
		require.NoError(t, Trigger(Event{Kind: Interrupt}))
	}
	noExit(t, exits, 20*time.Millisecond)
	require.NoError(t, Trigger(Event{Kind: Terminate}))
	assert.Equal(t, Terminate, waitExit(t, exits).Kind)
}

func TestLastWordRunsBeforeExit(t *testing.T) {
	exits := fakeExit(t)
	var saidAt atomic.Int64
	var got atomic.Value
	l, err := Notify(WithRepeatWindow(0), WithLastWord(time.Second, func(ctx context.Context, e Event) {
		got.Store(e)
		_, ok := ctx.Deadline()
		assert.True(t, ok, "the context has the timeout as its deadline")
		time.Sleep(50 * time.Millisecond)
		saidAt.Store(time.Now().UnixNano())
	}))
	require.NoError(t, err)
	defer l.Stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	require.NoError(t, Trigger(Event{Kind: Terminate}))
	e := waitExit(t, exits)
	exitAt := time.Now().UnixNano()
	require.NotZero(t, saidAt.Load(), "the last word ran before the exit")
	assert.LessOrEqual(t, saidAt.Load(), exitAt)
	assert.Equal(t, Terminate, e.Kind)
	assert.Equal(t, Event{Kind: Terminate, Native: nativeOf(Terminate), Seq: 2, Time: e.Time}, got.Load())
}

func TestLastWordPanicStillExits(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	l, err := Notify(WithForceExit(1), WithLastWord(0, func(context.Context, Event) { panic("disk full") }))
	require.NoError(t, err)
	defer l.Stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	assert.Equal(t, Interrupt, waitExit(t, exits).Kind)
	assert.Contains(t, out.String(), "is event 1 during shutdown: exiting with code 130")
	assert.Contains(t, out.String(), "ctrlc: the last word panicked: disk full")
}

func TestLastWordGoexitStillExits(t *testing.T) {
	exits := fakeExit(t)
	l, err := Notify(WithForceExit(1), WithLastWord(0, func(context.Context, Event) { runtime.Goexit() }))
	require.NoError(t, err)
	defer l.Stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	assert.Equal(t, Interrupt, waitExit(t, exits).Kind)
}

func TestLastWordTimeoutStillExits(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	const timeout = 100 * time.Millisecond
	release := make(chan struct{})
	defer close(release)
	l, err := Notify(WithForceExit(1), WithLastWord(timeout, func(ctx context.Context, e Event) {
		<-release // ignores ctx: the timeout alone must end the wait
	}))
	require.NoError(t, err)
	defer l.Stop()
	start := time.Now()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	waitExit(t, exits)
	assert.GreaterOrEqual(t, time.Since(start), timeout)
	assert.Contains(t, out.String(), "ctrlc: the last word did not return within 100ms: exiting anyway")
}

// One more forcing event during the last word ends the process at once.
func TestThirdEventDuringLastWordExitsAtOnce(t *testing.T) {
	exits := fakeExit(t)
	started, release := make(chan struct{}), make(chan struct{})
	l, err := Notify(WithRepeatWindow(0), WithLastWord(time.Hour, func(ctx context.Context, e Event) {
		close(started)
		<-release
	}))
	require.NoError(t, err)
	defer l.Stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	<-started
	noExit(t, exits, 20*time.Millisecond)
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	assert.Equal(t, 3, waitExit(t, exits).Seq)
	// A real exit would have ended the last word; here it goes on, and
	// its own exit comes once it returns.
	close(release)
	assert.Equal(t, 2, waitExit(t, exits).Seq)
}

// Two listeners forced by the same event both say their last word: the
// second is not taken for a third event.
func TestOneEventForcingTwoListenersRunsBothLastWords(t *testing.T) {
	exits := fakeExit(t)
	var said atomic.Int32
	word := WithLastWord(time.Second, func(context.Context, Event) {
		time.Sleep(20 * time.Millisecond)
		said.Add(1)
	})
	a, err := Notify(WithForceExit(1), word)
	require.NoError(t, err)
	defer a.Stop()
	b, err := Notify(WithForceExit(1), word)
	require.NoError(t, err)
	defer b.Stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	waitExit(t, exits)
	assert.Equal(t, int32(2), said.Load())
	noExit(t, exits, 20*time.Millisecond)
}

// The last word runs with no lock of the package held: it may use the
// whole API, the forcing listener included.
func TestLastWordMayUseTheAPI(t *testing.T) {
	exits := fakeExit(t)
	var l *Listener
	ready := make(chan struct{})
	var err error
	l, err = Notify(WithForceExit(1), WithLastWord(time.Second, func(context.Context, Event) {
		<-ready
		l.Stop()
		other, err := Notify(WithoutForceExit())
		if assert.NoError(t, err) {
			assert.NoError(t, Trigger(Event{Kind: Terminate}))
			assert.Equal(t, Terminate, recv(t, other).Kind)
			other.Stop()
		}
		_ = l.Done()
	}))
	require.NoError(t, err)
	close(ready)
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	waitExit(t, exits)
}
