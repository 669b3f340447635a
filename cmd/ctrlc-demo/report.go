package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/hashicorp/go-multierror"
)

// howToStop ends the ready line.
func howToStop(c *config) string {
	if c.catches(ctrlc.Interrupt) {
		return "press Ctrl-C to stop"
	}
	return "stop it with " + strings.ReplaceAll(kindList(c.kinds), ",", " or ") + " (Ctrl-C is not caught: it kills the program)"
}

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

// status words the lines printed while the bot runs and while it drains.
type statusLines struct {
	bot       *bot
	source    *source
	submitted *atomic.Int64 // commands the pool accepted
	policy    pool.Policy
}

// queued is how many commands the pool accepted that no worker took up yet.
func (s statusLines) queued() int64 { return max(0, s.submitted.Load()-s.bot.started.Load()) }

func (s statusLines) running(elapsed time.Duration) string {
	return fmt.Sprintf("running %v: %d commands received, %d done, %d in flight, %d queued",
		elapsed, s.source.emitted.Load(), s.bot.finished.Load(), s.bot.inFlight.Load(), s.queued())
}

func (s statusLines) draining(elapsed time.Duration) string {
	if s.policy == pool.Abandon {
		return fmt.Sprintf("draining %v: %d in flight, %d queued commands set aside unrun; Ctrl-C again exits at once and loses them",
			elapsed, s.bot.inFlight.Load(), s.queued())
	}
	return fmt.Sprintf("draining %v: %d queued, %d in flight; Ctrl-C again exits at once and loses them",
		elapsed, s.queued(), s.bot.inFlight.Load())
}

// joined says what dropping the pool joined.
func joined(workers, abandoned int) string {
	if abandoned == 0 {
		return fmt.Sprintf("%d workers joined", workers)
	}
	return fmt.Sprintf("%d workers joined, %d left running an abandoned command", workers-abandoned, abandoned)
}

// summary is the final report, as printed and as JSON.
type summary struct {
	Event           string   `json:"event"`     // what started the shutdown
	Emitted         int      `json:"emitted"`   // commands the source emitted, all of which the receiver loop took
	Submitted       int      `json:"submitted"` // commands the pool accepted
	Held            int      `json:"held"`      // commands the loop held when shutdown began, with the queue full
	Completed       int      `json:"completed"`
	Failed          int      `json:"failed"`
	Panicked        int      `json:"panicked"`
	Unprocessed     int      `json:"unprocessed"` // commands that never ran: the pool's, then the held ones
	Abandoned       int      `json:"abandoned"`
	Balanced        bool     `json:"balanced"` // emitted = submitted+held = completed+failed+panicked+unprocessed+abandoned
	UnprocessedIDs  []int    `json:"unprocessed_ids"`
	UnprocessedFile string   `json:"unprocessed_file,omitempty"`
	Stages          []stage  `json:"stages"`
	Errors          []string `json:"errors"`
	ExitCode        int      `json:"exit_code"` // 0, or 1 when there are errors

	unprocessed []Command
}

type stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Errors  int     `json:"errors"`
}

// summarize accounts for every command the source emitted: the pool's report
// covers those it accepted; held ones never reached it.
func summarize(e ctrlc.Event, emitted int, held []Command, r *pool.Report[Command], err error) *summary {
	s := &summary{
		Event:          e.String(),
		Emitted:        emitted,
		Submitted:      r.Submitted,
		Held:           len(held),
		Completed:      r.Completed,
		Failed:         r.Failed,
		Panicked:       r.Panicked,
		Abandoned:      r.Abandoned,
		UnprocessedIDs: []int{},
		Errors:         []string{},
		unprocessed:    append(r.Unprocessed, held...),
	}
	s.Unprocessed = len(s.unprocessed)
	s.Balanced = r.Balanced() && emitted == r.Submitted+len(held) &&
		emitted == s.Completed+s.Failed+s.Panicked+s.Unprocessed+s.Abandoned
	for _, cmd := range s.unprocessed {
		s.UnprocessedIDs = append(s.UnprocessedIDs, cmd.ID)
	}
	for _, st := range r.Stages {
		s.Stages = append(s.Stages, stage{Name: st.Name, Seconds: st.Duration.Seconds(), Errors: len(flatten(st.Err))})
	}
	for _, e := range flatten(err) {
		s.Errors = append(s.Errors, e.Error())
	}
	if len(s.Errors) > 0 || !s.Balanced {
		s.ExitCode = 1
	}
	return s
}

// save writes each unprocessed command to f, one JSON line each, and closes
// f. A nil f means no -unprocessed file.
func (s *summary) save(f *os.File) error {
	if f == nil {
		return nil
	}
	s.UnprocessedFile = f.Name()
	enc := json.NewEncoder(f)
	var err error
	for _, cmd := range s.unprocessed {
		if err = enc.Encode(cmd); err != nil {
			break
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		err = fmt.Errorf("writing the unprocessed commands: %w", err)
		s.Errors = append(s.Errors, err.Error())
		s.ExitCode = 1
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
	fmt.Fprintf(&b, "report: %d commands: %d completed, %d failed, %d panicked, %d unprocessed, %d abandoned\n",
		s.Emitted, s.Completed, s.Failed, s.Panicked, s.Unprocessed, s.Abandoned)
	if s.Held > 0 {
		fmt.Fprintf(&b, "  (%d of them held by the receiver loop: the queue was full when shutdown began)\n", s.Held)
	}
	if !s.Balanced {
		fmt.Fprintf(&b, "  the counts do not balance: %d submitted to the pool\n", s.Submitted)
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
	switch {
	case s.Unprocessed == 0:
	case s.UnprocessedFile != "":
		fmt.Fprintf(&b, "unprocessed: %d commands written to %s\n", s.Unprocessed, s.UnprocessedFile)
	default:
		fmt.Fprintf(&b, "unprocessed: %s (keep them with -unprocessed FILE)\n", idRanges(s.UnprocessedIDs))
	}
	_, err := io.WriteString(human, b.String())
	if err == nil && asJSON {
		err = json.NewEncoder(jsonOut).Encode(s) // one line
	}
	if err != nil {
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

// idRanges writes ids as "#3 #7-#12 #15".
func idRanges(ids []int) string {
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
