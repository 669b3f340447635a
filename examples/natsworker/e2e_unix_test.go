//go:build unix

package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	messages = 5000
	replicas = 3
	stream   = "JOBS"
	durable  = "workers"
)

// startJetStream runs a JetStream server in this process, on 127.0.0.1 with
// a store in a temporary directory, and returns a connection to it.
func startJetStream(t *testing.T) (*server.Server, jetstream.JetStream) {
	t.Helper()
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready after 10s")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return s, js
}

// publish puts messages numbered 1..n on the stream.
func publish(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: stream, Subjects: []string{"jobs"}}); err != nil {
		t.Fatal(err)
	}
	futures := make([]jetstream.PubAckFuture, 0, n)
	for id := 1; id <= n; id++ {
		f, err := js.PublishAsync("jobs", []byte(strconv.Itoa(id)))
		if err != nil {
			t.Fatal(err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			t.Fatalf("publishing %s: %v", f.Msg().Data, err)
		case <-ctx.Done():
			t.Fatal("publishing: no ack after 30s")
		}
	}
}

// fleet is the replicas of one run, every process ever started.
type fleet struct {
	t    *testing.T
	args []string
	all  []*ctrlctest.Process
	live []*ctrlctest.Process
}

func (f *fleet) start(name string) *ctrlctest.Process {
	p := ctrlctest.Start(f.t, command(append([]string{"-name", name}, f.args...)...))
	p.WaitFor(name + ": fetching")
	f.all = append(f.all, p)
	return p
}

// processed counts the "processed" lines of every replica so far.
func (f *fleet) processed() int {
	n := 0
	for _, p := range f.all {
		n += countPrefix(p, "processed ")
	}
	return n
}

// ids counts, over every replica's output, the ids on lines starting with prefix.
func (f *fleet) ids(prefix string) map[int]int {
	ids := map[int]int{}
	for _, p := range f.all {
		for id, n := range idsIn(f.t, p, prefix) {
			ids[id] += n
		}
	}
	return ids
}

func idsIn(t *testing.T, p *ctrlctest.Process, prefix string) map[int]int {
	ids := map[int]int{}
	for _, l := range p.Lines() {
		if s, ok := strings.CutPrefix(l, prefix); ok {
			id, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			ids[id]++
		}
	}
	return ids
}

// stopBy is how a rolling run stops each replica it replaces.
type stopBy int

const (
	bySIGTERM stopBy = iota // a real SIGTERM (ctrlc.Terminate): the replica drains
	bySIGKILL               // killed outright
)

// rollingRun publishes the messages, starts the replicas, and replaces them
// one by one, stopped as how says, while they work, then waits until the
// consumer has nothing pending or unacked. It returns the fleet, and how
// many messages the killed replicas held unacked when they went (received,
// not acked): the most that can run twice.
func rollingRun(t *testing.T, how stopBy, args ...string) (*fleet, int) {
	s, js := startJetStream(t)
	publish(t, js, messages)
	f := &fleet{t: t, args: append([]string{"-url", s.ClientURL(), "-stream", stream, "-consumer", durable}, args...)}
	for i := range replicas {
		f.live = append(f.live, f.start(fmt.Sprintf("r%d", i)))
	}
	heldAtKill := 0
	for i := range replicas {
		// Replace replica i once the fleet is well into the work.
		waitUntil(t, fmt.Sprintf("%d messages processed", (i+1)*messages/5), func() bool { return f.processed() >= (i+1)*messages/5 })
		old := f.live[i]
		switch how {
		case bySIGTERM:
			old.Send(ctrlc.Terminate)
			if st := old.Wait(); !st.Success() {
				t.Fatalf("replica r%d: %v after SIGTERM, want exit code 0; output tail:\n%s", i, st, tail(old))
			}
			if line := old.WaitFor("report:"); !strings.Contains(line, "balanced true") {
				t.Errorf("replica r%d: %s", i, line)
			} else {
				t.Logf("r%d: %s", i, line)
			}
		case bySIGKILL:
			if err := old.Cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			old.Wait()
			received, acked := idsIn(t, old, "received "), idsIn(t, old, "acked ")
			for id, n := range received {
				heldAtKill += max(n-acked[id], 0)
			}
		}
		f.live[i] = f.start(fmt.Sprintf("r%d'", i))
	}

	// Every message acked: nothing left to deliver, nothing unacked.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := js.Consumer(ctx, stream, durable)
	if err != nil {
		t.Fatal(err)
	}
	var info *jetstream.ConsumerInfo
	waitUntil(t, "the consumer to have every message acked", func() bool {
		ictx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		info, err = c.Info(ictx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	})
	if info.AckFloor.Stream != messages {
		t.Errorf("ack floor at stream sequence %d, want %d", info.AckFloor.Stream, messages)
	}
	for _, p := range f.live {
		p.Send(ctrlc.Terminate)
	}
	for _, p := range f.live {
		if st := p.Wait(); !st.Success() {
			t.Errorf("a replica: %v after SIGTERM, want exit code 0; output tail:\n%s", st, tail(p))
		}
	}
	return f, heldAtKill
}

// checkEveryMessage asserts that every message was processed at least once
// and acked, and returns how many ran more than once. held is how many acks
// killed replicas may have sent without living to print them.
func checkEveryMessage(t *testing.T, f *fleet, held int) (twice int) {
	t.Helper()
	processed, acked := f.ids("processed "), f.ids("acked ")
	missing := 0
	for id := 1; id <= messages; id++ {
		if processed[id] == 0 {
			missing++
			if missing <= 5 {
				t.Errorf("message %d never processed", id)
			}
		}
		if processed[id] > 1 {
			twice += processed[id] - 1
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d messages never processed", missing, messages)
	}
	// The consumer's ack floor (checked in rollingRun) proves the acks; a
	// killed replica may have died between an ack and its line.
	if len(acked) < messages-held {
		t.Errorf("only %d distinct messages acked, want at least %d", len(acked), messages-held)
	}
	if len(processed) != messages {
		t.Errorf("%d distinct ids processed, want %d", len(processed), messages)
	}
	return twice
}

// TestRollingRestartSIGTERM: a rolling update with SIGTERM loses nothing
// and, with policy finish, processes nothing twice: each replica stops
// fetching, finishes what it holds, and Naks what it fetched too late.
func TestRollingRestartSIGTERM(t *testing.T) {
	f, _ := rollingRun(t, bySIGTERM, "-workers", "4", "-job", "10ms", "-ackwait", "30s")
	twice := checkEveryMessage(t, f, 0)
	t.Logf("SIGTERM rolling restart: %d messages, %d replicas replaced, %d processed twice, %d Nak'ed",
		messages, replicas, twice, len(f.ids("nak'ed ")))
	if twice != 0 {
		t.Errorf("%d messages processed twice, want 0 with policy finish", twice)
	}
}

// TestRollingRestartSkip: with policy skip the replicas Nak what they
// queued instead of running it; still nothing lost, nothing twice.
func TestRollingRestartSkip(t *testing.T) {
	f, _ := rollingRun(t, bySIGTERM, "-workers", "4", "-job", "10ms", "-ackwait", "30s", "-policy", "skip")
	twice := checkEveryMessage(t, f, 0)
	t.Logf("SIGTERM rolling restart, policy skip: %d processed twice, %d Nak'ed", twice, len(f.ids("nak'ed ")))
	if twice != 0 {
		t.Errorf("%d messages processed twice, want 0: a Nak'ed message never ran", twice)
	}
}

// TestRollingRestartSIGKILL: replicas killed outright drop what they held;
// the server redelivers it after AckWait, so nothing is lost, and at most
// what the killed replicas held unacked runs twice.
func TestRollingRestartSIGKILL(t *testing.T) {
	f, held := rollingRun(t, bySIGKILL, "-workers", "4", "-job", "10ms", "-ackwait", "2s")
	twice := checkEveryMessage(t, f, held)
	t.Logf("SIGKILL rolling restart: %d processed twice, at most %d possible (held unacked at the kills)", twice, held)
	if held == 0 {
		t.Error("the killed replicas held no unacked message: the run proved nothing about redelivery")
	}
	if twice > held {
		t.Errorf("%d messages processed twice, more than the %d the killed replicas held unacked", twice, held)
	}
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

// countPrefix counts the output lines of p that start with prefix
// (Process.Count counts those that contain it).
func countPrefix(p *ctrlctest.Process, prefix string) int {
	n := 0
	for _, l := range p.Lines() {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

func tail(p *ctrlctest.Process) string {
	l := p.Lines()
	return strings.Join(l[max(len(l)-20, 0):], "\n")
}

// handBack publishes n messages, starts a slow replica with args, waits
// until ready(slow), and stops it with stop. Then it starts a fast replica
// and waits until the two acked every message between them: AckWait
// (10 minutes) is far longer than the test may take, so a message the slow
// replica took and did not ack can only have come back by a Nak. Every
// message is processed and acked once, none twice.
func handBack(t *testing.T, n int, ready func(slow *ctrlctest.Process) bool, stop func(slow *ctrlctest.Process), args ...string) (slow, fast *ctrlctest.Process) {
	t.Helper()
	s, js := startJetStream(t)
	publish(t, js, n)
	common := []string{"-url", s.ClientURL(), "-stream", stream, "-consumer", durable, "-workers", "4", "-ackwait", "10m"}
	slow = ctrlctest.Start(t, command(append(append([]string{"-name", "slow"}, common...), args...)...))
	slow.WaitFor("slow: fetching")
	waitUntil(t, "the slow replica ready to stop", func() bool { return ready(slow) })
	stop(slow)

	fast = ctrlctest.Start(t, command(append([]string{"-name", "fast", "-job", "1ms"}, common...)...))
	fast.WaitFor("fast: fetching")
	both := &fleet{t: t, all: []*ctrlctest.Process{slow, fast}}
	waitUntil(t, "every message acked", func() bool { return len(both.ids("acked ")) == n })
	fast.Send(ctrlc.Terminate)
	if st := fast.Wait(); !st.Success() {
		t.Errorf("fast replica: %v; output tail:\n%s", st, tail(fast))
	}
	processed, acked := both.ids("processed "), both.ids("acked ")
	for id := 1; id <= n; id++ {
		if processed[id] != 1 || acked[id] != 1 {
			t.Errorf("message %d processed %d times, acked %d times; want once", id, processed[id], acked[id])
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := js.Consumer(ctx, stream, durable)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.AckFloor.Stream != uint64(n) || info.NumAckPending != 0 {
		t.Errorf("ack floor %d, %d unacked; want %d, 0", info.AckFloor.Stream, info.NumAckPending, n)
	}
	return slow, fast
}

// TestBudgetNaksInterrupted: messages still running when the grace period
// ends are interrupted, and Nak'ed with those never started: the server has
// them all for another replica at once, not after AckWait.
func TestBudgetNaksInterrupted(t *testing.T) {
	const n = 8 // 4 running, 4 queued
	slow, _ := handBack(t, n, func(p *ctrlctest.Process) bool { return countPrefix(p, "received ") == n }, func(p *ctrlctest.Process) {
		p.Send(ctrlc.Terminate)
		st := p.Wait()
		t.Logf("%v; output tail:\n%s", st, tail(p))
	}, "-job", "1h", "-grace", "2s")
	if line := slow.WaitFor("slow: report:"); !strings.Contains(line, "queued 4 interrupted 4") || !strings.Contains(line, "Nak'ed 8") {
		t.Errorf("want 4 queued and 4 interrupted, all Nak'ed: %s", line)
	}
}

// TestSecondSignalHurries: a second SIGTERM 100 ms after the first (past
// ctrlc's 50 ms repeat window) hurries the drain of a replica that has
// acked some messages and holds 8 more: Run returns within about a second
// with the messages not done, by value, and the replica Naks them on its
// one path after Run, then exits by itself with 1 (the drain was cut), not
// by the signal (which it would, had the hurried Run not returned within
// 2 s). Every message it Nak'ed is redelivered to the other replica and
// processed there, and no message is processed or acked twice.
func TestSecondSignalHurries(t *testing.T) {
	const n = 40
	var took time.Duration
	slow, fast := handBack(t, n, func(p *ctrlctest.Process) bool { return countPrefix(p, "acked ") >= 4 }, func(p *ctrlctest.Process) {
		p.Send(ctrlc.Terminate)
		time.Sleep(100 * time.Millisecond)
		second := time.Now()
		p.Send(ctrlc.Terminate)
		st := p.Wait()
		took = time.Since(second) // a bound from above
		t.Logf("%v, %v after the second SIGTERM; output tail:\n%s", st, took.Round(time.Millisecond), tail(p))
		if st.Code != 1 {
			t.Errorf("slow replica: %v, want exit code 1: the hurried Run returned its report, with errors", st)
		}
	}, "-job", "300ms", "-budget", "60s")
	if took > 5*time.Second {
		t.Errorf("exited %v after the second SIGTERM, want about a second", took)
	}
	naked := idsIn(t, slow, "nak'ed ")
	line := slow.WaitFor("slow: report:")
	var back, late int
	if i := strings.Index(line, "Nak'ed "); i < 0 {
		t.Errorf("no Nak count in the report: %s", line)
	} else if _, err := fmt.Sscanf(line[i:], "Nak'ed %d handed back and %d fetched after the stop", &back, &late); err != nil {
		t.Errorf("report %q: %v", line, err)
	}
	if !strings.Contains(line, "balanced true") || back == 0 || back+late != len(naked) {
		t.Errorf("want a balanced report that handed messages back, and a Nak for each of them and of those fetched after the stop (%d Naks): %s", len(naked), line)
	}
	if !strings.Contains(slow.Output(), "hurried true") {
		t.Errorf("the shutdown was not hurried; output tail:\n%s", tail(slow))
	}
	byFast, bySlow := idsIn(t, fast, "processed "), idsIn(t, slow, "processed ")
	for id := range naked {
		if byFast[id] != 1 || bySlow[id] != 0 {
			t.Errorf("message %d Nak'ed by the slow replica: processed %d times by it, %d by the fast one; want 0, 1", id, bySlow[id], byFast[id])
		}
	}
}
