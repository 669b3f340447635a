package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
)

// config is what the flags ask for, checked.
type config struct {
	workers, queue         int
	rate, failRate         float64
	work, drainTimeout     time.Duration
	exec, service, logFile string
	policy                 pool.Policy
	kinds                  []ctrlc.Kind // nil: the library's default
	json                   bool
	unprocessed            *os.File // nil: no -unprocessed file; opened to append
}

const usage = `Usage: ctrlc-demo [flags]

A chat bot in miniature: an event source emits commands, a receiver loop hands
each to a pool of workers. On Ctrl-C, SIGTERM, SIGHUP (the terminal went away)
or a Windows console close it stops the source, drains the pool, accounts for
every command, keeps the ones not done (-unprocessed) and says good bye. A
second Ctrl-C hurries the drain; a third ends the program at once.

How it ends: after Ctrl-C, SIGHUP or a console close, by that event once the
report is out (a shell shows 130 or 129; Windows 0xC000013A). After SIGTERM:
0, or 1 when the shutdown reported errors. 2: bad flags.

Flags:
`

// parseFlags parses args into a config. It returns flag.ErrHelp after the
// help for -h, and otherwise an error that names the flag and its value.
func parseFlags(args []string, helpOut io.Writer) (*config, error) {
	fs := flag.NewFlagSet("ctrlc-demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed by the caller, help below
	var c config
	var policy, signals, unprocessed string
	fs.IntVar(&c.workers, "workers", 8, "how many commands run at once")
	fs.Float64Var(&c.rate, "rate", 10, "commands per second from the event source")
	fs.DurationVar(&c.work, "work", 500*time.Millisecond, "how long each command takes")
	fs.StringVar(&c.exec, "exec", "", "run `PROGRAM` for each command, with the command's number as its argument,\nas a child that Ctrl-C does not reach: it finishes its command while the demo drains")
	fs.IntVar(&c.queue, "queue", 0, "how many commands may wait for a worker (0: 4 per worker)")
	fs.DurationVar(&c.drainTimeout, "drain-timeout", 10*time.Second, "how long the whole shutdown may take")
	fs.StringVar(&policy, "policy", "finish", "what the drain does with queued commands: finish runs them, skip keeps them unrun")
	fs.StringVar(&signals, "signals", "", "comma-separated kinds of events to catch, such as interrupt,terminate\n(default: the library's, with hangup on Unix and close on Windows)")
	fs.Float64Var(&c.failRate, "fail-rate", 0, "fraction of commands that fail, 0 to 1, spread evenly")
	fs.BoolVar(&c.json, "json", false, "also print the report as one line of JSON on standard output")
	fs.StringVar(&unprocessed, "unprocessed", "", "append each command not done to `FILE`, one JSON line each")
	fs.StringVar(&c.service, "service", "", "run as the Windows service `NAME` (under systemd the demo reports through NOTIFY_SOCKET by itself)")
	fs.StringVar(&c.logFile, "log", "", "write standard output and standard error to `FILE` instead, appending: a service or a GUI build has no console")

	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(helpOut, usage)
			fs.SetOutput(helpOut)
			fs.PrintDefaults()
		}
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q: ctrlc-demo takes only flags", fs.Arg(0))
	case c.workers < 1 || c.workers > 10000:
		return nil, invalid("workers", c.workers, "must be between 1 and 10000")
	case !(c.rate >= 1e-6 && c.rate <= 1e6): // also catches NaN
		return nil, invalid("rate", c.rate, "must be between 1e-6 and 1e6 commands per second")
	case c.work < 0:
		return nil, invalid("work", c.work, "must not be negative")
	case c.queue < 0 || c.queue > 1e6:
		return nil, invalid("queue", c.queue, "must be between 0 and 1e6")
	case c.drainTimeout <= 0:
		return nil, invalid("drain-timeout", c.drainTimeout, "must be positive")
	case !(c.failRate >= 0 && c.failRate <= 1):
		return nil, invalid("fail-rate", c.failRate, "must be between 0 and 1")
	}
	var ok bool
	if c.policy, ok = map[string]pool.Policy{"finish": pool.Finish, "skip": pool.Skip}[policy]; !ok {
		return nil, invalid("policy", policy, "must be finish or skip")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["signals"] {
		for _, name := range strings.Split(signals, ",") {
			k, err := ctrlc.ParseKind(strings.TrimSpace(name))
			if err != nil {
				return nil, invalid("signals", signals, err.Error())
			}
			c.kinds = append(c.kinds, k)
		}
	}
	if set["unprocessed"] {
		// Appending: the commands an earlier run set aside are not lost.
		f, err := os.OpenFile(unprocessed, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, invalid("unprocessed", unprocessed, err.Error())
		}
		c.unprocessed = f
	}
	return &c, nil
}

// invalid words an error the way package flag does for values it cannot parse.
func invalid(name string, value any, why string) error {
	return fmt.Errorf("invalid value %q for flag -%s: %s", fmt.Sprint(value), name, why)
}

// listenOptions are the options for ctrlc.NotifyContext.
func (c *config) listenOptions() []ctrlc.Option {
	if c.kinds == nil {
		return nil
	}
	return []ctrlc.Option{ctrlc.WithKinds(c.kinds...)}
}

// poolOptions are the options for pool.New: -drain-timeout is the whole
// shutdown's budget, which Run ends sooner for an event with a deadline.
func (c *config) poolOptions() pool.Options {
	return pool.Options{
		Workers:         c.workers,
		QueueSize:       c.queue,
		ShutdownTimeout: c.drainTimeout,
		DrainTimeout:    c.drainTimeout,
		HookTimeout:     c.drainTimeout / 2,
		Policy:          c.policy,
	}
}

// describe sums the config up for the ready line.
func (c *config) describe() string {
	workers := plural(c.workers, "worker")
	s := fmt.Sprintf("%s, %s commands/s, %v each", workers, trimFloat(c.rate), c.work)
	if c.exec != "" {
		s = fmt.Sprintf("%s, %s commands/s, each runs %s", workers, trimFloat(c.rate), c.exec)
	} else if capacity := float64(c.workers) / c.work.Seconds(); c.rate > capacity {
		s += fmt.Sprintf(" (more than the %.3g/s the workers can finish: the queue will fill)", capacity)
	}
	if c.failRate > 0 {
		s += fmt.Sprintf(", %s%% failing", trimFloat(100*c.failRate))
	}
	if c.policy == pool.Skip {
		s += ", policy skip"
	}
	if c.kinds != nil && !slices.Contains(c.kinds, ctrlc.Interrupt) {
		return s + "; Ctrl-C is not caught: it kills the program"
	}
	return s + "; press Ctrl-C to stop"
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
