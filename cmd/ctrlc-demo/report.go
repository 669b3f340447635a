package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/hashicorp/go-multierror"
)

// summary is the final report, as printed and as JSON: it accounts for every
// command the receiver loop took from the source. The pool's report covers
// those it accepted; the ones the loop still held never reached it.
type summary struct {
	Event       string   `json:"event"`    // what started the shutdown, or "none"
	Received    int      `json:"received"` // commands the receiver loop took from the source
	Completed   int      `json:"completed"`
	Failed      int      `json:"failed"`
	Panicked    int      `json:"panicked"`
	Queued      int      `json:"queued"`      // never started: the pool's, and the ones the loop held
	Interrupted int      `json:"interrupted"` // cancelled by the drain deadline or a hurry
	Abandoned   int      `json:"abandoned"`   // still running when the pool gave up on them
	Balanced    bool     `json:"balanced"`    // received = completed + failed + panicked + queued + interrupted + abandoned
	NotDoneIDs  []int    `json:"not_done_ids"`
	SavedTo     string   `json:"saved_to,omitempty"` // the -unprocessed file
	Stages      []stage  `json:"stages"`
	Errors      []string `json:"errors"`
	// ExitCode is the status the demo's parent sees when the demo does not
	// end by the event (endsBySignal): 0, or 1 when the shutdown itself
	// reported errors (errors from before the stop are the bot's, shown
	// but not counted) or a command is unaccounted for.
	ExitCode int `json:"exit_code"`

	notDone []Command
}

type stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Errors  int     `json:"errors"`
}

func summarize(r *pool.Report[Command], received int, held []Command, err error) *summary {
	s := &summary{
		Event:       "none",
		Received:    received,
		Completed:   r.Completed,
		Failed:      r.Failed,
		Panicked:    r.Panicked,
		Queued:      len(r.Queued) + len(held),
		Interrupted: len(r.Interrupted),
		Abandoned:   len(r.Abandoned),
		Errors:      []string{},
		notDone:     slices.Concat(r.Queued, held, r.Interrupted, r.Abandoned),
	}
	if r.Event.Kind != 0 {
		s.Event = r.Event.Error()
	}
	s.Balanced = s.Received == s.Completed+s.Failed+s.Panicked+s.Queued+s.Interrupted+s.Abandoned
	for _, c := range s.notDone {
		s.NotDoneIDs = append(s.NotDoneIDs, c.ID)
	}
	for _, st := range r.Stages {
		n := len(flatten(st.Err))
		s.Stages = append(s.Stages, stage{Name: st.Name, Seconds: st.Duration.Seconds(), Errors: n})
		if n > 0 && st.Name != pool.StageRun {
			s.ExitCode = 1
		}
	}
	for _, e := range flatten(err) {
		s.Errors = append(s.Errors, e.Error())
	}
	if !s.Balanced {
		s.ExitCode = 1
	}
	return s
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

// save appends each command not done to f, one JSON line each, and closes
// f. A nil f means no -unprocessed file.
func (s *summary) save(f *os.File) error {
	if f == nil {
		return nil
	}
	s.SavedTo = f.Name()
	enc := json.NewEncoder(f)
	var err error
	for _, c := range s.notDone {
		if err = enc.Encode(c); err != nil {
			break
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		err = fmt.Errorf("writing the commands not done to %s: %w", f.Name(), err)
		s.Errors = append(s.Errors, err.Error())
		s.ExitCode = 1
	}
	return err
}

// print writes the report for people to human and, if asJSON, as one line
// of JSON to jsonOut. A failed write to one does not keep the other from
// being written: the terminal may be gone while standard output goes to a
// file.
func (s *summary) print(jsonOut, human io.Writer, asJSON bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "report: %d commands received: %d completed, %d failed, %d panicked, %d queued, %d interrupted, %d abandoned\n",
		s.Received, s.Completed, s.Failed, s.Panicked, s.Queued, s.Interrupted, s.Abandoned)
	if !s.Balanced {
		b.WriteString("  the counts do not add up to the commands received\n")
	}
	var stages []string
	for _, st := range s.Stages {
		stages = append(stages, fmt.Sprintf("%s %v", st.Name, time.Duration(st.Seconds*float64(time.Second)).Round(time.Millisecond)))
	}
	fmt.Fprintf(&b, "  stages: %s\n", strings.Join(stages, ", "))
	if len(s.Errors) > 0 {
		fmt.Fprintf(&b, "errors (%d):\n", len(s.Errors))
		for _, e := range s.Errors {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	switch n := len(s.NotDoneIDs); {
	case n == 0:
		b.WriteString("not done: none\n")
	case s.SavedTo != "":
		fmt.Fprintf(&b, "not done: %d commands, saved to %s\n", n, s.SavedTo)
	default:
		fmt.Fprintf(&b, "not done: %s, lost when the program ends (-unprocessed FILE keeps them)\n", idRanges(s.NotDoneIDs))
	}
	_, _ = io.WriteString(human, b.String())
	if asJSON {
		if err := json.NewEncoder(jsonOut).Encode(s); err != nil {
			s.ExitCode = 1
		}
	}
}

// endsBySignal reports whether the demo, after the drain that e started,
// ends by e itself (ctrlc.Exit) rather than with an exit code: after Ctrl-C
// (or Ctrl-Break) and a hang-up, as a command-line tool should, so that a
// shell loop or a script around it stops too; and after a Windows console
// close, which Windows ends with STATUS_CONTROL_C_EXIT as soon as the hold
// is released. After SIGTERM, logoff or shutdown it exits 0 (1 with
// errors), as a daemon stopped by its supervisor does.
func endsBySignal(e ctrlc.Event) bool {
	switch e.Kind {
	case ctrlc.Interrupt, ctrlc.Break, ctrlc.Hangup, ctrlc.Close:
		return true
	}
	return false
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
