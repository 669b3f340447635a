//go:build unix

package pool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	childScenarios["stream"] = childStream
	childScenarios["budget"] = childBudget
	childScenarios["hurry"] = childHurry
}

type childReport struct {
	Event                                                   string
	Fed, Accepted, Completed, Failed, Panicked, Unprocessed int
	Balanced                                                bool
}

// childStream feeds a pool without pause until a real signal stops it, then
// prints its report as JSON.
func childStream([]string) int {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer stop()
	p, err := New(func(_ context.Context, id int) error {
		time.Sleep(time.Millisecond)
		if id%10 == 9 {
			return errors.New("every tenth fails")
		}
		return nil
	}, Options{Workers: 4, QueueSize: 16})
	if err != nil {
		fmt.Println(err)
		return 3
	}
	var accepted atomic.Int64
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		for id := 0; ; id++ {
			if err := p.Submit(context.Background(), id); err != nil {
				return
			}
			if accepted.Add(1) == 50 {
				fmt.Println("ready")
			}
		}
	}()
	r, err := p.Run(ctx)
	<-fed
	out, _ := json.Marshal(childReport{r.Event.Error(), int(accepted.Load()), r.Accepted, r.Completed,
		r.Failed, r.Panicked, len(r.Unprocessed()), r.Balanced()})
	fmt.Printf("report %s\n", out)
	if err != nil && !strings.Contains(err.Error(), "every tenth fails") {
		fmt.Println("unexpected:", err)
		return 1
	}
	return 0
}

func TestRealSIGINTDrainsAChildsPool(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	c := ctrlctest.Start(t, ctrlctest.Self("stream"))
	c.WaitFor("ready")
	c.Send(ctrlc.Interrupt)
	var r childReport
	line := readReport(t, c, &r)
	assert.Equal(t, "interrupt (SIGINT)", r.Event)
	assert.GreaterOrEqual(t, r.Fed, 50)
	assert.Equal(t, r.Fed, r.Accepted, "every accepted item is counted")
	assert.True(t, r.Balanced, line)
	assert.Equal(t, r.Accepted, r.Completed+r.Failed+r.Panicked+r.Unprocessed, "counts balance: %+v", r)
	assert.Zero(t, r.Unprocessed, "policy Finish runs the whole queue")
	assert.Positive(t, r.Failed)
}

// childBudget runs items that ignore their context for a minute, with
// timeouts far longer than its budget; at the first signal only the budget
// can end the shutdown.
func childBudget([]string) int {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer stop()
	p, err := New(func(_ context.Context, id int) error {
		if id%2 == 0 {
			time.Sleep(time.Minute) // ignores its context
		}
		return nil
	}, Options{Workers: 2, QueueSize: 8, ShutdownTimeout: 500 * time.Millisecond,
		DrainTimeout: time.Minute, CancelGrace: time.Minute, HookTimeout: time.Minute})
	if err != nil {
		fmt.Println(err)
		return 3
	}
	_ = p.OnStop("flush", func(context.Context) error { time.Sleep(time.Minute); return nil })
	for id := 0; id < 10; id += 2 { // both workers stuck, three queued
		_ = p.Submit(context.Background(), id)
	}
	fmt.Println("ready")
	start := make(chan time.Time, 1)
	go func() { <-ctx.Done(); start <- time.Now() }()
	r, err := p.Run(ctx)
	out, _ := json.Marshal(map[string]any{"event": r.Event.Error(), "balanced": r.Balanced(),
		"accepted": r.Accepted, "abandoned": len(r.Abandoned), "queued": len(r.Queued),
		"ms": time.Since(<-start).Milliseconds(), "budgetSpent": errors.Is(err, ErrTimeout) &&
			strings.Contains(err.Error(), "the shutdown's budget of 500ms")})
	fmt.Printf("report %s\n", out)
	return 0
}

// A child whose drain would take minutes is stopped by its 500 ms budget,
// not by an outside SIGKILL: it prints a balanced report and exits by itself.
func TestBudgetStopsAChildsLongDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	c := ctrlctest.Start(t, ctrlctest.Self("budget"))
	c.WaitFor("ready")
	c.Send(ctrlc.Terminate)
	var r struct {
		Event                       string
		Balanced, BudgetSpent       bool
		Accepted, Abandoned, Queued int
		MS                          int64
	}
	line := readReport(t, c, &r)
	assert.Equal(t, "terminate (SIGTERM)", r.Event)
	assert.True(t, r.Balanced, line)
	assert.True(t, r.BudgetSpent, line)
	assert.Equal(t, 5, r.Accepted)
	assert.Equal(t, 2, r.Abandoned, "the two items that ignore their context")
	assert.Equal(t, 3, r.Queued, "the queue, handed back")
	// A logical bound, not a speed check: any timeout but the budget is a minute.
	assert.Less(t, r.MS, int64(30_000), line)
}

// hurryItems is how many items childHurry queues: 2 workers that take
// 500 ms an item would need 10 s for them all.
const hurryItems = 40

// childHurry is a command-line tool as it should be: on Ctrl-C it drains,
// on a second one it hurries, and either way it prints what it did not do
// and then ends by the event (ctrlc.Exit), so that a shell loop around it
// stops too. Each item prints "done <id>" when it completed.
func childHurry([]string) int {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer stop()
	p, err := New(func(ctx context.Context, id int) error {
		select {
		case <-time.After(500 * time.Millisecond):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		fmt.Printf("done %d\n", id)
		return nil
	}, Options{Workers: 2, QueueSize: hurryItems})
	if err != nil {
		fmt.Println(err)
		return 3
	}
	for id := 0; id < hurryItems; id++ {
		if err := p.Submit(ctx, id); err != nil {
			fmt.Println(err)
			return 3
		}
	}
	fmt.Println("ready")
	r, err := p.Run(ctx)
	out, _ := json.Marshal(map[string]any{"unprocessed": r.Unprocessed(), "accepted": r.Accepted,
		"completed": r.Completed, "balanced": r.Balanced(), "hurried": errors.Is(err, ErrHurried)})
	fmt.Printf("report %s\n", out)
	ctrlc.Exit(r.Event)
	return 1 // not reached
}

// Two real SIGINTs 100 ms apart: the second hurries the drain (which would
// take seconds), the child prints its report within about a second and
// dies by SIGINT, and the ids it prints as not done are exactly those that
// did not complete.
func TestRealSecondSIGINTHurriesAChildsDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	c := ctrlctest.Start(t, ctrlctest.Self("hurry"))
	c.WaitFor("ready")
	c.WaitFor("done 0") // a few items completed, two run, the rest wait
	start := time.Now()
	c.Send(ctrlc.Interrupt)
	time.Sleep(100 * time.Millisecond) // past the 50 ms in which a repeat is taken for a duplicate
	c.Send(ctrlc.Interrupt)
	st := c.Wait()
	elapsed := time.Since(start)
	require.True(t, st.EndedBy(ctrlc.Interrupt), "%v; output:\n%s", st, c.Output())
	// The hurried budget is a second; the drain would take seconds, and the
	// listener's backstop ends the process 2 s after the hurry.
	assert.Less(t, elapsed, 1500*time.Millisecond, "output:\n%s", c.Output())
	line := c.WaitFor("report ")
	var r struct {
		Unprocessed         []int
		Accepted, Completed int
		Balanced, Hurried   bool
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "report ")), &r), line)
	assert.True(t, r.Balanced, line)
	assert.True(t, r.Hurried, line)
	assert.Equal(t, hurryItems, r.Accepted)
	done := map[int]bool{}
	for _, l := range c.Lines() {
		if id, ok := strings.CutPrefix(l, "done "); ok {
			n, err := strconv.Atoi(id)
			require.NoError(t, err, l)
			require.False(t, done[n], "item %d completed twice", n)
			done[n] = true
		}
	}
	assert.Equal(t, len(done), r.Completed, line)
	assert.Less(t, len(done), hurryItems/2, "the hurry handed most of the work back")
	for _, id := range r.Unprocessed {
		assert.False(t, done[id], "item %d completed and is unprocessed", id)
		done[id] = true
	}
	assert.Equal(t, hurryItems, len(r.Unprocessed)+r.Completed, line)
	all := slices.Sorted(maps.Keys(done))
	assert.Equal(t, hurryItems, len(all))
	assert.Equal(t, 0, all[0])
	assert.Equal(t, hurryItems-1, all[len(all)-1])
}
