// Command natsworker is one replica of a worker fleet that shares a NATS
// JetStream work queue. It fetches messages from a durable pull consumer,
// hands each to a pool.Pool, and acks it once the work is done. On the first
// SIGTERM, Ctrl-C or SIGHUP, within one budget (-budget), in the pool's
// stages:
//
//  1. before-stop: it stops fetching; the fetch in progress ends (at most
//     -fetchwait) and what it brought that was not queued yet is Nak'ed;
//  2. queue and in-flight: running messages finish and are acked; queued
//     ones run too (policy finish) or come back (policy skip).
//
// Run then returns the report, and every message it hands back by value
// (never started, interrupted by the budget, or abandoned) is Nak'ed, so
// that another replica gets it at once instead of after AckWait; the
// connection flushes the acks and Naks and closes. A second signal hurries
// the shutdown: the queued messages come back unrun, the running ones are
// cancelled, and Run returns within about a second, so the same code Naks
// them; a third ends the process at once.
//
// A rolling update (SIGTERM to one replica at a time) therefore loses no
// message and, with policy finish, runs none twice. A replica killed outright
// (SIGKILL, OOM) loses nothing either: the server redelivers what it had not
// acked after AckWait.
//
//	go run ./natsworker -url nats://127.0.0.1:4222 -stream JOBS -consumer workers
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/ctrlc-go/ctrlc/service"
)

func main() { os.Exit(run(os.Args[1:])) }

type config struct {
	url, stream, consumer, name string
	ackWait, fetchWait, budget  time.Duration
	grace                       time.Duration
	job                         time.Duration
	workers                     int
	policy                      pool.Policy
	service                     string
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("natsworker", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.url, "url", "nats://127.0.0.1:4222", "NATS server URL")
	fs.StringVar(&c.stream, "stream", "JOBS", "the JetStream stream holding the work")
	fs.StringVar(&c.consumer, "consumer", "workers", "the durable pull consumer every replica shares (created if missing)")
	fs.StringVar(&c.name, "name", "natsworker", "this replica's name, for the server and the log")
	fs.DurationVar(&c.ackWait, "ackwait", 30*time.Second, "the consumer's AckWait: when the server redelivers a message nobody acked")
	fs.DurationVar(&c.fetchWait, "fetchwait", 250*time.Millisecond, "how long one fetch waits for messages; bounds how long stopping takes")
	fs.DurationVar(&c.budget, "budget", 20*time.Second, "the whole shutdown's budget")
	fs.DurationVar(&c.grace, "grace", 0, "the supervisor's grace period (Kubernetes' terminationGracePeriodSeconds): the shutdown ends before it, whatever -budget says; 0: unknown")
	fs.DurationVar(&c.job, "job", 10*time.Millisecond, "how long each message's work takes")
	fs.IntVar(&c.workers, "workers", 4, "messages worked on at once; as many more wait in the queue")
	fs.StringVar(&c.service, "service", "", "run as the Windows service `NAME` (detected when empty)")
	policy := fs.String("policy", "finish", "at shutdown, queued messages: finish (run them) or skip (Nak them)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch *policy {
	case "finish":
		c.policy = pool.Finish
	case "skip":
		c.policy = pool.Skip
	default:
		return c, fmt.Errorf("-policy %q: want finish or skip", *policy)
	}
	if c.workers < 1 {
		return c, fmt.Errorf("-workers %d: must be at least 1", c.workers)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"ackwait", c.ackWait}, {"fetchwait", c.fetchWait}, {"budget", c.budget}} {
		if d.v <= 0 {
			return c, fmt.Errorf("-%s %v: must be positive", d.name, d.v)
		}
	}
	if c.job < 0 || c.grace < 0 {
		return c, fmt.Errorf("-job %v, -grace %v: must not be negative", c.job, c.grace)
	}
	if c.fetchWait >= c.budget {
		return c, fmt.Errorf("-fetchwait %v: must be shorter than -budget %v", c.fetchWait, c.budget)
	}
	return c, nil
}

// run is the whole program; it returns the exit code.
func run(args []string) int {
	cfg, err := parseFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "natsworker: %v\n", err)
		return 2
	}
	// service.Run just calls the function, except under the Windows service
	// control manager; under systemd (Type=notify) the worker reports
	// READY=1 and STOPPING=1 through $NOTIFY_SOCKET.
	code, err := service.Run(cfg.service, func() int {
		if err := work(cfg); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", cfg.name, err)
			return 1
		}
		return 0
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", cfg.name, err)
		return 1
	}
	return code
}
