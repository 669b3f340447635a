//go:build windows

package ctrlc

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

func init() {
	childScenarios["win-ignored"] = childWinIgnored
}

// childWinIgnored runs in a new process group, which Windows starts with
// CTRL_C_EVENT ignored. It reports the ignore around a listener made with
// or without WithEvenIfIgnored, then sends CTRL_C_EVENT to its console.
func childWinIgnored([]string) int {
	fmt.Println("ignored at start:", ignoredKinds().has(Interrupt))
	opts := []Option{WithoutForceExit()}
	if os.Getenv("CHILD_EVEN_IF_IGNORED") != "" {
		opts = append(opts, WithEvenIfIgnored())
	}
	l, err := Notify(opts...)
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	fmt.Println("listening to interrupt:", l.active.has(Interrupt))
	fmt.Println("ignored now:", ignoredKinds().has(Interrupt))
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0); err != nil {
		fmt.Println("cannot send CTRL_C_EVENT:", err)
		return 0
	}
	select {
	case e := <-l.C():
		fmt.Println("got", e)
	case <-time.After(time.Second):
		fmt.Println("no event")
	}
	return 0
}
