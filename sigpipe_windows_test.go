//go:build windows

package ctrlc

import (
	"bufio"
	"fmt"
	"os"
)

func init() {
	childScenarios["win-broken-pipe"] = withoutArgs(childWinBrokenPipe)
}

// childWinBrokenPipe listens (not when its third arg is "nolistener"), says
// "ready" on the stream that stays whole, and after a line on standard
// input drains, after an interrupt given by Trigger: it writes to the
// stream that the parent broke, writes the marker file, and exits with
// drainedExit.
func childWinBrokenPipe() int {
	marker, broken, whole, more, ok := brokenPipeArgs()
	if !ok {
		return 3
	}
	var l *Listener
	if len(more) == 0 || more[0] != "nolistener" {
		var err error
		if l, err = Notify(); err != nil {
			fmt.Fprintln(whole, err)
			return 3
		}
		defer l.Stop()
	}
	fmt.Fprintln(whole, "ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(whole, "stdin:", err)
		return 3
	}
	e := Event{Kind: Interrupt}
	if l != nil {
		if err := Trigger(e); err != nil {
			fmt.Fprintln(whole, err)
			return 3
		}
		e = <-l.C()
	}
	drain(broken, whole, marker, e)
	fmt.Fprintln(whole, "drained")
	return drainedExit
}
