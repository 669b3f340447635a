//go:build windows

package ctrlctest_test

import "golang.org/x/sys/windows"

// acceptCtrlC undoes "ignore CTRL_C_EVENT", which a process inherits from a
// parent started in a new process group (as go test may be on Windows), so
// that the child programs get the Interrupts the tests send.
func acceptCtrlC() {
	windows.NewLazySystemDLL("kernel32.dll").NewProc("SetConsoleCtrlHandler").Call(0, 0)
}
