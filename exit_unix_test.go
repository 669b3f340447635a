//go:build unix

package ctrlc

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
)

func init() {
	childScenarios["exit"] = childExit
	childScenarios["last-word"] = childLastWord
}

// childExit calls Exit with the kind in CHILD_KIND (a number), after
// listening to it when CHILD_LISTEN is set.
func childExit() int {
	n, _ := strconv.Atoi(os.Getenv("CHILD_KIND"))
	k := Kind(n)
	if os.Getenv("CHILD_LISTEN") != "" {
		l, err := Notify(WithKinds(k), WithoutForceExit())
		if err != nil {
			fmt.Println(err)
			return 3
		}
		defer l.Stop()
	}
	if os.Getenv("CHILD_PRINT_PID") != "" {
		fmt.Println("pid", os.Getpid())
	}
	fmt.Println("exiting")
	Exit(Event{Kind: k})
	fmt.Println("Exit returned")
	return 4
}

// childLastWord drains slowly; its last word, on a forced exit, writes what
// it still holds to CHILD_FILE.
func childLastWord() int {
	file := os.Getenv("CHILD_FILE")
	timeout, _ := time.ParseDuration(os.Getenv("CHILD_TIMEOUT"))
	l, err := Notify(WithLastWord(timeout, func(ctx context.Context, e Event) {
		fmt.Printf("last word on %v seq=%d\n", e, e.Seq)
		if os.Getenv("CHILD_STUCK") != "" {
			select {} // ignores ctx: only the timeout or another event ends it
		}
		if err := os.WriteFile(file, []byte("item 7\nitem 8\n"), 0o600); err != nil {
			fmt.Println(err)
		}
		fmt.Println("saved")
	}))
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	fmt.Println("ready")
	e := <-l.C()
	fmt.Printf("shutting down after %v\n", e)
	time.Sleep(30 * time.Second)
	fmt.Println("clean exit")
	return 0
}

func init() { childScenarios["tool"] = childTool }

// childTool is a command-line tool: on Ctrl-C it drains cleanly and then
// exits with Exit, or with os.Exit(e.ExitCode()) when CHILD_PLAIN_EXIT is
// set.
func childTool() int {
	l, err := Notify()
	if err != nil {
		fmt.Println(err)
		return 3
	}
	fmt.Println("ready")
	e := <-l.C()
	fmt.Println("drained after", e)
	l.Stop()
	if os.Getenv("CHILD_PLAIN_EXIT") != "" {
		return e.ExitCode()
	}
	Exit(e)
	return 4
}
