// Command httpservice is an HTTP service that drains in order on SIGTERM, the
// way Kubernetes, docker and systemd stop it. Its handlers queue background
// jobs on a pool.Pool and answer 202 at once. On the first SIGTERM, Ctrl-C or
// SIGHUP, within one budget (-budget), in the pool's stages:
//
//  1. before-stop: /readyz fails at once while the server still serves, for
//     -announce: long enough for the load balancer to stop sending
//     (Kubernetes removes an endpoint asynchronously, seconds after the pod
//     starts terminating); then http.Server.Shutdown: no new connections,
//     in-flight requests finish, keep-alive connections close;
//  2. queue and in-flight: queued and running jobs finish (policy finish)
//     or come back (policy skip, or past the budget);
//  3. on-stop: the store closes.
//
// Run then returns the report, and the jobs it hands back by value are saved
// to the store's pending file and run at the next start, so an accepted job
// is never lost. A second signal hurries the shutdown: the queued jobs come
// back unrun, the running ones are cancelled, and Run returns within about a
// second, so the same code saves them; a third ends the process at once.
//
//	go run ./httpservice -addr 127.0.0.1:8080 -store /tmp/jobs
//	curl -X POST '127.0.0.1:8080/jobs?id=1'; kill -TERM <pid>
//
// With -naive it runs, for comparison, the program this one replaces:
// signal.NotifyContext and no Shutdown (see naive.go).
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
	addr     string
	store    string
	announce time.Duration
	budget   time.Duration
	grace    time.Duration
	workers  int
	queue    int
	job      time.Duration
	policy   pool.Policy
	naive    bool
	service  string
}

func parseFlags(args []string, out io.Writer) (config, error) {
	c := config{}
	fs := flag.NewFlagSet("httpservice", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address (port 0: any free port)")
	fs.StringVar(&c.store, "store", "", "directory of the job store (required)")
	fs.DurationVar(&c.announce, "announce", 5*time.Second, "how long /readyz fails before the server stops accepting")
	fs.DurationVar(&c.budget, "budget", 25*time.Second, "the whole shutdown's budget: announce, HTTP shutdown, drain, hooks")
	fs.DurationVar(&c.grace, "grace", 0, "the supervisor's grace period (Kubernetes' terminationGracePeriodSeconds): the shutdown ends before it, whatever -budget says; 0: unknown")
	fs.IntVar(&c.workers, "workers", 8, "jobs run at once")
	fs.IntVar(&c.queue, "queue", 64, "jobs waiting; a full queue holds requests back")
	fs.DurationVar(&c.job, "job", 50*time.Millisecond, "how long each job works")
	policy := fs.String("policy", "finish", "at shutdown, queued jobs: finish (run them) or skip (hand them back)")
	fs.BoolVar(&c.naive, "naive", false, "run the naive program instead (for comparison)")
	fs.StringVar(&c.service, "service", "", "run as the Windows service `NAME` (detected when empty)")
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
	if c.store == "" {
		return c, errors.New("-store is required")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"announce", c.announce}, {"budget", c.budget}, {"grace", c.grace}, {"job", c.job}} {
		if d.v < 0 {
			return c, fmt.Errorf("-%s %v: must not be negative", d.name, d.v)
		}
	}
	if c.announce >= c.budget {
		return c, fmt.Errorf("-announce %v: must be shorter than -budget %v", c.announce, c.budget)
	}
	if c.workers < 1 || c.queue < 1 {
		return c, fmt.Errorf("-workers %d, -queue %d: both must be at least 1", c.workers, c.queue)
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
		fmt.Fprintf(os.Stderr, "httpservice: %v\n", err)
		return 2
	}
	if cfg.naive {
		return runNaive(cfg)
	}
	// service.Run just calls the function, except under the Windows service
	// control manager; under systemd (Type=notify) the service reports
	// READY=1 and STOPPING=1 through $NOTIFY_SOCKET.
	code, err := service.Run(cfg.service, func() int {
		if err := serve(cfg); err != nil {
			fmt.Fprintf(os.Stderr, "httpservice: %v\n", err)
			return 1
		}
		return 0
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "httpservice: %v\n", err)
		return 1
	}
	return code
}
