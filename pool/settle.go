package pool

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// snapshot is every item's outcome at one instant.
type snapshot[T any] struct {
	completed   int
	failed      int
	panicked    int
	unprocessed []T // in the order they were accepted
	interrupted []T
	abandoned   []T
	errs        []*ItemError[T]
	dropped     map[string]int
	// accepted is the items Submit and TrySubmit accepted, and missing
	// those of them not counted above (negative if some were counted
	// twice) when settleLimit passed: a bug if non-zero.
	accepted, missing int
}

// settleLimit bounds settle's wait for items moving between two places
// (taken from the queue, not yet in a slot). No user code runs there, so
// the wait is short; the limit only turns a bug into an unbalanced report
// instead of a hang. The wait is what the lock-free items' path costs: a
// worker takes an item with one atomic add and ends it with one
// compare-and-swap (0 allocations, tens of ns per item in
// BenchmarkSubmit), and only the shutdown, once, pays for reading the
// slots consistently.
const settleLimit = 2 * time.Second

// settle takes a snapshot in which every accepted item is in exactly one
// place. It claims every running item as abandoned, for good, so that none
// can end meanwhile, then waits until the counts add up
// to the items accepted: an item between the queue and a slot, or between
// a slot and its list, is in none. Intake must be closed, so that the
// accepted count is final, and the pool must be abandoning (or its workers
// done), so that no item starts without being held on the next pass.
func (p *Pool[T]) settle() snapshot[T] {
	p.readMu.Lock()
	defer p.readMu.Unlock()
	accepted := p.acceptedCount()
	held := make([]bool, len(p.workers))
	var snap snapshot[T]
	start := time.Now()
	for backoff := time.Microsecond; ; backoff = min(2*backoff, time.Millisecond) {
		for i := range p.workers {
			if held[i] {
				continue
			}
			if e, ok := p.workers[i].hold(); ok {
				held[i] = true
				p.mu.Lock()
				p.abandoned = append(p.abandoned, e.item)
				p.mu.Unlock()
			}
		}
		completed := 0
		for i := range p.workers {
			completed += int(p.workers[i].state.Load() >> slotCountShift)
		}
		p.mu.Lock()
		n := completed + p.failed + p.panicked + len(p.unprocessed) + len(p.interrupted) +
			len(p.abandoned)
		if diff := accepted - uint32(n); diff == 0 || time.Since(start) > settleLimit {
			snap = snapshot[T]{
				completed:   completed,
				failed:      p.failed,
				panicked:    p.panicked,
				unprocessed: inOrder(p.unprocessed),
				interrupted: slices.Clone(p.interrupted),
				abandoned:   slices.Clone(p.abandoned),
				errs:        slices.Clone(p.itemErrs),
				dropped:     cloneCounts(p.dropped),
				accepted:    n + int(int32(diff)), // the ticket count is modulo 2^32; n is not
				missing:     int(int32(diff)),
			}
			p.mu.Unlock()
			break
		}
		p.mu.Unlock()
		time.Sleep(backoff)
	}
	for i, h := range held {
		if h {
			p.workers[i].release()
		}
	}
	return snap
}

// cloneCounts returns a copy of m, nil if m is empty: a shutdown with no
// dropped errors allocates no map.
func cloneCounts(m map[string]int) map[string]int {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// acceptedCount returns the items accepted, modulo 2^32. Intake must be
// closed. A submitter admitted just as it closed bumps the tickets and then
// the rejections: the two are read between two equal loads of state with
// none in flight, so that no admission came between them and every
// rejection of the tickets read is counted.
func (p *Pool[T]) acceptedCount() uint32 {
	for backoff := time.Microsecond; ; backoff = min(2*backoff, time.Millisecond) {
		s := p.state.Load()
		rejected := p.rejected.Load()
		if s&stateInFlight == 0 && p.state.Load() == s {
			return uint32(s>>ticketShift) - uint32(rejected)
		}
		time.Sleep(backoff)
	}
}

// inOrder returns the items of es in the order they were accepted. Tickets
// wrap at 2^32; the items waiting at once are far fewer, so the signed
// difference orders them.
func inOrder[T any](es []entry[T]) []T {
	es = slices.Clone(es)
	slices.SortStableFunc(es, func(a, b entry[T]) int { return cmp.Compare(int32(a.seq-b.seq), 0) })
	return items(es)
}

func items[T any](es []entry[T]) []T {
	out := make([]T, len(es))
	for i, e := range es {
		out[i] = e.item
	}
	return out
}

// closeIntake makes every later Submit fail, wakes blocked submitters, waits
// for the ones mid-send, and then closes the queue: no send can follow.
// Every submitter mid-send was admitted before the closed bit was set and
// is now bound to return without blocking, so the wait is short.
func (p *Pool[T]) closeIntake() {
	p.intakeOnce.Do(func() {
		p.state.Or(closedBit)
		close(p.closing)
		for backoff := time.Microsecond; p.state.Load()&stateInFlight != 0; backoff = min(2*backoff, time.Millisecond) {
			time.Sleep(backoff)
		}
		close(p.queue)
		if p.hired.Load() == 0 { // final: no submitter is admitted any more
			// No worker will find the queue closed and empty, or return.
			p.emptyOnce.Do(func() { close(p.emptied) })
			p.idleOnce.Do(func() { close(p.idle) })
		}
	})
}
