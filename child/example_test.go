//go:build unix || windows

package child_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ctrlc-go/ctrlc/child"
)

// An item of work runs a program. A Ctrl-C at the terminal reaches this
// program, not the child, which finishes; cancelling ctx stops the child
// (politely, then with its whole group after cmd.WaitDelay); and the child
// does not outlive this program.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The program here is this test binary, run as its "greet" scenario;
	// in a real program: child.Command(ctx, "ffmpeg", "-i", in, out).
	cmd := child.Command(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CTRLC_TEST_CHILD=greet")
	var out strings.Builder
	cmd.Stdout = &out
	if err := child.Run(cmd); err != nil {
		fmt.Println("the child failed:", err)
		return
	}
	fmt.Print(out.String())
	// Output: hello from a child program
}

// A child that wants another request to stop than SIGTERM (CTRL_BREAK_EVENT
// on Windows) gets it from a Cancel of the caller's; the forced stop of the
// group after the grace stays.
func ExampleSignal() {
	run := func(ctx context.Context, name string, arg ...string) error {
		cmd := child.Command(ctx, name, arg...)
		cmd.Cancel = func() error { return child.Signal(cmd, os.Interrupt) }
		cmd.WaitDelay = 30 * time.Second // the grace between the two
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		return child.Run(cmd)
	}
	_ = run
}

// A daemon that exits with a code, not by ctrlc.Exit, kills what its
// children left running last: a hurried drain gives up on an item whose
// child ignores the request to stop before the child's forced stop is due.
func ExampleKillAll() {
	serve := func() (code int) {
		defer child.KillAll()
		// ... ctrlc.NotifyContext, a pool whose items run child.Command,
		// p.Run(ctx), the report ...
		return 0
	}
	fmt.Println("exit code", serve())
	// Output: exit code 0
}
