//go:build windows

package ctrlc

import "os"

// statusControlCExit is STATUS_CONTROL_C_EXIT, the exit status of a console
// process ended by Ctrl-C or by closing its window.
var statusControlCExit uint32 = 0xC000013A

func exit(e Event) {
	if !e.Kind.valid() {
		os.Exit(exitCode(e))
	}
	// os.Exit passes its int on to ExitProcess as a uint32.
	os.Exit(int(int32(statusControlCExit)))
}
