package ctrlc

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/escalate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests watch the escalation from inside the process: Trigger (and
// dispatch, for native events) delivers the events, and exitProcess is
// replaced, so that the exits it would make arrive on a channel. The real
// signals to real processes are in escalation_unix_child_test.go.

// fakeExit replaces the process exit of the escalation for the test's
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
		backstops.Wait()
		exitProcess = Exit
		resetExiting()
	})
	return exits
}

func resetExiting() {
	exiting.mu.Lock()
	exiting.started = false
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

// noExit fails the test if an exit comes within d. Trigger escalates
// before it returns, so after a Trigger a short d is exact; only the
// backstop exits later.
func noExit(t *testing.T, exits <-chan Event, d time.Duration) {
	t.Helper()
	select {
	case e := <-exits:
		t.Fatalf("exit with %v (event %d)", e, e.Seq)
	case <-time.After(d):
	}
}

// trigger is Trigger for a valid kind.
func trigger(t *testing.T, k Kind) {
	t.Helper()
	require.NoError(t, Trigger(Event{Kind: k}))
}

// native delivers an event of kind k the way the platform's watcher does:
// the repeat window applies to it.
func native(k Kind) {
	dispatch(Event{Kind: k, Native: nativeOf(k), Time: time.Now()}, source{native: true, gen: hub.gen.Load()})
}

// notifyWith is Notify with the listener's config changed by set before the
// listener is made: for what no option sets, such as the repeat window. The
// listener stops when the test ends.
func notifyWith(t *testing.T, set func(*config), opts ...Option) *Listener {
	t.Helper()
	cfg, err := newConfig(opts)
	require.NoError(t, err)
	set(&cfg)
	l, err := newListener(cfg, nil)
	require.NoError(t, err)
	t.Cleanup(l.Stop)
	return l
}

// notifyContext is NotifyContext for the tests: it returns the context's
// escalation state too, and stops the context when the test ends.
func notifyContext(t *testing.T, opts ...Option) (context.Context, *escalate.State) {
	t.Helper()
	ctx, stop, err := NotifyContext(context.Background(), opts...)
	require.NoError(t, err)
	t.Cleanup(stop)
	esc := escalate.From(ctx)
	require.NotNil(t, esc, "a NotifyContext context carries its escalation")
	return ctx, esc
}

func waitDone(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("context not cancelled within 10 s")
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// describe is how the escalation's lines name an event of kind k here:
// "interrupt (SIGINT)", or "interrupt" where the platform has no number.
func describe(k Kind) string { return Event{Kind: k, Native: nativeOf(k)}.Error() }

// With a drain under way (a pool's Run) the second event hurries it and
// does not end the process; the third does.
func TestSecondEventHurriesTheDrainThirdExits(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	ctx, esc := notifyContext(t)
	hurries := make(chan error, 2)
	leave := esc.Enter(func(cause error) { hurries <- cause })
	defer leave()

	trigger(t, Interrupt)
	waitDone(t, ctx)
	noExit(t, exits, 20*time.Millisecond)
	assert.False(t, isClosed(esc.Hurried()), "the first event is the stop, not the hurry")
	var first Event
	require.ErrorAs(t, esc.First(), &first)
	assert.Equal(t, 1, first.Seq)

	trigger(t, Interrupt)
	require.True(t, isClosed(esc.Hurried()), "the second event hurries the drain")
	require.Len(t, hurries, 1, "the drain heard of the hurry, once")
	var cause Event
	require.ErrorAs(t, <-hurries, &cause)
	assert.Equal(t, Event{Kind: Interrupt, Native: nativeOf(Interrupt), Seq: 2, Time: cause.Time}, cause)
	noExit(t, exits, 50*time.Millisecond)
	assert.Contains(t, out.String(), "ctrlc: "+describe(Interrupt)+" again: hurrying the shutdown (once more ends the program now)\n")

	trigger(t, Terminate) // any kind of the listener's counts
	e := waitExit(t, exits)
	assert.Equal(t, Terminate, e.Kind)
	assert.Equal(t, 3, e.Seq)
	assert.Contains(t, out.String(), "ctrlc: "+describe(Terminate)+" is event 3 during the shutdown: exiting now\n")
	leave() // the backstop armed by the hurry ends without an exit
	noExit(t, exits, 20*time.Millisecond)
}

// A context derived from the NotifyContext context carries the same
// escalation: a pool that runs under it is hurried too.
func TestDerivedContextCarriesTheEscalation(t *testing.T) {
	ctx, esc := notifyContext(t, WithoutForceExit())
	derived, cancel := context.WithTimeout(context.WithValue(ctx, struct{}{}, 1), time.Hour)
	defer cancel()
	assert.Same(t, esc, escalate.From(derived))
	assert.Nil(t, escalate.From(context.Background()))
}

// With no drain under way, the second event ends the process: for a
// NotifyContext whose pool has not started or has already returned, and
// for a plain listener, which has none to hurry.
func TestSecondEventWithoutADrainExits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(t *testing.T)
	}{
		{"NotifyContext", func(t *testing.T) { notifyContext(t) }},
		{"NotifyContext, the drain left", func(t *testing.T) {
			_, esc := notifyContext(t)
			esc.Enter(nil)()
		}},
		{"Notify", func(t *testing.T) {
			l, err := Notify()
			require.NoError(t, err)
			t.Cleanup(l.Stop)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := captureStderr(t)
			exits := fakeExit(t)
			tc.start(t)
			trigger(t, Interrupt)
			noExit(t, exits, 20*time.Millisecond)
			trigger(t, Interrupt)
			e := waitExit(t, exits)
			assert.Equal(t, 2, e.Seq)
			assert.Equal(t, Interrupt, e.Kind)
			assert.Contains(t, out.String(), "ctrlc: "+describe(Interrupt)+" is event 2 during the shutdown: exiting now\n")
			assert.NotContains(t, out.String(), "hurrying")
		})
	}
}

// WithoutForceExit turns every exit off, the backstop's included, but the
// second event still hurries the drain.
func TestWithoutForceExitHurriesButNeverExits(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	_, esc := notifyContext(t, WithoutForceExit())
	leave := esc.Enter(nil)
	defer leave()
	_, idle := notifyContext(t, WithoutForceExit()) // no drain: nothing to hurry
	plain, err := Notify(WithoutForceExit())
	require.NoError(t, err)
	defer plain.Stop()

	for i := 0; i < 5; i++ {
		trigger(t, Interrupt)
	}
	assert.True(t, isClosed(esc.Hurried()), "the second event hurries even without forced exits")
	assert.Contains(t, out.String(), "hurrying the shutdown")
	assert.True(t, isClosed(idle.Hurried()))
	// No backstop either: the drain that never leaves keeps the process
	// alive past it.
	noExit(t, exits, hurryBackstop+500*time.Millisecond)
	assert.NotContains(t, out.String(), "exiting now")
}

// The hurry arms a backstop: a drain that has not left within
// hurryBackstop ends the process, by the event that hurried it.
func TestBackstopExitsWhenTheDrainDoesNotLeave(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	_, esc := notifyContext(t)
	leave := esc.Enter(nil) // a Run that ignores the hurry
	defer leave()
	trigger(t, Interrupt)
	start := time.Now()
	trigger(t, Interrupt)
	e := waitExit(t, exits)
	assert.GreaterOrEqual(t, time.Since(start), hurryBackstop, "the backstop gives the drain its time")
	assert.Equal(t, 2, e.Seq)
	assert.Contains(t, out.String(), "ctrlc: the shutdown hurried by "+describe(Interrupt)+" did not return within 2s: exiting now\n")

	// The process is on its way out: one more event exits at once too.
	trigger(t, Interrupt)
	assert.Equal(t, 3, waitExit(t, exits).Seq)
	assert.Contains(t, out.String(), "is event 3 while the program exits: exiting now")
}

// A drain that leaves in time disarms the backstop.
func TestBackstopDisarmedWhenTheDrainLeaves(t *testing.T) {
	exits := fakeExit(t)
	_, esc := notifyContext(t)
	leave := esc.Enter(nil)
	trigger(t, Interrupt)
	trigger(t, Interrupt)
	require.True(t, isClosed(esc.Hurried()))
	time.Sleep(100 * time.Millisecond) // the pool hands back its report
	leave()
	noExit(t, exits, hurryBackstop+500*time.Millisecond)
}

// Two drains under one context: the backstop waits for both.
func TestBackstopWaitsForEveryDrain(t *testing.T) {
	exits := fakeExit(t)
	_, esc := notifyContext(t)
	leaveA, leaveB := esc.Enter(nil), esc.Enter(nil)
	defer leaveB()
	trigger(t, Interrupt)
	trigger(t, Interrupt)
	leaveA()
	assert.Equal(t, 2, waitExit(t, exits).Seq, "one drain still under way at the backstop")
}

// A native repeat of the same kind within the repeat window is a
// duplicate (a wrapper's copy of the terminal's Ctrl-C): neither delivered
// nor counted, so it does not escalate. A triggered repeat always counts.
func TestNativeRepeatsCoalesceTriggeredOnesDoNot(t *testing.T) {
	require.Equal(t, 50*time.Millisecond, defaultRepeatWindow)
	exits := fakeExit(t)
	// Two native deliveries back to back come microseconds apart; on a
	// machine too loaded for that, the round proves nothing and is run
	// again.
	for round := 0; ; round++ {
		require.Less(t, round, 20, "two dispatches never came within %v of each other", defaultRepeatWindow)
		l, err := Notify(WithKinds(Terminate))
		require.NoError(t, err)
		start := time.Now()
		native(Terminate)
		native(Terminate)
		if time.Since(start) >= defaultRepeatWindow {
			l.Stop()
			select {
			case <-exits: // the second counted, and escalated
			default:
			}
			continue
		}
		assert.Equal(t, 1, recv(t, l).Seq)
		assertEmpty(t, l)
		noExit(t, exits, 20*time.Millisecond)

		trigger(t, Terminate) // well within the window of the native one
		e := waitExit(t, exits)
		assert.Equal(t, 2, e.Seq, "a triggered repeat is never a duplicate")
		assert.Equal(t, 2, recv(t, l).Seq)
		l.Stop()
		return
	}
}

func TestTriggeredRepeatsAllCount(t *testing.T) {
	l, err := Notify(WithoutForceExit())
	require.NoError(t, err)
	defer l.Stop()
	for i := 0; i < 3; i++ {
		trigger(t, Interrupt)
	}
	for seq := 1; seq <= 3; seq++ {
		assert.Equal(t, seq, recv(t, l).Seq)
	}
}

// One event that is the second for two plain listeners ends the process
// once; the escalation does not take the second listener's view of it for
// a third event.
func TestOneEventEscalatingTwoListenersExitsOnce(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	a, err := Notify()
	require.NoError(t, err)
	defer a.Stop()
	b, err := Notify()
	require.NoError(t, err)
	defer b.Stop()
	trigger(t, Interrupt)
	trigger(t, Interrupt)
	assert.Equal(t, 2, waitExit(t, exits).Seq)
	noExit(t, exits, 20*time.Millisecond)
	assert.Equal(t, 1, strings.Count(out.String(), "exiting now"), out.String())
}

// A stopped listener escalates no more.
func TestStoppedListenerDoesNotEscalate(t *testing.T) {
	exits := fakeExit(t)
	l, err := Notify()
	require.NoError(t, err)
	trigger(t, Interrupt)
	l.Stop()
	trigger(t, Interrupt)
	trigger(t, Interrupt)
	noExit(t, exits, 20*time.Millisecond)
}

// The escalation's lines go to the listener's logger, at warning level,
// instead of standard error.
func TestEscalationLinesGoToTheLogger(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	var mu sync.Mutex
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	_, esc := notifyContext(t, WithLogger(logger))
	leave := esc.Enter(nil)
	defer leave()
	for i := 0; i < 3; i++ {
		trigger(t, Interrupt)
	}
	waitExit(t, exits)
	mu.Lock()
	logged := buf.String()
	mu.Unlock()
	assert.Contains(t, logged, "level=WARN")
	assert.Contains(t, logged, fmt.Sprintf("%q", "ctrlc: "+describe(Interrupt)+" again: hurrying the shutdown (once more ends the program now)"))
	assert.Contains(t, logged, fmt.Sprintf("%q", "ctrlc: "+describe(Interrupt)+" is event 3 during the shutdown: exiting now"))
	assert.Empty(t, out.String())
}
