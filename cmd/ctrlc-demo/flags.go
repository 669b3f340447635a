package main

import (
	"bytes"
	"context"
	"errors"
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
	workers      int
	rate         float64 // commands per second
	work         time.Duration
	queue        int // 0: the pool's default, 4 per worker
	drainTimeout time.Duration
	policy       pool.Policy
	kinds        []ctrlc.Kind // the kinds to catch
	failRate     float64
	json         bool
	unprocessed  *os.File // nil: no -unprocessed file; opened to append
	earlierLines int      // lines the -unprocessed file held before this run
	supervisorFlags
}

const usageHead = `Usage: ctrlc-demo [flags]

A chat bot in miniature: a dummy event source emits commands, a receiver loop
hands each to a pool of workers. On Ctrl-C (or SIGTERM, or a console close on
Windows) it stops the source, lets the receiver loop hand over its last
command and end, drains the pool, prints a report that accounts for every
command and says good bye. A command not done (never started, cancelled by
the drain's deadline, abandoned, or still held by the receiver loop) is
listed, and appended to the -unprocessed file when one is given. A second
Ctrl-C during the drain exits at once, after writing the commands not done
to that file.

Flags:
`

const usageTail = `
Output: progress and the report go to standard error. With -json, standard
output gets the report as one line of JSON, and nothing else.

Exit: after Ctrl-C the demo ends by SIGINT once the drain is over (a shell
shows 130, and a loop around the demo stops; on Windows the status is
0xC000013A), errors or not: the report tells; a Windows console close ends
it the same way, with 0xC000013A, as Windows would. After SIGTERM (or a
hang-up): 0 the pool drained cleanly, 1 the drain reported
errors. 2: bad flags. A second event during the drain ends the demo by that
event's signal, after its last word (130 for Ctrl-C, 143 for SIGTERM).
`

// parseFlags parses args into a config. It returns flag.ErrHelp after
// printing the help for -h, and otherwise an error that names the flag and
// its value.
func parseFlags(args []string, helpOut io.Writer) (*config, error) {
	fs := flag.NewFlagSet("ctrlc-demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed by the caller, help below
	var (
		c           config
		policy      string
		signals     string
		unprocessed string
	)
	fs.IntVar(&c.workers, "workers", 8, "how many commands run at once")
	fs.Float64Var(&c.rate, "rate", 10,
		"commands per second from the event source; above workers/work the queue fills\nand the source waits for the receiver loop")
	fs.DurationVar(&c.work, "work", 500*time.Millisecond, "how long each command takes")
	fs.IntVar(&c.queue, "queue", 0, "how many commands may wait for a worker (0: 4 per worker)")
	fs.DurationVar(&c.drainTimeout, "drain-timeout", 10*time.Second,
		"how long the whole shutdown may take; then running commands are cancelled and\nqueued ones set aside (a Windows close event's deadline may cut it shorter)")
	fs.StringVar(&policy, "policy", "finish",
		"what the drain does with queued commands: finish runs them, abandon sets them aside unrun")
	fs.StringVar(&signals, "signals", "",
		"comma-separated kinds of events to catch, of "+strings.Join(kindNames(), ", ")+
			"\n(default: this platform's, "+kindList(ctrlc.DefaultKinds())+")")
	fs.Float64Var(&c.failRate, "fail-rate", 0, "fraction of commands that fail, 0 to 1, spread evenly")
	fs.BoolVar(&c.json, "json", false, "also print the report as JSON on standard output")
	fs.StringVar(&unprocessed, "unprocessed", "",
		"append each command not done to `FILE`, one JSON line each, also on a second\nCtrl-C (created if need be; what earlier runs wrote there is kept)")
	c.supervisorFlags.register(fs)

	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(helpOut, usageHead)
			fs.SetOutput(helpOut)
			fs.PrintDefaults()
			fmt.Fprint(helpOut, usageTail)
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: ctrlc-demo takes only flags", fs.Arg(0))
	}

	switch {
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
	switch policy {
	case "finish":
		c.policy = pool.Finish
	case "abandon":
		c.policy = pool.Abandon
	default:
		return nil, invalid("policy", policy, "must be finish or abandon")
	}
	c.kinds = ctrlc.DefaultKinds()
	if isSet(fs, "signals") {
		kinds, err := parseKinds(signals)
		if err != nil {
			return nil, invalid("signals", signals, err.Error())
		}
		c.kinds = kinds
	}
	if isSet(fs, "unprocessed") {
		f, lines, err := openAppend(unprocessed)
		if err != nil {
			return nil, invalid("unprocessed", unprocessed, err.Error())
		}
		c.unprocessed, c.earlierLines = f, lines
	}
	return &c, nil
}

// isSet reports whether the flag name was given, even as an empty string.
func isSet(fs *flag.FlagSet, name string) (set bool) {
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// openAppend opens the -unprocessed file for appending, creating it if need
// be, and counts the lines earlier runs left in it. Appending, not
// truncating: the commands an earlier run set aside are not lost to this one.
// Only a regular file is read (a FIFO or a terminal could block the read).
func openAppend(name string) (f *os.File, lines int, err error) {
	if name == "" {
		return nil, 0, errors.New("empty file name")
	}
	f, err = os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return f, 0, nil
	}
	lines, err = countLines(name)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, lines, nil
}

// countLines counts the newlines in the file name.
func countLines(name string) (int, error) {
	r, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	lines, buf := 0, make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		lines += bytes.Count(buf[:n], []byte("\n"))
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// invalid words an error the way package flag does for values it cannot parse.
func invalid(name string, value any, why string) error {
	return fmt.Errorf("invalid value %q for flag -%s: %s", fmt.Sprint(value), name, why)
}

// parseKinds turns "interrupt,terminate" into the kinds it names.
func parseKinds(list string) ([]ctrlc.Kind, error) {
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("an empty list catches nothing; leave the flag out for the default, %s", kindList(ctrlc.DefaultKinds()))
	}
	var kinds []ctrlc.Kind
	for _, name := range strings.Split(list, ",") {
		k, err := ctrlc.ParseKind(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		kinds = append(kinds, k)
	}
	return kinds, nil
}

// kindList joins kinds with commas, as -signals takes them.
func kindList(kinds []ctrlc.Kind) string {
	var names []string
	for _, k := range kinds {
		names = append(names, k.String())
	}
	return strings.Join(names, ",")
}

// kindNames lists the names of every kind, for the help.
func kindNames() []string {
	var names []string
	for k := ctrlc.Interrupt; k <= ctrlc.Shutdown; k++ {
		names = append(names, k.String())
	}
	return names
}

// catches reports whether the listener will catch kind k.
func (c *config) catches(k ctrlc.Kind) bool { return slices.Contains(c.kinds, k) }

// listenOptions are the options for ctrlc.Notify; lastWord runs when a
// second event forces the exit.
func (c *config) listenOptions(lastWord func(context.Context, ctrlc.Event)) []ctrlc.Option {
	return []ctrlc.Option{ctrlc.WithKinds(c.kinds...), ctrlc.WithLastWord(0, lastWord)}
}

// poolOptions are the options for pool.New. -drain-timeout is the whole
// shutdown's budget: the receiver loop's hand-over (a BeforeStop function)
// and the drain share it, and Run ends it earlier when the event comes with
// a deadline (a Windows close).
func (c *config) poolOptions() pool.Options {
	return pool.Options{
		Workers:         c.workers,
		QueueSize:       c.queue,
		ShutdownTimeout: c.drainTimeout,
		DrainTimeout:    c.drainTimeout,
		HookTimeout:     c.drainTimeout,
		Policy:          c.policy,
	}
}

// unprocessedName is the -unprocessed file's name, or "".
func (c *config) unprocessedName() string {
	if c.unprocessed == nil {
		return ""
	}
	return c.unprocessed.Name()
}

// capacity is how many commands per second the workers can finish at most;
// +Inf when commands take no time.
func (c *config) capacity() float64 { return float64(c.workers) / c.work.Seconds() }

// describe sums the config up for the ready line.
func (c *config) describe() string {
	s := fmt.Sprintf("%s, %s commands/s, %v each", count(c.workers, "worker"), trimFloat(c.rate), c.work)
	if capacity := c.capacity(); c.rate > capacity {
		s += fmt.Sprintf(" (more than the %s/s the workers can finish: the queue will fill)", roughly(capacity))
	}
	if c.failRate > 0 {
		s += fmt.Sprintf(", %s%% failing", trimFloat(100*c.failRate))
	}
	if c.policy != pool.Finish {
		s += ", policy " + c.policy.String()
	}
	return s
}

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
