package ctrlc

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A native repeat within the window coalesces into the event before it;
// another kind is never a repeat.
func TestRepeatWithinWindowCoalesces(t *testing.T) {
	l := notifyWith(t, func(c *config) { c.repeatWindow = time.Hour }, WithoutForceExit(), WithKinds(Terminate, Close))
	native(Terminate)
	native(Terminate)
	native(Close) // another kind is never a repeat
	native(Close)
	e := recv(t, l)
	assert.Equal(t, Terminate, e.Kind)
	assert.Equal(t, 1, e.Seq)
	e = recv(t, l)
	assert.Equal(t, Close, e.Kind)
	assert.Equal(t, 2, e.Seq, "the coalesced repeat is not counted")
	assertEmpty(t, l)
}

func TestRepeatAfterWindowCounts(t *testing.T) {
	const window = 20 * time.Millisecond
	l := notifyWith(t, func(c *config) { c.repeatWindow = window }, WithoutForceExit(), WithKinds(Terminate))
	native(Terminate)
	assert.Equal(t, 1, recv(t, l).Seq)
	time.Sleep(2 * window)
	native(Terminate)
	assert.Equal(t, 2, recv(t, l).Seq)
}

// The window runs from the last event taken: a stream of repeats, each
// inside the window of the one before, cannot hide events for longer.
func TestRepeatStreamCannotHideEventsForever(t *testing.T) {
	const window = 30 * time.Millisecond
	l := notifyWith(t, func(c *config) { c.repeatWindow = window }, WithoutForceExit(), WithKinds(Terminate))
	start := time.Now()
	for time.Since(start) < 10*window {
		native(Terminate)
		time.Sleep(window / 10)
	}
	var seqs []int
	for len(l.C()) > 0 {
		seqs = append(seqs, recv(t, l).Seq)
	}
	assert.GreaterOrEqual(t, len(seqs), 2, "repeats past the window of the first are taken: %v", seqs)
}

// A window of 0 takes every native event (SetHandler's listener has one).
func TestZeroRepeatWindowTakesEveryEvent(t *testing.T) {
	l := notifyWith(t, func(c *config) { c.repeatWindow = 0 }, WithoutForceExit(), WithKinds(Terminate))
	native(Terminate)
	native(Terminate)
	assert.Equal(t, 1, recv(t, l).Seq)
	assert.Equal(t, 2, recv(t, l).Seq)
}

func TestGracePeriodSetsDeadline(t *testing.T) {
	const grace = 30 * time.Second
	l, err := Notify(WithoutForceExit(), WithGracePeriod(grace))
	require.NoError(t, err)
	defer l.Stop()
	plain, err := Notify(WithoutForceExit())
	require.NoError(t, err)
	defer plain.Stop()

	require.NoError(t, Trigger(Event{Kind: Terminate}))
	e := recv(t, l)
	assert.Equal(t, e.Time.Add(grace), e.Deadline)
	assert.True(t, recv(t, plain).Deadline.IsZero(), "no grace known, no deadline")

	// A deadline the platform (here: the caller) already knows wins when
	// it is earlier, and loses when it is later.
	at := time.Now()
	require.NoError(t, Trigger(Event{Kind: Interrupt, Time: at, Deadline: at.Add(time.Second)}))
	assert.Equal(t, at.Add(time.Second), recv(t, l).Deadline)
	require.NoError(t, Trigger(Event{Kind: Interrupt, Time: at, Deadline: at.Add(time.Hour)}))
	assert.Equal(t, at.Add(grace), recv(t, l).Deadline)
}

func TestNilListener(t *testing.T) {
	var l *Listener
	assert.NotPanics(t, l.Stop)
	assert.Nil(t, l.C())
}

// A listener gets only events taken after Notify returned: a signal that a
// watcher took off os/signal for listeners that then stopped must not reach
// a listener made afterwards.
func TestEventTakenBeforeListenerIsNotDelivered(t *testing.T) {
	old, err := Notify(WithoutForceExit())
	require.NoError(t, err)
	gen := hub.gen.Load() // the event is taken now ...
	old.Stop()
	l, err := Notify(WithoutForceExit()) // ... and a listener is added before it is dispatched
	require.NoError(t, err)
	defer l.Stop()
	dispatch(Event{Kind: Interrupt}, source{gen: gen})
	assertEmpty(t, l)
	dispatch(Event{Kind: Interrupt}, source{gen: hub.gen.Load()})
	assert.Equal(t, 1, recv(t, l).Seq)
}

// Stop, Notify, C and Trigger from many goroutines at once leave the
// registry empty and its counts at zero.
func TestListenerStorm(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				l, err := Notify(WithoutForceExit(), WithKinds(Interrupt, Hangup))
				if !assert.NoError(t, err) {
					return
				}
				_ = Trigger(Event{Kind: Hangup})
				go l.Stop()
				l.Stop()
				<-l.C()
			}
		}()
	}
	wg.Wait()
	hub.mu.Lock()
	defer hub.mu.Unlock()
	assert.Empty(t, hub.listeners)
	assert.Equal(t, [maxKind + 1]int{}, hub.refs)
}

// hostileHandler is a slog.Handler that panics or calls runtime.Goexit.
type hostileHandler struct{ goexit bool }

func (hostileHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h hostileHandler) Handle(context.Context, slog.Record) error {
	if h.goexit {
		runtime.Goexit()
	}
	panic("logger bug")
}
func (h hostileHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h hostileHandler) WithGroup(string) slog.Handler      { return h }

// A panicking logger does not take the delivery path down: the event is
// delivered, the panic reported, and the escalation's line falls back to
// standard error.
func TestPanickingLogger(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	l, err := Notify(WithLogger(slog.New(hostileHandler{})))
	require.NoError(t, err)
	defer l.Stop()
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	assert.Equal(t, 1, recv(t, l).Seq)
	require.NoError(t, Trigger(Event{Kind: Interrupt}))
	waitExit(t, exits)
	assert.Contains(t, out.String(), "ctrlc: the logger panicked: logger bug")
	assert.Contains(t, out.String(), "is event 2 during the shutdown: exiting now", "the forced exit's line falls back to stderr")
}

// A logger that calls runtime.Goexit ends neither the goroutine that
// delivers (here the test's own, through Trigger) nor the delivery: the
// other listeners get the event, and the forced exit still comes.
func TestGoexitInLoggerLeavesDeliveryWhole(t *testing.T) {
	out := captureStderr(t)
	exits := fakeExit(t)
	hostile, err := Notify(WithLogger(slog.New(hostileHandler{goexit: true})))
	require.NoError(t, err)
	defer hostile.Stop()
	plain, err := Notify()
	require.NoError(t, err)
	defer plain.Stop()
	for seq := 1; seq <= 2; seq++ {
		require.NoError(t, Trigger(Event{Kind: Interrupt}))
		assert.Equal(t, seq, recv(t, hostile).Seq)
		assert.Equal(t, seq, recv(t, plain).Seq)
	}
	assert.Equal(t, Interrupt, waitExit(t, exits).Kind)
	assert.Contains(t, out.String(), "ctrlc: the logger called runtime.Goexit")
	assert.Contains(t, out.String(), "is event 2 during the shutdown: exiting now", "the forced exit's line falls back to stderr")
}

// lineLogger is a logger of the program's own, not log/slog: WithLogger
// takes anything with the three methods.
type lineLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLogger) add(level, msg string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintln(append([]any{level, msg}, args...)...))
}
func (l *lineLogger) Debug(msg string, args ...any) { l.add("DEBUG", msg, args) }
func (l *lineLogger) Info(msg string, args ...any)  { l.add("INFO", msg, args) }
func (l *lineLogger) Warn(msg string, args ...any)  { l.add("WARN", msg, args) }

func TestLoggerOfTheProgramsOwn(t *testing.T) {
	exits := fakeExit(t)
	lg := &lineLogger{}
	l, err := Notify(WithLogger(lg))
	require.NoError(t, err)
	defer l.Stop()
	for seq := 1; seq <= 2; seq++ {
		require.NoError(t, Trigger(Event{Kind: Interrupt}))
		assert.Equal(t, seq, recv(t, l).Seq)
	}
	waitExit(t, exits)
	lg.mu.Lock()
	defer lg.mu.Unlock()
	require.Len(t, lg.lines, 3, "%q", lg.lines)
	assert.Contains(t, lg.lines[0], "INFO ctrlc: event")
	assert.Contains(t, lg.lines[2], "WARN ctrlc:")
	assert.Contains(t, lg.lines[2], "exiting now")
}
