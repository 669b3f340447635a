package ctrlc

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests use Trigger, so they run on every platform, wasip1 included;
// the ones with real signals are in the platform test files.

func TestBadOptionsAreNamedErrors(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		want string
		is   error
	}{
		{WithKinds(Interrupt, Kind(99)), "WithKinds(99)", ErrUnknownKind},
		{WithKinds(Kind(0)), "WithKinds(0)", ErrUnknownKind},
		{WithKinds(), "WithKinds: no kinds given", nil},
		{WithForceExit(0), "WithForceExit(0): n must be at least 1", nil},
		{WithForceExit(-2), "WithForceExit(-2)", nil},
		{WithCloseGrace(-time.Second), "WithCloseGrace(-1s): negative duration", nil},
		{WithLogger(nil), "WithLogger: nil logger", nil},
		{WithGracePeriod(0), "WithGracePeriod(0s): the grace period must be positive", nil},
		{WithGracePeriod(-time.Second), "WithGracePeriod(-1s)", nil},
		{WithRepeatWindow(-time.Millisecond), "WithRepeatWindow(-1ms): negative duration", nil},
		{WithLastWord(time.Second, nil), "WithLastWord: nil function", nil},
		{WithLastWord(-time.Second, func(context.Context, Event) {}), "WithLastWord(-1s): negative timeout", nil},
		{nil, "nil Option", nil},
	} {
		l, err := Notify(tc.opt)
		assert.Nil(t, l)
		if assert.Error(t, err) {
			assert.Contains(t, err.Error(), tc.want)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
		}
	}
	assert.ErrorIs(t, Trigger(Event{Kind: 200}), ErrUnknownKind)
}

func TestTriggerReachesEveryListenerOfTheKind(t *testing.T) {
	a, err := Notify(WithoutForceExit())
	require.NoError(t, err)
	defer a.Stop()
	b, err := Notify(WithKinds(Terminate), WithoutForceExit())
	require.NoError(t, err)
	defer b.Stop()
	hup, err := Notify(WithKinds(Hangup), WithoutForceExit())
	require.NoError(t, err)
	defer hup.Stop()

	before := time.Now()
	require.NoError(t, Trigger(Event{Kind: Terminate}))
	for _, l := range []*Listener{a, b} {
		e := recv(t, l)
		assert.Equal(t, Terminate, e.Kind)
		assert.Equal(t, 1, e.Seq)
		assert.Equal(t, nativeOf(Terminate), e.Native)
		assert.False(t, e.Time.Before(before))
		assertClosed(t, l.Done())
	}
	assertEmpty(t, hup)
	select {
	case <-hup.Done():
		t.Fatal("Done closed for a listener that got no event")
	default:
	}
}

func TestFirstEventKeptAndLaterOnesCoalesce(t *testing.T) {
	l, err := Notify(WithoutForceExit(), WithRepeatWindow(0))
	require.NoError(t, err)
	defer l.Stop()
	for i := 0; i < chanSize+5; i++ {
		require.NoError(t, Trigger(Event{Kind: Interrupt}))
	}
	var seqs []int
	for len(l.C()) > 0 {
		seqs = append(seqs, recv(t, l).Seq)
	}
	assert.Equal(t, []int{1, 2, 3, 4}, seqs, "the first events are kept, the overflow dropped")
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	assert.Equal(t, chanSize+6, recv(t, l).Seq, "Seq counts the dropped ones")
}

func TestStoppedListenerGetsNothing(t *testing.T) {
	l, err := Notify(WithoutForceExit())
	require.NoError(t, err)
	l.Stop()
	l.Stop() // idempotent
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	assertEmpty(t, l)
	assert.Empty(t, hub.listeners)
	assert.Zero(t, hub.refs[Interrupt])
}

func TestNotifyContextCauseIsTheEvent(t *testing.T) {
	ctx, stop := NotifyContext(context.Background(), WithoutForceExit())
	defer stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context not cancelled by the event")
	}
	var e Event
	require.ErrorAs(t, context.Cause(ctx), &e)
	assert.Equal(t, Interrupt, e.Kind)
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
}

func TestNotifyContextStop(t *testing.T) {
	ctx, stop := NotifyContext(context.Background())
	stop()
	<-ctx.Done()
	assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
	assert.Empty(t, hub.listeners, "stop removes the listener")
}

func TestNotifyContextBadOption(t *testing.T) {
	ctx, stop := NotifyContext(context.Background(), WithForceExit(0))
	defer stop()
	<-ctx.Done()
	assert.ErrorContains(t, context.Cause(ctx), "WithForceExit(0)")
}

func TestSetHandlerRunsOncePerEvent(t *testing.T) {
	defer resetHandler()
	assert.ErrorIs(t, SetHandler(nil), ErrNilHandler)
	assert.ErrorIs(t, TrySetHandler(nil), ErrNilHandler)

	var mu sync.Mutex
	var got []Event
	seen := make(chan struct{}, 10)
	require.NoError(t, TrySetHandler(func(e Event) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
		seen <- struct{}{}
	}))
	assert.ErrorIs(t, TrySetHandler(func(Event) {}), ErrMultipleHandlers)

	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	<-seen
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	<-seen
	mu.Lock()
	require.Len(t, got, 2, "no force exit and no repeat window for a handler: both events reach it")
	assert.Equal(t, Interrupt, got[0].Kind)
	assert.Equal(t, Interrupt, got[1].Kind)
	assert.Equal(t, 2, got[1].Seq)
	mu.Unlock()

	replaced := make(chan Event, 1)
	require.NoError(t, SetHandler(func(e Event) { replaced <- e }), "SetHandler replaces")
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	assert.Equal(t, 1, (<-replaced).Seq, "the new handler has a listener of its own")
	assert.Len(t, hub.listeners, 1, "the old handler's listener was stopped")
}

func TestLoggerSeesEvents(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	l, err := Notify(WithLogger(logger), WithoutForceExit())
	require.NoError(t, err)
	defer l.Stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	recv(t, l)
	mu.Lock()
	defer mu.Unlock()
	// slog quotes the value only when it has a space: "interrupt (SIGINT)", but plain interrupt on wasip1.
	want := Event{Kind: Interrupt, Native: nativeOf(Interrupt)}.String()
	assert.Regexp(t, `event="?`+regexp.QuoteMeta(want)+`"? seq=1`, buf.String())
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func recv(t *testing.T, l *Listener) Event {
	t.Helper()
	return recvWithin(t, l, 10*time.Second)
}

func assertEmpty(t *testing.T, l *Listener) {
	t.Helper()
	noEventWithin(t, l, 20*time.Millisecond)
}

// recvWithin returns the next event on l, failing the test if none comes
// within d. Waiting on a timer also yields to Node's event loop under
// js/wasm, which is where a signal becomes a call of the listener.
func recvWithin(t *testing.T, l *Listener, d time.Duration) Event {
	t.Helper()
	select {
	case e := <-l.C():
		return e
	case <-time.After(d):
		t.Fatalf("no event within %v", d)
		return Event{}
	}
}

// noEventWithin fails the test if an event arrives on l within d.
func noEventWithin(t *testing.T, l *Listener, d time.Duration) {
	t.Helper()
	select {
	case e := <-l.C():
		t.Fatalf("unexpected event %+v (%v)", e, e)
	case <-time.After(d):
	}
}

func assertClosed(t *testing.T, c <-chan struct{}) {
	t.Helper()
	select {
	case <-c:
	default:
		t.Fatal("channel not closed")
	}
}

func TestNotifyContextNilParent(t *testing.T) {
	//lint:ignore SA1012 a nil parent is the point
	ctx, stop := NotifyContext(nil) //nolint:staticcheck
	defer stop()
	<-ctx.Done()
	assert.ErrorContains(t, context.Cause(ctx), "ctrlc: NotifyContext: nil parent context")
	assert.Empty(t, hub.listeners)
}
