package pool

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// hurryBudget is what is left of the shutdown's budget after a hurry, at
// most: the report comes back within about a second.
const hurryBudget = time.Second

// budget is the time of one shutdown, from one place: it ends at the
// earliest of ShutdownTimeout and the stop event's Deadline (less
// deadlineReserve), or hurryBudget after a hurry. Every stage takes its time
// from it, and the drain leaves the OnStop hooks their reserve. It runs on
// timers of its own, so no context of the caller's can stall it, and no
// goroutine: a hurry reaches it through hurry, called by Pool.hurry. The
// errors that say why a timer ended something are made when it fires: a
// shutdown that ends in time formats none.
type budget struct {
	begin   time.Time
	hookDur time.Duration
	hooks   int
	why     func() error // the hurry's cause

	ctx    context.Context // done when the budget is spent
	cancel context.CancelCauseFunc

	// before is the BeforeStop functions' context: done when the budget
	// less the OnStop hooks' reserve is spent, or at a hurry, so that
	// neither a long BeforeStop nor a hurry during it eats that reserve.
	before       context.Context
	cancelBefore context.CancelCauseFunc
	beforeTimer  *time.Timer

	mu         sync.Mutex
	released   bool
	end        time.Time
	reserve    time.Duration // kept for the OnStop hooks, from the drain's start
	timer      *time.Timer   // ends ctx at end
	hurriedAt  time.Time     // zero until hurried
	drain      context.CancelCauseFunc
	drainTimer *time.Timer
	drainEnd   time.Time     // when drainTimer ends the drain
	onHurry    chan struct{} // closed at the hurry, for waitCancelled
	onCut      chan struct{} // closed and replaced at each cut, for waitCancelled
}

func newBudget(begin, end time.Time, hookDur time.Duration, hooks int, why func() error) *budget {
	ctx, cancel := context.WithCancelCause(context.Background())
	b := &budget{begin: begin, hookDur: hookDur, hooks: hooks, why: why, ctx: ctx, cancel: cancel,
		end: end, onHurry: make(chan struct{}), onCut: make(chan struct{})}
	total := end.Sub(begin)
	b.timer = time.AfterFunc(time.Until(end), func() { cancel(spent(total, 0, false)) })
	b.before, b.cancelBefore = context.WithCancelCause(ctx)
	reserve := b.reserveFor(time.Until(end))
	b.beforeTimer = time.AfterFunc(time.Until(end)-reserve, func() { b.cancelBefore(spent(total, reserve, false)) })
	return b
}

// release stops the budget's timers: a later hurry or cut changes nothing.
func (b *budget) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.released = true
	b.timer.Stop()
	b.beforeTimer.Stop()
	if b.drainTimer != nil {
		b.drainTimer.Stop()
	}
	b.cancelBefore(context.Canceled)
	b.cancel(context.Canceled)
}

// left returns what is left of the budget.
func (b *budget) left() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(0, time.Until(b.end))
}

// reserveFor is what the drain keeps back for the OnStop hooks when left
// remains: HookTimeout × their number, at most half of left, so that long
// hook timeouts cannot starve the drain. No hooks, no reserve.
func (b *budget) reserveFor(left time.Duration) time.Duration {
	if b.hooks == 0 {
		return 0
	}
	half := max(0, left/2)
	if b.hookDur <= half/time.Duration(b.hooks) { // no multiplication that could overflow
		return b.hookDur * time.Duration(b.hooks)
	}
	return half
}

// spent is the cause of the end of a budget of total, less reserve when
// that is kept for the OnStop hooks: "the shutdown's budget of 25s is spent",
// "the shutdown's budget of 1s, less 400ms kept for the OnStop hooks, is
// spent"; cut names a budget cut to a joining event's deadline.
func spent(total, reserve time.Duration, cut bool) error {
	what := fmt.Sprintf("the shutdown's budget of %v", total.Round(time.Millisecond))
	if cut {
		what = "the shutdown's budget, cut to the stop event's deadline,"
	}
	if reserve > 0 {
		what = fmt.Sprintf("%s, less %v kept for the OnStop hooks,", strings.TrimSuffix(what, ","), reserve.Round(time.Millisecond))
	}
	return fmt.Errorf("%w: %s is spent", ErrTimeout, what)
}

// startDrain returns the drain's context: it ends after d, or when what is
// left of the budget less the hook reserve is spent, or at a hurry, with a
// cause that says which.
func (b *budget) startDrain(d time.Duration) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drain = cancel
	if !b.hurriedAt.IsZero() {
		cancel(b.why())
		return ctx
	}
	left := max(0, time.Until(b.end))
	b.reserve = b.reserveFor(left)
	timeout, total, reserve := d, b.end.Sub(b.begin), b.reserve
	window := left - reserve
	cause := func() error { return fmt.Errorf("%w: drain timeout (%v)", ErrTimeout, timeout) }
	if window < d {
		d = window
		cause = func() error { return spent(total, reserve, false) }
	}
	b.drainEnd = time.Now().Add(d)
	b.drainTimer = time.AfterFunc(d, func() { cancel(cause()) })
	return ctx
}

// cut brings the budget's end forward to end: the Deadline (less
// deadlineReserve) of a stop event that joined the shutdown after it began.
// As at a hurry, the OnStop reserve is recomputed from what is left, and a
// drain under way ends early enough to leave it.
func (b *budget) cut(end time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.released || !end.Before(b.end) {
		return
	}
	b.end = end
	b.timer.Stop()
	b.timer = time.AfterFunc(time.Until(end), func() { b.cancel(spent(0, 0, true)) })
	close(b.onCut)
	b.onCut = make(chan struct{})
	if b.drain == nil || b.drainTimer == nil { // not begun (startDrain reads b.end), or ended by a hurry
		return
	}
	b.reserve = b.reserveFor(time.Until(end))
	if drainEnd := end.Add(-b.reserve); drainEnd.Before(b.drainEnd) {
		b.drainTimer.Stop()
		b.drainEnd = drainEnd
		reserve, drain := b.reserve, b.drain
		b.drainTimer = time.AfterFunc(time.Until(drainEnd), func() { drain(spent(0, reserve, true)) })
	}
}

// hurry cuts the budget to hurryBudget from now, keeps the hooks' reserve
// from that, and ends the drain at once. Only the first call does, and none
// after release.
func (b *budget) hurry() {
	cause := b.why()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.released || !b.hurriedAt.IsZero() {
		return
	}
	now := time.Now()
	b.hurriedAt = now
	if end := now.Add(hurryBudget); end.Before(b.end) {
		b.end = end
		b.timer.Stop()
		b.timer = time.AfterFunc(hurryBudget, func() {
			b.cancel(fmt.Errorf("%w: the hurried shutdown's second is spent: %w", ErrTimeout, cause))
		})
	}
	b.reserve = b.reserveFor(time.Until(b.end))
	b.beforeTimer.Stop()
	b.cancelBefore(cause)
	if b.drain != nil {
		b.drainTimer.Stop()
		b.drain(cause)
	}
	close(b.onHurry)
}

// waitCancelled waits for idle, once the items' context was cancelled: at
// most grace, and no later than the budget less the hooks' reserve, but at
// least killFloor (capped by grace), so that an item that honours its
// context is reported Interrupted rather than Abandoned. A hurry or a cut
// meanwhile shortens the wait.
func (b *budget) waitCancelled(grace time.Duration, idle <-chan struct{}) {
	for {
		b.mu.Lock()
		d := min(grace, max(time.Until(b.end.Add(-b.reserve)), min(grace, killFloor)))
		hurried, cut := b.onHurry, b.onCut
		if !b.hurriedAt.IsZero() {
			hurried = nil
		}
		b.mu.Unlock()
		t := time.NewTimer(d)
		select {
		case <-idle:
			t.Stop()
			return
		case <-t.C:
			return
		case <-hurried:
			t.Stop()
		case <-cut:
			t.Stop()
		}
	}
}
