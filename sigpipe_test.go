//go:build unix || windows

package ctrlc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// The broken-pipe children's common parts (issue 19); the scenarios are in
// sigpipe_unix_test.go and sigpipe_windows_test.go.

// drainedExit is the exit code of a broken-pipe child that got to the end of
// its drain.
const drainedExit = 42

// drainLines is how many lines a broken-pipe child writes while it drains.
const drainLines = 5

// childArgs returns the args the parent gave ctrlctest.Self, as
// ctrlctest.RunChild passes them (this package's tests cannot import ctrlctest).
func childArgs() []string {
	if len(os.Args) < 2 || os.Args[1] != "-test.run=^$" {
		return nil
	}
	return os.Args[2:]
}

// brokenPipeArgs reads a broken-pipe child's args: the marker file to write
// after the drain, the stream the parent breaks ("stdout" or "stderr"),
// and more words for the scenario. It returns the broken stream and the one
// that stays whole, on which the child says "ready".
func brokenPipeArgs() (marker string, broken, whole *os.File, more []string, ok bool) {
	args := childArgs()
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "broken-pipe: want marker-file stdout|stderr [words]; got", args)
		return "", nil, nil, nil, false
	}
	switch args[1] {
	case "stdout":
		broken, whole = os.Stdout, os.Stderr
	case "stderr":
		broken, whole = os.Stderr, os.Stdout
	default:
		fmt.Fprintln(os.Stderr, "broken-pipe: no stream", args[1])
		return "", nil, nil, nil, false
	}
	return args[0], broken, whole, args[2:], true
}

// drain writes drainLines lines to broken, the log of a program that
// drains, and then the marker file, which tells the parent what the writes
// returned (see drainWrites).
func drain(broken, whole *os.File, marker string, e Event) {
	writeMarker(whole, marker, "event="+e.Error(), "errnos="+drainWrites(broken, whole, e))
}

// drainWrites writes drainLines lines to broken and returns the error
// number of each write, joined by commas: 0 for a write that succeeded,
// "?" for an error without one, which it also prints on whole.
func drainWrites(broken, whole *os.File, e Event) string {
	var errnos []string
	for i := 1; i <= drainLines; i++ {
		_, err := fmt.Fprintf(broken, "draining item %d after %v\n", i, e)
		var errno syscall.Errno
		switch {
		case err == nil:
			errnos = append(errnos, "0")
		case errors.As(err, &errno):
			errnos = append(errnos, strconv.Itoa(int(errno)))
		default:
			errnos = append(errnos, "?")
			fmt.Fprintln(whole, "write:", err)
		}
	}
	return strings.Join(errnos, ",")
}

// writeMarker writes the marker file: lines, and "drained" last.
func writeMarker(whole *os.File, marker string, lines ...string) {
	report := strings.Join(append(lines, "drained"), "\n") + "\n"
	if err := os.WriteFile(marker, []byte(report), 0o644); err != nil {
		fmt.Fprintln(whole, "marker:", err)
	}
}

// withoutArgs adapts a scenario that reads its args with childArgs.
func withoutArgs(f func() int) func([]string) int { return func([]string) int { return f() } }
