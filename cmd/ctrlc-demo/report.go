package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
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
	Event       string   `json:"event"` // what started the shutdown, or "none"
	Received    int      `json:"received"`
	Completed   int      `json:"completed"`
	Failed      int      `json:"failed"`
	Panicked    int      `json:"panicked"`
	Queued      int      `json:"queued"` // never started: the pool's, and the ones the loop held
	Interrupted int      `json:"interrupted"`
	Abandoned   int      `json:"abandoned"`
	Balanced    bool     `json:"balanced"` // received = completed + failed + panicked + queued + interrupted + abandoned
	NotDoneIDs  []int    `json:"not_done_ids"`
	SavedTo     string   `json:"saved_to,omitempty"` // the -unprocessed file
	Stages      []string `json:"stages"`             // "queue 1.2s", in order
	Errors      []string `json:"errors"`
	// ExitCode is the status when the demo does not end by the event: 1 when
	// the shutdown (not the run before it) reported errors, or on a bug.
	ExitCode int `json:"exit_code"`

	notDone []Command
}

func summarize(r *pool.Report[Command], received int, held []Command, err error) *summary {
	s := &summary{Event: "none", Received: received, Completed: r.Completed, Failed: r.Failed, Panicked: r.Panicked,
		Queued: len(r.Queued) + len(held), Interrupted: len(r.Interrupted), Abandoned: len(r.Abandoned),
		NotDoneIDs: []int{}, Errors: []string{}, notDone: slices.Concat(r.Queued, held, r.Interrupted, r.Abandoned)}
	if r.Event.Kind != 0 {
		s.Event = r.Event.Error()
	}
	s.Balanced = s.Received == s.Completed+s.Failed+s.Panicked+s.Queued+s.Interrupted+s.Abandoned
	for _, c := range s.notDone {
		s.NotDoneIDs = append(s.NotDoneIDs, c.ID)
	}
	for _, st := range r.Stages {
		s.Stages = append(s.Stages, st.Name+" "+st.Duration.Round(time.Millisecond).String())
		if st.Err != nil && st.Name != pool.StageRun {
			s.ExitCode = 1
		}
	}
	var m *multierror.Error
	if errors.As(err, &m) {
		for _, e := range m.Errors {
			s.Errors = append(s.Errors, e.Error())
		}
	} else if err != nil {
		s.Errors = append(s.Errors, err.Error())
	}
	if !s.Balanced {
		s.ExitCode = 1
	}
	return s
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
		s.Errors, s.ExitCode = append(s.Errors, "saving the commands not done: "+err.Error()), 1
	}
	return err
}

// print writes the report for people to human and, if asJSON, as one line
// of JSON to jsonOut: the one is written even when the other fails (the
// terminal may be gone while standard output goes to a file). human is
// flushed before the JSON, so that a file that takes both (-log) keeps them
// in order.
func (s *summary) print(jsonOut io.Writer, human *bufio.Writer, asJSON bool) {
	fmt.Fprintf(human, "report: %s received: %d completed, %d failed, %d panicked, %d queued, %d interrupted, %d abandoned\n",
		plural(s.Received, "command"), s.Completed, s.Failed, s.Panicked, s.Queued, s.Interrupted, s.Abandoned)
	fmt.Fprintf(human, "  stages: %s", strings.Join(s.Stages, ", "))
	if len(s.Errors) > 0 {
		fmt.Fprintf(human, "\nerrors (%d):\n  %s", len(s.Errors), strings.Join(s.Errors, "\n  "))
	}
	switch n := len(s.NotDoneIDs); {
	case n == 0:
		fmt.Fprintf(human, "\nnot done: none\n")
	case s.SavedTo != "":
		fmt.Fprintf(human, "\nnot done: %s, saved to %s\n", plural(n, "command"), s.SavedTo)
	default:
		fmt.Fprintf(human, "\nnot done: %v, lost when the program ends (-unprocessed FILE keeps them)\n", slices.Sorted(slices.Values(s.NotDoneIDs)))
	}
	if asJSON {
		_ = human.Flush()
		if json.NewEncoder(jsonOut).Encode(s) != nil {
			s.ExitCode = 1
		}
	}
}

// plural is n and noun, in the plural unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// endsBySignal reports whether the demo ends by e itself (ctrlc.Exit), as a
// command-line tool should after Ctrl-C, Ctrl-Break or a hang-up, so that a
// shell loop around it stops too, and as Windows ends a console closed.
// After SIGTERM, logoff or shutdown it exits with a code, as a daemon does.
func endsBySignal(e ctrlc.Event) bool {
	return e.Kind == ctrlc.Interrupt || e.Kind == ctrlc.Break || e.Kind == ctrlc.Hangup || e.Kind == ctrlc.Close
}
