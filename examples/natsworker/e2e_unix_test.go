//go:build unix

package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/examples/internal/proc"
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
	all  []*proc.Process
	live []*proc.Process
}

func (f *fleet) start(name string) *proc.Process {
	p := proc.Start(f.t, proc.Command(append([]string{"-name", name}, f.args...)...))
	p.WaitFor(name + ": fetching")
	f.all = append(f.all, p)
	return p
}

// processed counts the "processed" lines of every replica so far.
func (f *fleet) processed() int {
	n := 0
	for _, p := range f.all {
		n += p.Count("processed ")
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

func idsIn(t *testing.T, p *proc.Process, prefix string) map[int]int {
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

// rollingRun publishes the messages, starts the replicas, and replaces them
// one by one with sig while they work, then waits until the consumer has
// nothing pending or unacked. It returns the fleet, and how many messages
// the replicas that got sig held unacked when they went (received, not
// acked): the most that can run twice.
func rollingRun(t *testing.T, sig syscall.Signal, args ...string) (*fleet, int) {
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
		old.Signal(sig)
		code, _, _ := old.Wait()
		switch sig {
		case syscall.SIGTERM:
			if code != 0 {
				t.Fatalf("replica r%d exited %d after SIGTERM, want 0; output tail:\n%s", i, code, tail(old))
			}
			if line := old.WaitFor("report:"); !strings.Contains(line, "balanced true") {
				t.Errorf("replica r%d: %s", i, line)
			} else {
				t.Logf("r%d: %s", i, line)
			}
		case syscall.SIGKILL:
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
		p.Signal(syscall.SIGTERM)
	}
	for _, p := range f.live {
		if code, _, _ := p.Wait(); code != 0 {
			t.Errorf("a replica exited %d after SIGTERM, want 0; output tail:\n%s", code, tail(p))
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
	f, _ := rollingRun(t, syscall.SIGTERM, "-workers", "4", "-job", "10ms", "-ackwait", "30s")
	twice := checkEveryMessage(t, f, 0)
	t.Logf("SIGTERM rolling restart: %d messages, %d replicas replaced, %d processed twice, %d Nak'ed",
		messages, replicas, twice, len(f.ids("naked ")))
	if twice != 0 {
		t.Errorf("%d messages processed twice, want 0 with policy finish", twice)
	}
}

// TestRollingRestartAbandon: with policy abandon the replicas Nak what they
// queued instead of running it; still nothing lost, nothing twice.
func TestRollingRestartAbandon(t *testing.T) {
	f, _ := rollingRun(t, syscall.SIGTERM, "-workers", "4", "-job", "10ms", "-ackwait", "30s", "-policy", "abandon")
	twice := checkEveryMessage(t, f, 0)
	t.Logf("SIGTERM rolling restart, policy abandon: %d processed twice, %d Nak'ed", twice, len(f.ids("naked ")))
	if twice != 0 {
		t.Errorf("%d messages processed twice, want 0: a Nak'ed message never ran", twice)
	}
}

// TestRollingRestartSIGKILL: replicas killed outright drop what they held;
// the server redelivers it after AckWait, so nothing is lost, and at most
// what the killed replicas held unacked runs twice.
func TestRollingRestartSIGKILL(t *testing.T) {
	f, held := rollingRun(t, syscall.SIGKILL, "-workers", "4", "-job", "10ms", "-ackwait", "2s")
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
	deadline := time.Now().Add(proc.Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, proc.Timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func tail(p *proc.Process) string {
	l := p.Lines()
	return strings.Join(l[max(len(l)-20, 0):], "\n")
}

// handBack starts a replica whose work never ends, lets it take all of 8
// messages (4 running, 4 queued), and stops it with stop. Then it starts a
// fast replica and waits until it has acked them all: AckWait (10 minutes)
// is far longer than the test may take, so they can only have come back by
// a Nak.
func handBack(t *testing.T, stop func(p *proc.Process), args ...string) *proc.Process {
	t.Helper()
	const n = 8
	s, js := startJetStream(t)
	publish(t, js, n)
	common := []string{"-url", s.ClientURL(), "-stream", stream, "-consumer", durable, "-workers", "4", "-ackwait", "10m"}
	slow := proc.Start(t, proc.Command(append(append([]string{"-name", "slow", "-job", "1h"}, common...), args...)...))
	slow.WaitFor("slow: fetching")
	waitUntil(t, "all messages received", func() bool { return slow.Count("received ") == n })
	stop(slow)

	fast := proc.Start(t, proc.Command(append([]string{"-name", "fast", "-job", "1ms"}, common...)...))
	fast.WaitFor("fast: fetching")
	waitUntil(t, "the fast replica to ack every message", func() bool { return len(idsIn(t, fast, "acked ")) == n })
	fast.Signal(syscall.SIGTERM)
	if code, _, _ := fast.Wait(); code != 0 {
		t.Errorf("fast replica: exit %d; output tail:\n%s", code, tail(fast))
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
	if info.AckFloor.Stream != n || info.NumAckPending != 0 {
		t.Errorf("ack floor %d, %d unacked; want %d, 0", info.AckFloor.Stream, info.NumAckPending, n)
	}
	return slow
}

// TestBudgetNaksInterrupted: messages still running when the grace period
// ends are interrupted, and Nak'ed with those never started: the server has
// them all for another replica at once, not after AckWait.
func TestBudgetNaksInterrupted(t *testing.T) {
	p := handBack(t, func(p *proc.Process) {
		p.Signal(syscall.SIGTERM)
		code, _, _ := p.Wait()
		t.Logf("exit %d; output tail:\n%s", code, tail(p))
	}, "-grace", "2s")
	if line := p.WaitFor("slow: report:"); !strings.Contains(line, "unprocessed 4 interrupted 4") || !strings.Contains(line, "Nak'ed 8") {
		t.Errorf("want 4 unprocessed and 4 interrupted, all Nak'ed: %s", line)
	}
}

// TestSecondSignalNaksPending: a second SIGTERM during the drain forces the
// exit; the last word Naks every message taken and not done.
func TestSecondSignalNaksPending(t *testing.T) {
	p := handBack(t, func(p *proc.Process) {
		p.Signal(syscall.SIGTERM)
		p.WaitFor("slow: stopping")
		// After ctrlc's repeat window (50 ms), or the second SIGTERM is
		// taken for a copy of the first.
		time.Sleep(200 * time.Millisecond)
		p.Signal(syscall.SIGTERM)
		code, _, _ := p.Wait()
		t.Logf("exit %d; output tail:\n%s", code, tail(p))
	}, "-budget", "60s")
	p.WaitFor("slow: forced exit: Nak'ed 8 messages")
}
