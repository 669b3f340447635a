//go:build !unix

package ctrlc

// Only Unix kills a program for writing to a broken pipe. On Windows such a
// write fails (ERROR_NO_DATA, ERROR_BROKEN_PIPE) and the process goes on;
// js/wasm and wasip1 have no signals; on Plan 9 os/signal does not raise
// one for a write.

func catchBrokenPipes() {}

func releaseBrokenPipes() {}
