// Package exitcode holds the one table of the Unix signal each ctrlc.Kind
// stands for, which fixes its exit code on every platform, for ctrlc's Exit
// and for ctrlctest's reading of how a process ended.
package exitcode

// signals is indexed by the ctrlc.Kind values (Interrupt = 1 … Shutdown =
// 8). Windows events follow Go's runtime, which maps CTRL_BREAK to SIGINT
// and close, logoff and shutdown to SIGTERM.
var signals = [...]int{
	1: 2,  // Interrupt: SIGINT
	2: 15, // Terminate: SIGTERM
	3: 1,  // Hangup: SIGHUP
	4: 3,  // Quit: SIGQUIT
	5: 2,  // Break: SIGINT
	6: 15, // Close: SIGTERM
	7: 15, // Logoff: SIGTERM
	8: 15, // Shutdown: SIGTERM
}

// Signal returns the Unix signal number of kind, or 0 for no kind.
func Signal(kind uint8) int {
	if int(kind) >= len(signals) {
		return 0
	}
	return signals[kind]
}

// Of returns the exit status a shell reports for a process killed by the
// signal of kind: 128 plus its number (130 for an interrupt, 143 for
// terminate); 1 for no kind.
func Of(kind uint8) int {
	if n := Signal(kind); n != 0 {
		return 128 + n
	}
	return 1
}
