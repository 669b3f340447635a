package pool

import (
	"context"
	"fmt"
	"math"
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
// goroutine: a hurry reaches it through hurry, called by Pool.hurry.
//
// New makes it, with its contexts and its timers stopped, so that a
// shutdown allocates almost nothing: it is the moment a program is least
// able to wait for fresh memory. The errors that say why a timer ended
// something are made when it fires: a shutdown that ends in time formats
// none. A cut or a hurry that comes before the shutdown starts is kept for
// start.
type budget struct {
	hookDur time.Duration
	why     func() error // the hurry's cause

	ctx    context.Context // done when the budget is spent
	cancel context.CancelCauseFunc
	// before is the BeforeStop functions' context: done when the budget
	// less the OnStop hooks' reserve is spent, or at a hurry, so that
	// neither a long BeforeStop nor a hurry during it eats that reserve.
	before       context.Context
	cancelBefore context.CancelCauseFunc
	drainCtx     context.Context // done at the drain deadline, or at a hurry
	drain        context.CancelCauseFunc

	timer       *time.Timer // ends ctx at end
	beforeTimer *time.Timer
	drainTimer  *time.Timer

	mu        sync.Mutex
	started   bool
	early     time.Time // the earliest end a cut asked for before start
	hurryDue  bool      // hurry came before start
	hooks     int       // OnStop functions, for the reserve
	begin     time.Time
	end       time.Time
	released  bool
	endWhy    timeout // why each timer ends what it ends
	beforeWhy timeout
	drainWhy  timeout
	reserve   time.Duration // kept for the OnStop hooks, from the drain's start
	hurriedAt time.Time     // zero until hurried
	draining  bool          // the drain's timer runs: startDrain ran, no hurry ended it
	drainEnd  time.Time     // when drainTimer ends the drain
	onHurry   chan struct{} // closed at the hurry, for waitCancelled
	onCut     chan struct{} // closed and replaced at each cut, for waitCancelled
}

// timeout says why a timer of the budget ended something.
type timeout struct {
	drain   time.Duration // DrainTimeout, when the drain's own deadline passed
	total   time.Duration // the budget, when it is spent
	reserve time.Duration // kept for the OnStop hooks out of it
	cut     bool          // cut to a joining event's deadline
	hurried error         // the hurry, when its second is spent
}

func (t timeout) err() error {
	switch {
	case t.hurried != nil:
		return fmt.Errorf("%w: the hurried shutdown's second is spent: %w", ErrTimeout, t.hurried)
	case t.drain > 0:
		return fmt.Errorf("%w: drain timeout (%v)", ErrTimeout, t.drain)
	}
	return spent(t.total, t.reserve, t.cut)
}

// newBudget makes the budget of a shutdown to come; start starts it.
func newBudget(hookDur time.Duration, why func() error) *budget {
	b := &budget{hookDur: hookDur, why: why, onHurry: make(chan struct{}), onCut: make(chan struct{})}
	b.ctx, b.cancel = context.WithCancelCause(context.Background())
	b.before, b.cancelBefore = context.WithCancelCause(b.ctx)
	b.drainCtx, b.drain = context.WithCancelCause(context.Background())
	b.timer = idleTimer(func() { b.cancel(b.reason(&b.endWhy)) })
	b.beforeTimer = idleTimer(func() { b.cancelBefore(b.reason(&b.beforeWhy)) })
	b.drainTimer = idleTimer(func() { b.drain(b.reason(&b.drainWhy)) })
	return b
}

// idleTimer returns a timer for f that is armed for the end of time, not
// stopped: it stays in the runtime's timer heap, so that the Reset at the
// stop moves it there instead of adding it, which may grow the heap into
// fresh memory just when the program can least wait for it.
func idleTimer(f func()) *time.Timer {
	return time.AfterFunc(math.MaxInt64, f)
}

// reason returns the error that *why describes.
func (b *budget) reason(why *timeout) error {
	b.mu.Lock()
	t := *why
	b.mu.Unlock()
	return t.err()
}

// start starts the budget at begin, to end at end or at the earlier end of a
// cut that came before, with hooks OnStop functions to keep time for, and
// hurries it at once if a hurry came before. It returns the end it took.
func (b *budget) start(begin, end time.Time, hooks int) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.early.IsZero() && b.early.Before(end) {
		end = b.early
	}
	b.started = true
	b.begin, b.end, b.hooks = begin, end, hooks
	left := time.Until(end)
	reserve := b.reserveFor(left)
	b.endWhy = timeout{total: end.Sub(begin)}
	b.beforeWhy = timeout{total: end.Sub(begin), reserve: reserve}
	b.timer.Reset(left)
	b.beforeTimer.Reset(left - reserve)
	if b.hurryDue {
		b.hurryLocked(b.why())
	}
	return end
}

// release stops the budget's timers: a later hurry or cut changes nothing.
func (b *budget) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.released = true
	b.timer.Stop()
	b.beforeTimer.Stop()
	b.drainTimer.Stop()
	b.cancelBefore(context.Canceled)
	b.cancel(context.Canceled)
	b.drain(context.Canceled)
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

// startDrain starts the drain's deadline and returns its context: it ends
// after d, or when what is left of the budget less the hook reserve is
// spent, or at a hurry, with a cause that says which.
func (b *budget) startDrain(d time.Duration) context.Context {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.hurriedAt.IsZero() {
		b.drain(b.why())
		return b.drainCtx
	}
	left := max(0, time.Until(b.end))
	b.reserve = b.reserveFor(left)
	b.drainWhy = timeout{drain: d}
	if window := left - b.reserve; window < d {
		d = window
		b.drainWhy = timeout{total: b.end.Sub(b.begin), reserve: b.reserve}
	}
	b.drainEnd = time.Now().Add(d)
	b.draining = true
	b.drainTimer.Reset(d)
	return b.drainCtx
}

// cut brings the budget's end forward to end: the Deadline (less
// deadlineReserve) of a stop event that joined the shutdown. As at a hurry,
// the OnStop reserve is recomputed from what is left, and a drain under way
// ends early enough to leave it.
func (b *budget) cut(end time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.started {
		if b.early.IsZero() || end.Before(b.early) {
			b.early = end
		}
		return
	}
	if b.released || !end.Before(b.end) {
		return
	}
	b.end = end
	b.endWhy = timeout{cut: true}
	b.timer.Reset(time.Until(end))
	close(b.onCut)
	b.onCut = make(chan struct{})
	if !b.draining { // not begun (startDrain reads b.end), or ended by a hurry
		return
	}
	b.reserve = b.reserveFor(time.Until(end))
	if drainEnd := end.Add(-b.reserve); drainEnd.Before(b.drainEnd) {
		b.drainEnd = drainEnd
		b.drainWhy = timeout{reserve: b.reserve, cut: true}
		b.drainTimer.Reset(time.Until(drainEnd))
	}
}

// hurry cuts the budget to hurryBudget from now, keeps the hooks' reserve
// from that, and ends the drain at once. Only the first call does, and none
// after release.
func (b *budget) hurry() {
	cause := b.why()
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.started {
		b.hurryDue = true
		return
	}
	b.hurryLocked(cause)
}

// hurryLocked is hurry, with b.mu held.
func (b *budget) hurryLocked(cause error) {
	if b.released || !b.hurriedAt.IsZero() {
		return
	}
	now := time.Now()
	b.hurriedAt = now
	if end := now.Add(hurryBudget); end.Before(b.end) {
		b.end = end
		b.endWhy = timeout{hurried: cause}
		b.timer.Reset(hurryBudget)
	}
	b.reserve = b.reserveFor(time.Until(b.end))
	b.beforeTimer.Stop()
	b.cancelBefore(cause)
	if b.draining {
		b.draining = false
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
