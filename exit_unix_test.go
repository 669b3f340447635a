//go:build unix

package ctrlc

import (
	"fmt"
	"os"
	"strconv"
)

func init() {
	childScenarios["exit"] = childExit
	childScenarios["exit-race"] = childExitRace
	childScenarios["tool"] = childTool
}

// childExit calls Exit with the kind in CHILD_KIND (a number), after
// listening to it when CHILD_LISTEN is set.
func childExit([]string) int {
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

// childExitRace calls Exit(Interrupt) while another goroutine makes and
// stops SIGINT listeners, each the first of its kind, as fast as it can:
// one made between Exit's reset of SIGINT and the raise would catch the
// raised signal, and Exit would fall back to exit code 130.
func childExitRace([]string) int {
	started := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			l, err := Notify(WithKinds(Interrupt), WithoutForceExit())
			if err != nil {
				fmt.Println(err)
				os.Exit(3)
			}
			if i == 0 {
				close(started)
			}
			l.Stop()
		}
	}()
	<-started
	Exit(Event{Kind: Interrupt})
	fmt.Println("Exit returned")
	return 4
}

// childTool is a command-line tool: on Ctrl-C it drains cleanly and then
// exits with Exit, or with os.Exit(130) when CHILD_PLAIN_EXIT is set.
func childTool([]string) int {
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
		return exitCode(e)
	}
	Exit(e)
	return 4
}
