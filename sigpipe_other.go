//go:build !unix

package ctrlc

// Only Unix kills a program for writing to a broken pipe. On Windows such a
// write fails (ERROR_NO_DATA, ERROR_BROKEN_PIPE) and the process goes on;
// under js/wasm, wasip1 and Plan 9 Go's runtime ends no program for it
// (their os.epipecheck or runtime.os_sigpipe does nothing).

func catchBrokenPipes() {}

func releaseBrokenPipes() {}
