//go:build !unix && !windows

package ctrlc

import "os"

// Without signals to raise (js/wasm, wasip1, Plan 9, ...), the exit code
// tells the parent what happened.
func exit(e Event) { os.Exit(exitCode(e)) }
