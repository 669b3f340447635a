//go:build wasip1

package ctrlc

import (
	"context"
	"errors"
	"testing"
	"time"
)

// WASI preview 1 has no signals: these tests run under wazero
// (GOWASIRUNTIME=wazero GOOS=wasip1 GOARCH=wasm go test) and check that
// listeners still work, that nothing arrives by itself, and that Trigger and
// contexts start a shutdown.

func TestWasip1NotifyReceivesNothingByItself(t *testing.T) {
	l, err := Notify()
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	defer l.Stop()
	if l.C() == nil {
		t.Fatal("listener without a channel")
	}
	noEventWithin(t, l, 200*time.Millisecond)

	// Every kind is accepted, though none has a source here.
	all, err := Notify(WithKinds(Interrupt, Terminate, Hangup, Quit, Break, Close, Logoff, Shutdown))
	if err != nil {
		t.Fatalf("Notify with every kind: %v", err)
	}
	defer all.Stop()
	noEventWithin(t, all, 50*time.Millisecond)
}

func TestWasip1TriggerDeliversToEveryListenerOfTheKind(t *testing.T) {
	both, err := Notify(WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer both.Stop()
	term, err := Notify(WithKinds(Terminate), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer term.Stop()
	hup, err := Notify(WithKinds(Hangup), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer hup.Stop()

	before := time.Now()
	if err := Trigger(Event{Kind: Terminate}); err != nil {
		t.Fatalf("Trigger: %v", err)
	}
	for name, l := range map[string]*Listener{"default kinds": both, "Terminate only": term} {
		e := recvWithin(t, l, time.Second)
		if e.Kind != Terminate || e.Seq != 1 {
			t.Errorf("%s: got %+v, want Kind Terminate, Seq 1", name, e)
		}
		// wasip1 has no signal numbers: the event names only its kind.
		if e.Native != 0 || e.Error() != "terminate" {
			t.Errorf("%s: got Native %d, Error %q; want 0, %q", name, e.Native, e.Error(), "terminate")
		}
		if exitCode(e) != 143 {
			t.Errorf("%s: exitCode = %d, want 143", name, exitCode(e))
		}
		if e.Time.Before(before) || e.Time.After(time.Now()) {
			t.Errorf("%s: Time %v not filled in by Trigger", name, e.Time)
		}
	}
	noEventWithin(t, hup, 50*time.Millisecond)

	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := Trigger(Event{Kind: Interrupt, Time: at}); err != nil {
		t.Fatal(err)
	}
	if e := recvWithin(t, both, time.Second); e.Kind != Interrupt || e.Seq != 2 || !e.Time.Equal(at) || e.Error() != "interrupt" {
		t.Errorf("after Trigger(Interrupt) got %+v (%v), want interrupt, Seq 2, the given Time", e, e)
	}
	noEventWithin(t, term, 50*time.Millisecond)

	if err := Trigger(Event{Kind: Hangup}); err != nil {
		t.Fatal(err)
	}
	if e := recvWithin(t, hup, time.Second); e.Kind != Hangup || e.Seq != 1 || exitCode(e) != 129 {
		t.Errorf("after Trigger(Hangup) got %+v, want hangup, Seq 1", e)
	}

	if err := Trigger(Event{Kind: 0}); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("Trigger(Kind 0) = %v, want ErrUnknownKind", err)
	}
	if err := Trigger(Event{Kind: maxKind + 1}); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("Trigger(Kind %d) = %v, want ErrUnknownKind", maxKind+1, err)
	}
}

func TestWasip1NotifyContextCauseIsTheEvent(t *testing.T) {
	ctx, stop, err := NotifyContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	select {
	case <-ctx.Done():
		t.Fatalf("context done before any event: %v", context.Cause(ctx))
	case <-time.After(50 * time.Millisecond):
	}
	if err := Trigger(Event{Kind: Interrupt}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Second):
		t.Fatal("context not cancelled by Trigger")
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("ctx.Err() = %v, want context.Canceled", ctx.Err())
	}
	var e Event
	if !errors.As(context.Cause(ctx), &e) {
		t.Fatalf("context.Cause = %v (%T), want an Event", context.Cause(ctx), context.Cause(ctx))
	}
	if !errors.Is(context.Cause(ctx), context.Canceled) {
		t.Errorf("context.Cause = %v, which does not match context.Canceled", context.Cause(ctx))
	}
	if e.Kind != Interrupt || e.Seq != 1 || exitCode(e) != 130 {
		t.Errorf("cause %+v, want interrupt, Seq 1", e)
	}

	// The parent's cancellation, too, ends the context, with the parent's cause.
	parent, cancel := context.WithCancelCause(context.Background())
	ctx2, stop2, err := NotifyContext(parent)
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	boom := errors.New("boom")
	cancel(boom)
	select {
	case <-ctx2.Done():
	case <-time.After(time.Second):
		t.Fatal("context not cancelled with its parent")
	}
	if !errors.Is(context.Cause(ctx2), boom) {
		t.Errorf("context.Cause = %v, want the parent's cause", context.Cause(ctx2))
	}

	// stop ends the context without an event.
	ctx3, stop3, err := NotifyContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stop3()
	if !errors.Is(context.Cause(ctx3), context.Canceled) {
		t.Errorf("after stop, context.Cause = %v, want context.Canceled", context.Cause(ctx3))
	}
	var e3 Event
	if errors.As(context.Cause(ctx3), &e3) {
		t.Errorf("after stop, the cause is an Event: %v", e3)
	}
}

// wasip1 has no signals, but the escalation works on triggered events: the
// second hurries a drain, the third ends the process.
func TestWasip1Escalation(t *testing.T) {
	exits := fakeExit(t)
	ctx, esc := notifyContext(t)
	leave := esc.Enter(nil)
	defer leave()
	for seq := 1; seq <= 2; seq++ {
		if err := Trigger(Event{Kind: Terminate}); err != nil {
			t.Fatal(err)
		}
	}
	waitDone(t, ctx)
	if !isClosed(esc.Hurried()) {
		t.Fatal("the second event did not hurry the drain")
	}
	noExit(t, exits, 20*time.Millisecond)
	if err := Trigger(Event{Kind: Terminate}); err != nil {
		t.Fatal(err)
	}
	if e := waitExit(t, exits); e.Seq != 3 {
		t.Fatalf("exit by %+v, want the third event", e)
	}
}

func TestWasip1Stop(t *testing.T) {
	l, err := Notify(WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	other, err := Notify(WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Stop()
	l.Stop()
	l.Stop() // idempotent
	if err := Trigger(Event{Kind: Interrupt}); err != nil {
		t.Fatal(err)
	}
	if e := recvWithin(t, other, time.Second); e.Kind != Interrupt || e.Seq != 1 {
		t.Errorf("the listener still running got %+v, want interrupt, Seq 1", e)
	}
	noEventWithin(t, l, 50*time.Millisecond)
	other.Stop()
	// With nobody listening, Trigger is a no-op, not an error.
	if err := Trigger(Event{Kind: Terminate}); err != nil {
		t.Errorf("Trigger with no listener: %v", err)
	}
	hub.mu.Lock()
	n := len(hub.listeners)
	hub.mu.Unlock()
	if n != 0 {
		t.Errorf("%d listeners still registered after every Stop", n)
	}
}
