//go:build unix

package ctrlc_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// The escalation with real signals to a real program: a child that drains a
// pool under a NotifyContext context, the way the package documentation
// shows it, gets the first, second and third signal from the test.

func init() { ctrlc.ChildScenarios["pool"] = childPool }

const (
	poolItems     = 10
	poolCompleted = 2 // items 0 and 1 complete at once; the others wait for their context
)

// childPool runs a pool of two workers on the items 0…9 under
// ctrlc.NotifyContext: items 0 and 1 complete at once, the others block
// until their context ends and then fail with its cause (args[0] ==
// "stubborn": they ignore it and never return). Once the two workers are
// busy it prints "ready" and calls Run; its BeforeStop hook prints
// "stopping". When Run returns it prints the ids of the report's
// Unprocessed items, one a line, and ends with ctrlc.Exit(report.Event).
func childPool(args []string) int {
	stubborn := len(args) > 0 && args[0] == "stubborn"
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer stop()
	var running atomic.Int32
	busy := make(chan struct{})
	p, err := pool.New(func(ictx context.Context, id int) error {
		if id < poolCompleted {
			fmt.Println("completed", id)
			return nil
		}
		fmt.Println("running", id)
		if running.Add(1) == 2 {
			close(busy)
		}
		if stubborn {
			select {} // ignores its context
		}
		<-ictx.Done()
		return context.Cause(ictx)
	}, pool.Options{Workers: 2})
	if err != nil {
		fmt.Println(err)
		return 3
	}
	if err := p.BeforeStop("announce", func(context.Context) error {
		fmt.Println("stopping")
		return nil
	}); err != nil {
		fmt.Println(err)
		return 3
	}
	for id := 0; id < poolItems; id++ {
		if err := p.Submit(ctx, id); err != nil {
			fmt.Println("submit:", err)
			return 3
		}
	}
	<-busy
	fmt.Println("ready")
	report, err := p.Run(ctx)
	fmt.Printf("report: accepted=%d completed=%d queued=%d interrupted=%d abandoned=%d balanced=%v\n",
		report.Accepted, report.Completed, len(report.Queued), len(report.Interrupted), len(report.Abandoned), report.Balanced())
	fmt.Printf("run error: %v\n", err != nil)
	for _, id := range report.Unprocessed() {
		fmt.Println("unprocessed", id)
	}
	fmt.Printf("event %v seq=%d\n", report.Event, report.Event.Seq)
	ctrlc.Exit(report.Event)
	return 4
}

var poolSignals = map[ctrlc.Kind]unix.Signal{ctrlc.Interrupt: unix.SIGINT, ctrlc.Terminate: unix.SIGTERM}

// startPool starts childPool, waits until its workers are busy, sends the
// first event of kind k and waits until the drain has begun.
func startPool(t *testing.T, k ctrlc.Kind, args ...string) *ctrlctest.Process {
	t.Helper()
	if testing.Short() {
		t.Skip("starts child processes")
	}
	c := startWithDefaults(t, ctrlctest.Self("pool", args...))
	c.WaitFor("ready")
	c.Send(k)
	c.WaitFor("stopping") // Run's drain is under way: the next event finds it
	return c
}

// ids returns the ids on the child's lines that start with word.
func ids(t *testing.T, c *ctrlctest.Process, word string) []int {
	t.Helper()
	var got []int
	for _, line := range c.Lines() {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == word {
			id, err := strconv.Atoi(f[1])
			require.NoError(t, err, line)
			got = append(got, id)
		}
	}
	return got
}

// checkReport checks that the ids the child printed as unprocessed are
// exactly those that did not complete, none twice.
func checkReport(t *testing.T, c *ctrlctest.Process) {
	t.Helper()
	completed, unprocessed := ids(t, c, "completed"), ids(t, c, "unprocessed")
	assert.ElementsMatch(t, []int{0, 1}, completed, c.Output())
	seen := map[int]bool{}
	for _, id := range unprocessed {
		assert.False(t, seen[id], "id %d printed twice; output:\n%s", id, c.Output())
		seen[id] = true
		assert.NotContains(t, completed, id, "a completed item is unprocessed too")
	}
	var want []int
	for id := 0; id < poolItems; id++ {
		if !slices.Contains(completed, id) {
			want = append(want, id)
		}
	}
	got := slices.Clone(unprocessed)
	slices.Sort(got)
	assert.Equal(t, want, got, "the unprocessed ids are exactly those not completed; output:\n%s", c.Output())
	assert.Equal(t, 1, c.Count("balanced=true"), c.Output())
}

// The second signal hurries the drain: the items still queued come back
// unrun, the running ones are cancelled, Run returns its report at once, and
// the child saves it and dies by the signal, without the backstop. The
// second signal comes 100 ms after the drain began, or a human's 300 ms.
func TestSecondSignalHurriesThePool(t *testing.T) {
	for _, k := range []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate} {
		for _, gap := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond} {
			t.Run(fmt.Sprintf("%v/%v", k, gap), func(t *testing.T) {
				c := startPool(t, k)
				time.Sleep(gap)
				sent := time.Now()
				c.Send(k)
				st := c.Wait()
				took := time.Since(sent)
				t.Logf("gone %v after the second signal", took)
				require.Equal(t, poolSignals[k], st.Signal, "%v; output:\n%s", st, c.Output())
				assert.True(t, st.EndedBy(k))
				out := c.Output()
				assert.Contains(t, out, fmt.Sprintf("ctrlc: %v (%v) again: hurrying the shutdown (once more ends the program now)", k, unix.SignalName(poolSignals[k])))
				assert.Contains(t, out, "report: accepted=10 completed=2 queued=6 interrupted=2 abandoned=0 balanced=true")
				assert.Contains(t, out, fmt.Sprintf("event %v (%v) seq=1", k, unix.SignalName(poolSignals[k])), "the report's event is the stop")
				assert.NotContains(t, out, "exiting now", "neither the backstop nor a forced exit: the child ended by itself")
				checkReport(t, c)
				// Run returns about at once here; the bound is the backstop's
				// 2 s, which the child itself would have enforced, plus the
				// process's end.
				assert.Less(t, took, 3*time.Second)
			})
		}
	}
}

// Items that ignore their context are abandoned at the end of the hurried
// budget, about a second after the second signal: the report still comes
// back, with them in it, before the 2 s backstop.
func TestSecondSignalAbandonsStubbornItems(t *testing.T) {
	for _, k := range []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate} {
		t.Run(k.String(), func(t *testing.T) {
			c := startPool(t, k, "stubborn")
			time.Sleep(100 * time.Millisecond)
			sent := time.Now()
			c.Send(k)
			st := c.Wait()
			took := time.Since(sent)
			t.Logf("gone %v after the second signal", took)
			require.Equal(t, poolSignals[k], st.Signal, "%v; output:\n%s", st, c.Output())
			out := c.Output()
			assert.Contains(t, out, "report: accepted=10 completed=2 queued=6 interrupted=0 abandoned=2 balanced=true")
			assert.NotContains(t, out, "did not return within", "no backstop: the hurried Run returned in time")
			checkReport(t, c)
			assert.Less(t, took, 3*time.Second)
		})
	}
}

// The third signal ends the process at once, while the hurried drain still
// waits for items that ignore their context: no report, and far sooner than
// the hurried budget (about a second) or the 2 s backstop would.
func TestThirdSignalEndsTheProcessAtOnce(t *testing.T) {
	for _, k := range []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate} {
		t.Run(k.String(), func(t *testing.T) {
			c := startPool(t, k, "stubborn")
			time.Sleep(100 * time.Millisecond)
			c.Send(k)
			c.WaitFor("hurrying the shutdown")
			time.Sleep(100 * time.Millisecond) // past the repeat window of the second
			sent := time.Now()
			c.Send(k)
			st := c.Wait()
			took := time.Since(sent)
			t.Logf("gone %v after the third signal", took)
			require.Equal(t, poolSignals[k], st.Signal, "%v; output:\n%s", st, c.Output())
			out := c.Output()
			assert.Contains(t, out, fmt.Sprintf("ctrlc: %v (%v) is event 3 during the shutdown: exiting now", k, unix.SignalName(poolSignals[k])))
			assert.NotContains(t, out, "report:", "the process ended before the drain returned")
			assert.Less(t, took, time.Second, "the third signal exits at once, not at the end of the hurry or at the backstop")
		})
	}
}
