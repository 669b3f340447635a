package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/hashicorp/go-multierror"
)

// howToStop ends the ready line.
func howToStop(c *config) string {
	if c.catches(ctrlc.Interrupt) && interruptIgnored() {
		// ctrlc keeps a signal ignored at start ignored (WithEvenIfIgnored
		// would take it over): say so, or kill -INT seems broken.
		const why = "SIGINT was ignored when the demo started, as a script's `cmd &` does, and stays ignored: Ctrl-C does nothing"
		var others []string
		for _, k := range c.kinds {
			if name := pressName(k); k != ctrlc.Interrupt && name != "" {
				others = append(others, name)
			}
		}
		if len(others) == 0 {
			return why + "; only SIGKILL (kill -9) stops it"
		}
		return "stop it with " + strings.Join(others, " or ") + " (" + why + ")"
	}
	if c.catches(ctrlc.Interrupt) {
		return "press Ctrl-C to stop"
	}
	return "stop it with " + strings.ReplaceAll(kindList(c.kinds), ",", " or ") + " (Ctrl-C is not caught: it kills the program)"
}

// interruptIgnored reports whether SIGINT was ignored when the program
// started (Unix; Windows has its own ways, which ctrlc honours).
var interruptIgnored = func() bool { return runtime.GOOS != "windows" && signal.Ignored(os.Interrupt) }

// every writes line(elapsed) to w after delay, then again every period,
// until the returned function is called; that function returns once no line
// can follow.
func every(w io.Writer, delay, period time.Duration, line func(elapsed time.Duration) string) (stop func()) {
	start := time.Now()
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		timer := time.NewTimer(delay)
		defer timer.Stop()
		for {
			select {
			case <-timer.C:
			case <-quit:
				return
			}
			fmt.Fprintln(w, line(time.Since(start).Round(100*time.Millisecond)))
			timer.Reset(period)
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// status words the lines printed while the bot runs and while it drains,
// from the pool's counts.
type statusLines struct {
	workers   *pool.Pool[Command]
	loop      *receiver
	policy    pool.Policy
	forceHint string // what a second event does, for the draining lines
}

func (s statusLines) running(elapsed time.Duration) string {
	st := s.workers.Stats()
	line := fmt.Sprintf("running %v: %d commands received, %d done, %d in flight, %d queued",
		elapsed, s.loop.received.Load(), st.Completed+st.Failed+st.Panicked, st.InFlight, st.Queued)
	if s.loop.waiting.Load() {
		line += " (full: the receiver loop waits for a worker)"
	}
	return line
}

func (s statusLines) draining(elapsed time.Duration) string {
	st := s.workers.Stats()
	if s.policy == pool.Abandon {
		return fmt.Sprintf("draining %v: %d in flight, %d queued commands set aside unrun; %s",
			elapsed, st.InFlight, st.Queued+st.Unprocessed, s.forceHint)
	}
	full := ""
	if s.loop.waiting.Load() {
		full = " (full: the receiver loop waits to hand over its last command)"
	}
	return fmt.Sprintf("draining %v: %d queued%s, %d in flight; %s",
		elapsed, st.Queued, full, st.InFlight, s.forceHint)
}

// queueFull is said once, the first time the receiver loop finds the queue
// full.
func queueFull(c *config) string {
	return fmt.Sprintf("the queue is full: the receiver loop waits for a worker, and the source for the loop"+
		" (%s commands/s in, at most %s/s out)", trimFloat(c.rate), roughly(c.capacity()))
}

// appending tells where the commands not done will go.
func appending(c *config) string {
	if c.earlierLines == 0 {
		return fmt.Sprintf("commands not done will be written to %s", c.unprocessed.Name())
	}
	return fmt.Sprintf("commands not done will be appended to %s, after the %s earlier runs left there",
		c.unprocessed.Name(), count(c.earlierLines, "line"))
}

// forceHint says what would cut a drain started by e short, and what
// becomes of the commands not done then: another of the events the listener
// catches (the library's default: the second event forces the exit) runs the
// demo's last word, which writes them to the -unprocessed file, if there is
// one, and exits. A Windows close, logoff or shutdown is not repeated:
// Windows itself ends the program at the event's deadline, and the drain
// ends before it.
func forceHint(kinds []ctrlc.Kind, e ctrlc.Event, file string) string {
	switch e.Kind {
	case ctrlc.Close, ctrlc.Logoff, ctrlc.Shutdown:
		hint := fmt.Sprintf("Windows ends the program after the %v event", e.Kind)
		if !e.Deadline.IsZero() {
			hint = fmt.Sprintf("Windows ends the program %v after the %v event", e.Deadline.Sub(e.Time).Round(100*time.Millisecond), e.Kind)
		}
		return hint + "; the drain stops in time for the report"
	}
	first := pressName(e.Kind)
	if first == "" { // a Windows service's stop request, or a Trigger
		first = e.Kind.String() + " event"
	}
	hint := "a second " + first
	var others []string
	for _, k := range kinds {
		if k != e.Kind && pressName(k) != "" {
			others = append(others, pressName(k))
		}
	}
	if len(others) > 0 {
		hint += " (or " + strings.Join(others, ", ") + ")"
	}
	if file == "" {
		return hint + " exits at once and loses the commands not done (-unprocessed FILE keeps them)"
	}
	return hint + " exits at once, writing the commands not done to " + file
}

// pressName names an event as the user would cause it; "" for the events of
// a closing console, which a user does not repeat.
func pressName(k ctrlc.Kind) string {
	switch k {
	case ctrlc.Interrupt:
		return "Ctrl-C"
	case ctrlc.Break:
		return "Ctrl-Break"
	}
	if runtime.GOOS == "windows" {
		return "" // no one sends signals there
	}
	switch k {
	case ctrlc.Terminate:
		return "SIGTERM"
	case ctrlc.Hangup:
		return "SIGHUP"
	case ctrlc.Quit:
		return "SIGQUIT"
	}
	return ""
}

// joined says what dropping the pool joined.
func joined(workers, abandoned int) string {
	if abandoned == 0 {
		return count(workers, "worker") + " joined"
	}
	return fmt.Sprintf("%s joined, %d left running an abandoned command", count(workers-abandoned, "worker"), abandoned)
}

// balanceEquation is the one equation the report checks, as the README
// states it: every command the receiver loop took from the source ended in
// exactly one way. Unprocessed counts the commands the pool handed back unrun
// and those the receiver loop still held.
const balanceEquation = "received = completed + failed + panicked + unprocessed + interrupted + abandoned"

// summary is the final report, as printed and as JSON.
type summary struct {
	Event           string   `json:"event"`     // what started the shutdown
	Received        int      `json:"received"`  // commands the receiver loop took from the source
	Submitted       int      `json:"submitted"` // of those, the ones it handed to the pool
	Held            int      `json:"held"`      // of those, the ones it still held at shutdown (counted as unprocessed)
	Completed       int      `json:"completed"`
	Failed          int      `json:"failed"`
	Panicked        int      `json:"panicked"`
	Unprocessed     int      `json:"unprocessed"`  // never started: the pool's, then the held ones
	Interrupted     int      `json:"interrupted"`  // cancelled by the drain deadline
	Abandoned       int      `json:"abandoned"`    // still running when the pool gave up on them
	Balance         string   `json:"balance"`      // balanceEquation with the numbers, e.g. "63 = 60 + 0 + 0 + 3 + 0 + 0"
	Balanced        bool     `json:"balanced"`     // whether the balance holds
	NotDoneIDs      []int    `json:"not_done_ids"` // the unprocessed, interrupted and abandoned commands: what -unprocessed keeps
	UnprocessedFile string   `json:"unprocessed_file,omitempty"`
	Stages          []stage  `json:"stages"`
	Errors          []string `json:"errors"`
	// ExitCode is the status the demo's parent sees: 0, 1 when there are
	// errors; after Ctrl-C, Ctrl-Break or a Windows console close
	// (endsBySignal) the demo ends by the event, which a shell reports as
	// 128+n (130), and Windows as 3221225786 (0xC000013A).
	ExitCode int `json:"exit_code"`

	notDone      []Command
	earlierLines int // lines the -unprocessed file held before this run
}

type stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Errors  int     `json:"errors"`
}

// summarize accounts for every command the receiver loop took from the
// source: the pool's report covers those it accepted; held ones never
// reached it.
func summarize(e ctrlc.Event, received int, held []Command, r *pool.Report[Command], err error) *summary {
	unprocessed := append(r.Unprocessed, held...)
	s := &summary{
		Event:       e.String(),
		Received:    received,
		Submitted:   r.Submitted,
		Held:        len(held),
		Completed:   r.Completed,
		Failed:      len(r.Failed),
		Panicked:    len(r.Panicked),
		Unprocessed: len(unprocessed),
		Interrupted: len(r.Interrupted),
		Abandoned:   len(r.Abandoned),
		Errors:      []string{},
		notDone:     slices.Concat(unprocessed, r.Interrupted, r.Abandoned),
	}
	s.Balance = fmt.Sprintf("%d = %d + %d + %d + %d + %d + %d",
		s.Received, s.Completed, s.Failed, s.Panicked, s.Unprocessed, s.Interrupted, s.Abandoned)
	s.Balanced = s.Received == s.Completed+s.Failed+s.Panicked+s.Unprocessed+s.Interrupted+s.Abandoned
	s.NotDoneIDs = ids(s.notDone)
	for _, st := range r.Stages {
		s.Stages = append(s.Stages, stage{Name: st.Name, Seconds: st.Duration.Seconds(), Errors: len(flatten(st.Err))})
	}
	for _, e := range flatten(err) {
		s.Errors = append(s.Errors, e.Error())
	}
	if len(s.Errors) > 0 || !s.Balanced {
		s.ExitCode = 1
	}
	if endsBySignal(e) {
		s.ExitCode = signalExitCode(e)
	}
	return s
}

// endsBySignal reports whether the demo, after the drain that e started,
// ends by e itself (ctrlc.Exit) rather than with an exit code: after Ctrl-C
// (or Ctrl-Break), as a command-line tool should, so that a shell loop or a
// script around it stops too; and after a Windows console close, which
// Windows ends with STATUS_CONTROL_C_EXIT as soon as the hold is released:
// exiting by the event makes that status the demo's own instead of a race
// between its exit code and Windows. After SIGTERM or a hang-up it exits 0
// (1 with errors), as a daemon stopped by its supervisor does. Logoff and
// shutdown are left out: a service gets them from its manager, which wants
// the program's own exit code.
func endsBySignal(e ctrlc.Event) bool {
	return e.Kind == ctrlc.Interrupt || e.Kind == ctrlc.Break || e.Kind == ctrlc.Close
}

// signalExitCode is the status the parent sees when ctrlc.Exit(e) ends the
// demo.
func signalExitCode(e ctrlc.Event) int {
	if runtime.GOOS == "windows" {
		return 0xC000013A // STATUS_CONTROL_C_EXIT
	}
	return e.ExitCode()
}

// save appends each command not done to f, one JSON line each, and closes
// f; earlierLines is what f held before. A nil f means no -unprocessed file.
func (s *summary) save(f *os.File, earlierLines int) error {
	if f == nil {
		return nil
	}
	s.UnprocessedFile, s.earlierLines = f.Name(), earlierLines
	err := appendCommands(f, s.notDone)
	if err != nil {
		s.Errors = append(s.Errors, err.Error())
		if s.ExitCode == 0 { // after Ctrl-C the signal ends the demo all the same
			s.ExitCode = 1
		}
	}
	return err
}

// flatten lists the errors inside a *multierror.Error.
func flatten(err error) []error {
	var m *multierror.Error
	if errors.As(err, &m) {
		return m.Errors
	}
	if err != nil {
		return []error{err}
	}
	return nil
}

// print writes the report for people to human and, if asJSON, as one line
// of JSON to jsonOut.
func (s *summary) print(jsonOut, human io.Writer, asJSON bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "report: %s received: %d completed, %d failed, %d panicked, %d unprocessed, %d interrupted, %d abandoned\n",
		count(s.Received, "command"), s.Completed, s.Failed, s.Panicked, s.Unprocessed, s.Interrupted, s.Abandoned)
	if s.Held > 0 {
		fmt.Fprintf(&b, "  (%d of the unprocessed held by the receiver loop: it was still waiting for room in the queue)\n", s.Held)
	}
	if !s.Balanced {
		fmt.Fprintf(&b, "  the counts do not balance: %s is %s\n", balanceEquation, s.Balance)
	}
	for _, st := range s.Stages {
		fmt.Fprintf(&b, "  stage %-10s %10v", st.Name, roundDuration(st.Seconds))
		switch st.Errors {
		case 0:
		case 1:
			b.WriteString("  1 error")
		default:
			fmt.Fprintf(&b, "  %d errors", st.Errors)
		}
		b.WriteString("\n")
	}
	if len(s.Errors) > 0 {
		fmt.Fprintf(&b, "errors (%d):\n", len(s.Errors))
		for _, e := range s.Errors {
			first, _, _ := strings.Cut(e, "\n") // a panic's stack stays out of the list
			fmt.Fprintf(&b, "  %s\n", first)
		}
	}
	switch notDone := len(s.NotDoneIDs); {
	case notDone == 0 && s.UnprocessedFile != "":
		fmt.Fprintf(&b, "not done: none; nothing written to %s\n", s.UnprocessedFile)
	case notDone == 0:
	case s.UnprocessedFile != "" && s.earlierLines > 0:
		fmt.Fprintf(&b, "not done: %s appended to %s, after the %s earlier runs left there\n",
			count(notDone, "command"), s.UnprocessedFile, count(s.earlierLines, "line"))
	case s.UnprocessedFile != "":
		fmt.Fprintf(&b, "not done: %s written to %s\n", count(notDone, "command"), s.UnprocessedFile)
	default:
		fmt.Fprintf(&b, "not done: %s are lost when the program ends (-unprocessed FILE keeps them)\n",
			idRanges(s.NotDoneIDs))
	}
	_, err := io.WriteString(human, b.String())
	if err == nil && asJSON {
		err = json.NewEncoder(jsonOut).Encode(s) // one line
	}
	if err != nil && s.ExitCode == 0 {
		s.ExitCode = 1
	}
	return err
}

func roundDuration(seconds float64) time.Duration {
	d := time.Duration(seconds * float64(time.Second))
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// roughly writes a rate with two significant digits, at least up to the
// units: 0.017, 6.7, 16, 1600.
func roughly(f float64) string {
	if f >= 10 {
		return trimFloat(math.Round(f))
	}
	return strconv.FormatFloat(f, 'g', 2, 64)
}

// count writes "1 command", "2 commands".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// idRanges writes ids, in increasing order, as "#3 #7-#12 #15".
func idRanges(ids []int) string {
	ids = slices.Sorted(slices.Values(ids))
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprintf("#%d", ids[i]))
		} else {
			parts = append(parts, fmt.Sprintf("#%d-#%d", ids[i], ids[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, " ")
}
