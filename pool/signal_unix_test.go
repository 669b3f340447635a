//go:build unix

package pool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
)

func init() {
	childScenarios["stream"] = childStream
	childScenarios["budget"] = childBudget
}

type childReport struct {
	Event                                                       string
	Accepted, Submitted, Completed, Failed, Panicked, Abandoned int
	Unprocessed                                                 int
}

// childStream feeds a pool without pause until a real signal stops it, then
// prints its report as JSON.
func childStream() int {
	l, err := ctrlc.Notify()
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
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
	r, err := p.Run(l.C())
	<-fed
	out, _ := json.Marshal(childReport{r.Event.String(), int(accepted.Load()), r.Submitted, r.Completed,
		len(r.Failed), len(r.Panicked), len(r.Abandoned), len(r.Unprocessed)})
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
	c.Interrupt()
	var r childReport
	readReport(t, c, &r)
	assert.Equal(t, "interrupt (SIGINT)", r.Event)
	assert.GreaterOrEqual(t, r.Accepted, 50)
	assert.Equal(t, r.Accepted, r.Submitted, "every accepted item is counted")
	assert.Equal(t, r.Submitted, r.Completed+r.Failed+r.Panicked+r.Unprocessed+r.Abandoned, "counts balance: %+v", r)
	assert.Zero(t, r.Unprocessed, "policy Finish runs the whole queue")
	assert.Positive(t, r.Failed)
}

// childBudget runs items that ignore their context for a minute, with
// timeouts far longer than its budget; at the first signal only the budget
// can end the shutdown.
func childBudget() int {
	l, err := ctrlc.Notify()
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	p, err := New(func(_ context.Context, id int) error {
		if id%2 == 0 {
			time.Sleep(time.Minute) // ignores its context
		}
		return nil
	}, Options{Workers: 2, QueueSize: 8, ShutdownTimeout: 500 * time.Millisecond,
		DrainTimeout: time.Minute, KillTimeout: time.Minute, HookTimeout: time.Minute})
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
	go func() { <-l.Done(); start <- time.Now() }()
	r, err := p.Run(l.C())
	out, _ := json.Marshal(map[string]any{"event": r.Event.String(), "balanced": r.Balanced(),
		"submitted": r.Submitted, "abandoned": len(r.Abandoned), "unprocessed": len(r.Unprocessed),
		"ms": time.Since(<-start).Milliseconds(), "budgetSpent": errors.Is(err, ErrShutdownTimeout)})
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
	c.Terminate()
	var r struct {
		Event                             string
		Balanced, BudgetSpent             bool
		Submitted, Abandoned, Unprocessed int
		MS                                int64
	}
	line := readReport(t, c, &r)
	assert.Equal(t, "terminate (SIGTERM)", r.Event)
	assert.True(t, r.Balanced, line)
	assert.True(t, r.BudgetSpent, line)
	assert.Equal(t, 5, r.Submitted)
	assert.Equal(t, 2, r.Abandoned, "the two items that ignore their context")
	assert.Equal(t, 3, r.Unprocessed, "the queue, handed back")
	// A logical bound, not a speed check: any timeout but the budget is a minute.
	assert.Less(t, r.MS, int64(30_000), line)
}
