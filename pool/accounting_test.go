package pool

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/internal/escalate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAccountingUnderRandomShutdown is the property test: whatever the
// moment of the stop, the policy, the mix of outcomes, an input closed
// before the stop or not, and a hurry during the shutdown or not, every
// accepted item is reported exactly once: counted as completed, failed or
// panicked, or by value in Queued, Interrupted or Abandoned.
func TestAccountingUnderRandomShutdown(t *testing.T) {
	iterations := 160
	if testing.Short() {
		iterations = 32
	}
	for it := 0; it < iterations; it++ {
		c := accountingCase{
			policy: Policy(it % 2),
			stuck:  it%3 == 0, // some items ignore their context until released
			close:  it%4 == 1, // the input ends (Close) before the stop
			hurry:  it%4 >= 2, // a second event hurries the shutdown
		}
		t.Run(fmt.Sprintf("%d-%v-stuck=%v-close=%v-hurry=%v", it, c.policy, c.stuck, c.close, c.hurry), func(t *testing.T) {
			checkAccounting(t, c, rand.New(rand.NewPCG(uint64(it), 42)))
		})
	}
}

type accountingCase struct {
	policy              Policy
	stuck, close, hurry bool
}

func checkAccounting(t *testing.T, c accountingCase, rng *rand.Rand) {
	var mu sync.Mutex
	// What the handler saw, by id: started, returned nil, and returned an
	// error, panicked or called Goexit.
	started, completed, errored := map[int]bool{}, map[int]bool{}, map[int]bool{}
	note := func(m map[int]bool, id int) { mu.Lock(); m[id] = true; mu.Unlock() }
	release := make(chan struct{})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	p, err := New(func(ctx context.Context, id int) error {
		note(started, id)
		switch {
		case c.stuck && id%97 == 0:
			<-release // ignores its context
		case id%7 == 3:
			select { // honours its context
			case <-ctx.Done():
				note(errored, id)
				return ctx.Err()
			case <-time.After(time.Duration(id%5) * time.Millisecond):
			}
		}
		switch id % 11 {
		case 5:
			note(errored, id)
			return errors.New("failed")
		case 7:
			note(errored, id)
			panic("panicked")
		case 9:
			note(errored, id)
			runtime.Goexit()
		}
		note(completed, id)
		return nil
	}, Options{Workers: 1 + rng.IntN(8), QueueSize: 1 + rng.IntN(32), Policy: c.policy,
		DrainTimeout: time.Duration(1+rng.IntN(5)) * time.Millisecond, CancelGrace: 5 * time.Millisecond})
	require.NoError(t, err)

	const submitters = 6
	accepted := make([][]int, submitters)
	var wg sync.WaitGroup
	for s := 0; s < submitters; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				id := s*1_000_000 + n
				var err error
				if n%2 == 0 {
					err = p.Submit(context.Background(), id)
				} else if err = p.TrySubmit(id); errors.Is(err, ErrQueueFull) {
					continue
				}
				if errors.Is(err, ErrClosed) {
					return
				}
				if !assert.NoError(t, err) {
					return
				}
				accepted[s] = append(accepted[s], id)
			}
		}()
	}
	stopStats, statsDone := make(chan struct{}), make(chan struct{})
	go func() { // Stats from another goroutine all along: -race checks it
		defer close(statsDone)
		for {
			s := p.Stats()
			if s.Queued < 0 || s.Running > 8 || s.Completed < 0 || s.Failed < 0 || s.Panicked < 0 {
				t.Errorf("impossible stats: %+v", s)
			}
			select {
			case <-stopStats:
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
	if c.close {
		require.NoError(t, p.Close())
		time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
	}
	// The stop, as ctrlc.NotifyContext makes it: a context cancelled with
	// the first event, carrying the escalation that a second event hurries.
	esc := escalate.New()
	ctx, cancel := context.WithCancelCause(escalate.With(context.Background(), esc))
	first := ctrlc.Event{Kind: ctrlc.Interrupt, Seq: 1}
	esc.Stop(first)
	cancel(first)
	hurried := make(chan struct{})
	if c.hurry {
		delay := time.Duration(rng.IntN(3000)) * time.Microsecond
		go func() {
			defer close(hurried)
			time.Sleep(delay)
			esc.Hurry(ctrlc.Event{Kind: ctrlc.Interrupt, Seq: 2})
		}()
	} else {
		close(hurried)
	}
	r, err := p.Run(ctx)
	wg.Wait()
	close(stopStats)
	<-statsDone
	<-hurried
	require.NotNil(t, r)
	if r.Event.Kind != 0 { // zero when the input ended and every item ran before the stop
		assert.Equal(t, first, r.Event)
	}

	seen := map[int]string{}
	for outcome, ids := range map[string][]int{"queued": r.Queued, "interrupted": r.Interrupted, "abandoned": r.Abandoned} {
		for _, id := range ids {
			prev, dup := seen[id]
			require.False(t, dup, "item %d is both %s and %s", id, prev, outcome)
			seen[id] = outcome
		}
	}
	mu.Lock()
	for _, id := range r.Queued {
		require.False(t, started[id], "item %d is queued, but it started", id)
	}
	for _, id := range r.Interrupted {
		require.True(t, errored[id], "item %d is interrupted, but it did not fail", id)
	}
	done, failed := 0, 0
	for id := range completed {
		if outcome, dup := seen[id]; dup {
			// An abandoned item may return later; no other outcome may
			// also be a completion.
			require.Equal(t, "abandoned", outcome, "item %d completed and is %s", id, outcome)
			continue
		}
		seen[id] = "completed"
		done++
	}
	for id := range errored {
		if outcome, dup := seen[id]; dup {
			require.Contains(t, []string{"interrupted", "abandoned"}, outcome, "item %d failed and is %s", id, outcome)
			continue
		}
		seen[id] = "failed"
		failed++
	}
	mu.Unlock()
	total := 0
	for _, ids := range accepted {
		for _, id := range ids {
			_, ok := seen[id]
			require.True(t, ok, "accepted item %d is lost", id)
			delete(seen, id)
			total++
		}
	}
	require.Empty(t, seen, "items reported that were never accepted")
	assert.Equal(t, total, r.Accepted)
	assert.Equal(t, done, r.Completed)
	assert.Equal(t, failed, r.Failed+r.Panicked)
	assert.True(t, r.Balanced())
	assert.Len(t, r.Unprocessed(), len(r.Queued)+len(r.Interrupted)+len(r.Abandoned))
	if c.policy == Finish && !errors.Is(err, ErrTimeout) && !errors.Is(err, ErrHurried) {
		assert.Empty(t, r.Queued, "policy Finish hands back only after the drain deadline or a hurry")
	}
}
