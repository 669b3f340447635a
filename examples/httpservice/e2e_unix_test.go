//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The load: a constant rate well under what the service can take, so that
// every failure is the shutdown's doing, not overload's.
const (
	rate      = 100 // requests per second
	budget    = 10 * time.Second
	announce  = 2 * time.Second       // the service's readiness-off delay
	lbPoll    = 50 * time.Millisecond // how often the "load balancer" probes /readyz
	lbLag     = time.Second           // how long it keeps sending after a failed probe (endpoint propagation)
	sigtermAt = 100                   // accepted requests before SIGTERM: about a second of load
)

// outcome is what one run under load did.
type outcome struct {
	sent, accepted  int
	failedBeforeOff int // failed requests sent before readiness turned off
	failedAfterOff  int // sent after it, before the load balancer stopped sending
	firstFailures   []string
	acceptedIDs     map[int]bool
	done, pending   map[int]int // job id -> times it appears in done.log, pending.log
	lost            []int       // accepted, neither done nor handed back
	code            int         // exit code
	exitAfter       time.Duration
	output          string
}

func (o outcome) String() string {
	return fmt.Sprintf("sent %d, accepted %d, failed %d before readiness off + %d after; jobs completed %d, handed back %d, lost %d; exit %d %v after SIGTERM",
		o.sent, o.accepted, o.failedBeforeOff, o.failedAfterOff, len(o.done), len(o.pending), len(o.lost), o.code, o.exitAfter.Round(time.Millisecond))
}

// underLoad starts the service with args and a store in dir, drives it at a
// constant rate with vegeta, sends SIGTERM once sigtermAt requests were
// accepted, and stops the load lbLag after /readyz fails or the port closes,
// as a load balancer would. The readiness-off time is the one the service
// printed, or (naive: it never turns readiness off) when the load balancer
// noticed.
func underLoad(t *testing.T, dir string, args ...string) outcome {
	t.Helper()
	p := ctrlctest.Start(t, command(append([]string{"-addr", "127.0.0.1:0", "-store", dir}, args...)...))
	line := p.WaitFor("listening on ")
	base := strings.Fields(strings.TrimPrefix(line, "listening on "))[0]
	if _, err := url.Parse(base); err != nil {
		t.Fatalf("listening line %q: %v", line, err)
	}

	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	defer transport.CloseIdleConnections()
	atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Transport: transport}), vegeta.Timeout(budget))
	var nextID atomic.Int64
	targets := func(tg *vegeta.Target) error {
		tg.Method = http.MethodPost
		tg.URL = fmt.Sprintf("%s/jobs?id=%d", base, nextID.Add(1))
		return nil
	}

	// The load balancer: probes /readyz and stops sending lbLag after the
	// first failure (Kubernetes takes the endpoint out asynchronously).
	var lbStopped time.Time
	lbDone, attackDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(lbDone)
		probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		tick := time.NewTicker(lbPoll)
		defer tick.Stop()
		for {
			select {
			case <-attackDone:
				return
			case <-tick.C:
			}
			resp, err := probe.Get(base + "/readyz")
			if err == nil {
				resp.Body.Close()
			}
			if err != nil || resp.StatusCode != http.StatusOK {
				lbStopped = time.Now()
				select {
				case <-time.After(lbLag):
				case <-attackDone:
				}
				atk.Stop()
				return
			}
		}
	}()

	var results []*vegeta.Result
	var sigterm time.Time
	for res := range atk.Attack(targets, vegeta.Rate{Freq: rate, Per: time.Second}, 2*budget, "httpservice") {
		results = append(results, res)
		if res.Code == http.StatusAccepted && sigterm.IsZero() && len(results) >= sigtermAt {
			sigterm = time.Now()
			p.Send(ctrlc.Terminate)
		}
	}
	close(attackDone)
	<-lbDone
	if sigterm.IsZero() {
		t.Fatalf("the load ended before SIGTERM: %d results; output:\n%s", len(results), p.Output())
	}

	var o outcome
	o.code = p.Wait().Code
	o.exitAfter = time.Since(sigterm) // a bound from above: when Wait returned
	o.output = p.Output()
	off := lbStopped
	for _, l := range p.Lines() {
		if s, ok := strings.CutPrefix(l, "readiness off at "); ok {
			var err error
			if off, err = time.Parse(time.RFC3339Nano, s); err != nil {
				t.Fatalf("readiness line %q: %v", l, err)
			}
		}
	}
	if off.IsZero() {
		t.Fatalf("readiness never turned off and the load balancer never noticed; output:\n%s", o.output)
	}

	o.acceptedIDs = map[int]bool{}
	for _, r := range results {
		o.sent++
		if r.Code == http.StatusAccepted && r.Error == "" {
			o.accepted++
			u, _ := url.Parse(r.URL)
			id, err := strconv.Atoi(u.Query().Get("id"))
			if err != nil {
				t.Fatalf("result URL %q: %v", r.URL, err)
			}
			o.acceptedIDs[id] = true
			continue
		}
		if r.Timestamp.Before(off) {
			o.failedBeforeOff++
		} else {
			o.failedAfterOff++
		}
		if len(o.firstFailures) < 5 {
			o.firstFailures = append(o.firstFailures, fmt.Sprintf("%s at %s: %d %s", r.URL, r.Timestamp.Format("15:04:05.000"), r.Code, r.Error))
		}
	}
	o.done = readIDs(t, filepath.Join(dir, "done.log"), "done ")
	o.pending = readIDs(t, filepath.Join(dir, "pending.log"), "")
	for id := range o.acceptedIDs {
		if o.done[id] == 0 && o.pending[id] == 0 {
			o.lost = append(o.lost, id)
		}
	}
	return o
}

// readIDs counts the job ids in the lines of path that start with prefix.
func readIDs(t *testing.T, path, prefix string) map[int]int {
	t.Helper()
	ids := map[int]int{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return ids
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		id, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s: line %q: %v", path, sc.Text(), err)
		}
		ids[id]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkGraceful asserts what the service promises under load.
func checkGraceful(t *testing.T, o outcome) {
	t.Helper()
	if o.code != 0 {
		t.Errorf("exit code %d, want 0", o.code)
	}
	// One budget bounds the whole shutdown; the slack is the process's exit.
	if o.exitAfter > budget+2*time.Second {
		t.Errorf("exited %v after SIGTERM, over the %v budget", o.exitAfter, budget)
	}
	if o.failedBeforeOff != 0 {
		t.Errorf("%d requests sent before readiness turned off failed: %v", o.failedBeforeOff, o.firstFailures)
	}
	if len(o.lost) != 0 {
		t.Errorf("%d accepted jobs neither completed nor handed back: %v", len(o.lost), o.lost)
	}
	for id, n := range o.done {
		if n > 1 {
			t.Errorf("job %d done %d times", id, n)
		}
		if o.pending[id] > 0 {
			t.Errorf("job %d both done and handed back", id)
		}
	}
	// Every job the service ran or handed back was accepted: no response was
	// cut after its job was queued.
	for _, ids := range []map[int]int{o.done, o.pending} {
		for id := range ids {
			if !o.acceptedIDs[id] {
				t.Errorf("job %d was queued but its request did not get its 202", id)
			}
		}
	}
	if !strings.Contains(o.output, "balanced true") {
		t.Errorf("no balanced report; output:\n%s", o.output)
	}
	if t.Failed() {
		t.Logf("output:\n%s", o.output)
	}
}

func TestGracefulUnderLoad(t *testing.T) {
	o := underLoad(t, t.TempDir(), "-announce", announce.String(), "-budget", budget.String(), "-workers", "8", "-job", "50ms")
	t.Logf("graceful: %v", o)
	checkGraceful(t, o)
	if o.accepted < sigtermAt {
		t.Errorf("only %d requests accepted", o.accepted)
	}
}

// TestNaiveUnderLoad measures what the program without readiness, Shutdown
// or a drain loses under the same load: the numbers in the README.
func TestNaiveUnderLoad(t *testing.T) {
	o := underLoad(t, t.TempDir(), "-naive", "-workers", "8", "-job", "50ms")
	t.Logf("naive: %v", o)
	// SIGTERM comes with about five jobs running (50 ms each at 100 per
	// second): the naive program exits without them.
	if len(o.lost) == 0 {
		t.Errorf("the naive program lost no accepted job: the comparison shows nothing; output:\n%s", o.output)
	}
}

// TestHandBackAndResume: with policy skip and a queue that grows under
// the load, the queued jobs come back at shutdown, are saved, and the next
// start runs them: every accepted job is done exactly once in the end.
func TestHandBackAndResume(t *testing.T) {
	dir := t.TempDir()
	o := underLoad(t, dir, "-announce", announce.String(), "-budget", budget.String(),
		"-policy", "skip", "-workers", "2", "-job", "200ms", "-queue", "1000")
	t.Logf("skip: %v", o)
	checkGraceful(t, o)
	if len(o.pending) == 0 {
		t.Fatalf("nothing handed back: the queue did not grow (completed %d)", len(o.done))
	}

	done := resume(t, dir, len(o.pending))
	for id := range o.acceptedIDs {
		if done[id] != 1 {
			t.Errorf("job %d done %d times, want once", id, done[id])
		}
	}
}

// resume restarts the service on the store in dir, checks that it resumed
// the want jobs handed back, stops it (policy finish: it runs them all) and
// returns the ids in done.log.
func resume(t *testing.T, dir string, want int) map[int]int {
	t.Helper()
	p := ctrlctest.Start(t, command("-addr", "127.0.0.1:0", "-store", dir, "-announce", "0s", "-workers", "8", "-job", "50ms"))
	if line := p.WaitFor("listening on "); !strings.Contains(line, fmt.Sprintf("%d pending jobs resumed", want)) {
		t.Fatalf("want %d pending jobs resumed: %q", want, line)
	}
	p.Send(ctrlc.Terminate)
	if st := p.Wait(); !st.Success() {
		t.Fatalf("restart: %v; output:\n%s", st, p.Output())
	}
	if left := readIDs(t, filepath.Join(dir, "pending.log"), ""); len(left) != 0 {
		t.Errorf("%d jobs still pending after the policy-finish restart", len(left))
	}
	return readIDs(t, filepath.Join(dir, "done.log"), "done ")
}

// doneLines counts the whole lines of done.log in dir, which the service
// may be writing.
func doneLines(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "done.log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, waitTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startWithJobs starts the service with args and a store in dir, and has it
// accept n jobs (ids 1..n) with plain requests.
func startWithJobs(t *testing.T, dir string, n int, args ...string) *ctrlctest.Process {
	t.Helper()
	p := ctrlctest.Start(t, command(append([]string{"-addr", "127.0.0.1:0", "-store", dir}, args...)...))
	base := strings.Fields(strings.TrimPrefix(p.WaitFor("listening on "), "listening on "))[0]
	client := &http.Client{Timeout: waitTimeout, Transport: &http.Transport{DisableKeepAlives: true}}
	for id := 1; id <= n; id++ {
		resp, err := client.Post(fmt.Sprintf("%s/jobs?id=%d", base, id), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("job %d: %s", id, resp.Status)
		}
	}
	return p
}

// checkAllBack asserts that jobs 1..n are each either done or pending, once.
func checkAllBack(t *testing.T, dir string, n int) (done, pending map[int]int) {
	t.Helper()
	done = readIDs(t, filepath.Join(dir, "done.log"), "done ")
	pending = readIDs(t, filepath.Join(dir, "pending.log"), "")
	for id := 1; id <= n; id++ {
		if done[id]+pending[id] != 1 {
			t.Errorf("job %d: done %d times, handed back %d times; want once in all", id, done[id], pending[id])
		}
	}
	return done, pending
}

// stopWithin sends p a SIGTERM, waits for it to exit and returns its exit
// code; an exit later than grace after the signal fails the test.
func stopWithin(t *testing.T, p *ctrlctest.Process, grace time.Duration) int {
	t.Helper()
	sent := time.Now()
	p.Send(ctrlc.Terminate)
	st := p.Wait()
	ended := time.Now() // a bound from above
	t.Logf("%v, %v after SIGTERM; output:\n%s", st, ended.Sub(sent).Round(time.Millisecond), p.Output())
	if took := ended.Sub(sent); took > grace {
		t.Errorf("exited %v after SIGTERM, past the %v grace period", took, grace)
	}
	return st.Code
}

// TestGracePeriodCutsTheDrain: jobs that cannot finish before the
// supervisor's deadline (-grace) are interrupted and handed back, and the
// process exits before the deadline, whatever the longer -budget says.
func TestGracePeriodCutsTheDrain(t *testing.T) {
	const n, grace = 20, 3 * time.Second
	dir := t.TempDir()
	p := startWithJobs(t, dir, n, "-announce", "200ms", "-budget", "25s", "-grace", grace.String(), "-workers", "8", "-job", "1h")
	code := stopWithin(t, p, grace)
	_, pending := checkAllBack(t, dir, n)
	if len(pending) != n {
		t.Errorf("%d jobs handed back, want all %d (none can finish)", len(pending), n)
	}
	if !strings.Contains(p.Output(), "interrupted 8 ") {
		t.Errorf("want the 8 running jobs interrupted")
	}
	if code == 0 {
		t.Errorf("exit 0, want an error: the drain was cut short")
	}
	// The drain was cut by the deadline, yet the OnStop hook (close store)
	// ran inside the budget and without error.
	if out := p.Output(); !strings.Contains(out, "stage on-stop") || strings.Contains(out, "* on-stop:") {
		t.Errorf("want the on-stop stage run without error before the deadline")
	}
}

// TestSecondSignalHurries: a second SIGTERM 100 ms after the first (past
// ctrlc's 50 ms repeat window) hurries the shutdown, here during a 20 s
// announce: Run returns within about a second with the jobs not done, by
// value, and the program saves them on its one path after Run, then exits
// by itself with 1 (the drain was cut), not by the signal (which it would,
// had the hurried Run not returned within 2 s). Every job is done or handed
// back, once; a restart runs the handed-back ones, once.
func TestSecondSignalHurries(t *testing.T) {
	const n = 40
	dir := t.TempDir()
	p := startWithJobs(t, dir, n, "-announce", "20s", "-budget", "25s", "-workers", "4", "-job", "300ms")
	waitUntil(t, "4 jobs done", func() bool { return doneLines(t, dir) >= 4 })
	p.Send(ctrlc.Terminate)
	time.Sleep(100 * time.Millisecond)
	second := time.Now()
	p.Send(ctrlc.Terminate)
	st := p.Wait()
	took := time.Since(second) // a bound from above
	out := p.Output()
	t.Logf("%v, %v after the second SIGTERM; output:\n%s", st, took.Round(time.Millisecond), out)
	if st.Code != 1 {
		t.Errorf("%v, want exit code 1: the hurried Run returned its report, with errors", st)
	}
	if took > 5*time.Second {
		t.Errorf("exited %v after the second SIGTERM, want about a second", took)
	}
	if !strings.Contains(out, "hurried true") || !strings.Contains(out, "balanced true") {
		t.Errorf("want a hurried, balanced report")
	}
	done, pending := checkAllBack(t, dir, n)
	if len(done) == 0 || len(pending) == 0 {
		t.Errorf("%d jobs done, %d handed back: want some of each", len(done), len(pending))
	}
	if !strings.Contains(out, fmt.Sprintf("handed back %d jobs to pending.log", len(pending))) {
		t.Errorf("the report does not hand back the %d jobs in pending.log", len(pending))
	}

	done = resume(t, dir, len(pending))
	for id := 1; id <= n; id++ {
		if done[id] != 1 {
			t.Errorf("job %d done %d times after the restart, want once", id, done[id])
		}
	}
}

// TestAnnounceLongerThanGrace: when the grace period ends before the
// announce delay does, the HTTP shutdown never ran; the service still exits
// before the grace period ends, its jobs handed back.
func TestAnnounceLongerThanGrace(t *testing.T) {
	const n, grace = 5, 2 * time.Second
	dir := t.TempDir()
	p := startWithJobs(t, dir, n, "-announce", "20s", "-budget", "25s", "-grace", grace.String(), "-workers", "2", "-job", "1h")
	code := stopWithin(t, p, grace)
	if code == 0 {
		t.Errorf("exit 0, want an error: the announce was cut short")
	}
	checkAllBack(t, dir, n)
}
