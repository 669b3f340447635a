package ctrlc

import (
	"context"
	"errors"
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
		{WithLogger(nil), "WithLogger: nil logger", nil},
		{WithLogger((*slog.Logger)(nil)), "WithLogger: nil logger (a nil *slog.Logger)", nil},
		{WithGracePeriod(0), "WithGracePeriod(0s): the grace period must be positive", nil},
		{WithGracePeriod(-time.Second), "WithGracePeriod(-1s)", nil},
		{nil, "ctrlc: option 1 is nil", nil},
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
	_, err := Notify(WithoutForceExit(), nil)
	assert.EqualError(t, err, "ctrlc: option 2 is nil", "the error says which option")
	assert.Empty(t, hub.listeners)
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
	}
	assertEmpty(t, hup)
}

func TestFirstEventKeptAndLaterOnesCoalesce(t *testing.T) {
	l, err := Notify(WithoutForceExit())
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

// The cause of a context cancelled by an event is the Event, which also
// matches context.Canceled, as os/signal's cause does.
func TestNotifyContextCauseIsTheEvent(t *testing.T) {
	ctx, stop, err := NotifyContext(context.Background(), WithoutForceExit())
	require.NoError(t, err)
	defer stop()
	select {
	case <-ctx.Done():
		t.Fatalf("cancelled before any event: %v", context.Cause(ctx))
	default:
	}
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context not cancelled by the event")
	}
	cause := context.Cause(ctx)
	var e Event
	require.ErrorAs(t, cause, &e)
	assert.Equal(t, Interrupt, e.Kind)
	assert.Equal(t, 1, e.Seq)
	assert.ErrorIs(t, cause, context.Canceled, "the Event is a cancellation")
	assert.NotErrorIs(t, cause, context.DeadlineExceeded)
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
	assert.Equal(t, e.Error(), cause.Error())
}

// stop cancels the context with context.Canceled, no Event, and removes
// the listener.
func TestNotifyContextStop(t *testing.T) {
	ctx, stop, err := NotifyContext(context.Background())
	require.NoError(t, err)
	stop()
	stop() // idempotent
	<-ctx.Done()
	assert.Equal(t, context.Canceled, context.Cause(ctx))
	assert.Empty(t, hub.listeners, "stop removes the listener")
}

// The parent's cancellation ends the context with the parent's cause.
func TestNotifyContextParentCancelled(t *testing.T) {
	parent, cancel := context.WithCancelCause(context.Background())
	ctx, stop, err := NotifyContext(parent)
	require.NoError(t, err)
	defer stop()
	boom := errors.New("boom")
	cancel(boom)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not cancelled with the parent")
	}
	assert.Equal(t, boom, context.Cause(ctx))
}

// An invalid option is an error that names it; the context comes back
// alive, no event reaches it, and stop cancels it.
func TestNotifyContextBadOption(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{WithGracePeriod(-time.Second), "ctrlc: WithGracePeriod(-1s): the grace period must be positive"},
		{WithKinds(), "ctrlc: WithKinds: no kinds given"},
		{nil, "ctrlc: option 2 is nil"},
	} {
		ctx, stop, err := NotifyContext(context.Background(), WithoutForceExit(), tc.opt)
		require.EqualError(t, err, tc.want)
		require.NotNil(t, ctx)
		require.NotNil(t, stop)
		assert.Empty(t, hub.listeners, "no listener behind it")
		require.NoError(t, Trigger(Event{Kind: Interrupt}))
		select {
		case <-ctx.Done():
			t.Fatalf("%s: the context is done: %v", tc.want, context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
		stop()
		<-ctx.Done()
		assert.Equal(t, context.Canceled, context.Cause(ctx))
		stop()
	}
}

// A nil parent panics, as it does for context.WithCancel and
// signal.NotifyContext, and leaves no listener behind.
func TestNotifyContextNilParent(t *testing.T) {
	assert.PanicsWithValue(t, "ctrlc: NotifyContext: nil parent context", func() {
		//lint:ignore SA1012 a nil parent is the point
		_, _, _ = NotifyContext(nil) //nolint:staticcheck
	})
	assert.Empty(t, hub.listeners)
}

func TestSetHandlerRunsOncePerEvent(t *testing.T) {
	defer resetHandler()
	var mu sync.Mutex
	var got []Event
	seen := make(chan struct{}, 10)
	require.NoError(t, SetHandler(func(e Event) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
		seen <- struct{}{}
	}))
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	<-seen
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	<-seen
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2, "no forced exit and no repeat window for a handler: both events reach it")
	assert.Equal(t, Interrupt, got[0].Kind)
	assert.Equal(t, Interrupt, got[1].Kind)
	assert.Equal(t, 2, got[1].Seq)
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
	want := Event{Kind: Interrupt, Native: nativeOf(Interrupt)}.Error()
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
