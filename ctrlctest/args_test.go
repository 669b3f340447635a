package ctrlctest_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// childArgs prints the args RunChild gave it.
func childArgs(args []string) int {
	fmt.Printf("args %q\n", args)
	return 0
}

// childLongLine prints a line of 3 MiB, then a short one.
func childLongLine([]string) int {
	fmt.Println(strings.Repeat("x", 3<<20))
	fmt.Println("after the long line")
	return 0
}

// TestArgs: a scenario gets the args given to Self, as they were, even
// those that look like test flags.
func TestArgs(t *testing.T) {
	p := ctrlctest.Start(t, ctrlctest.Self("args", "-addr", "127.0.0.1:0", "a b", "--", "", "-test.v"))
	p.WaitFor(`args ["-addr" "127.0.0.1:0" "a b" "--" "" "-test.v"]`)
	if st := p.Wait(); !st.Success() {
		t.Fatalf("%v; output:\n%s", st, p.Output())
	}
}

// TestLongLine: a line far over any scanner's buffer is read whole, and the
// output after it is not lost.
func TestLongLine(t *testing.T) {
	p := ctrlctest.Start(t, ctrlctest.Self("long"))
	p.WaitFor("after the long line")
	if st := p.Wait(); !st.Success() {
		t.Fatalf("%v", st)
	}
	if n := p.Count(strings.Repeat("x", 3<<20)); n != 1 {
		t.Fatalf("%d lines of 3 MiB, want 1", n)
	}
}

// TestStartKeepsSetsid: a command that asks for a session of its own
// starts (Setpgid after Setsid would fail with EPERM) and leads its group.
func TestStartKeepsSetsid(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" || runtime.GOOS == "plan9" {
		t.Skip("Setsid is Unix's")
	}
	cmd := ctrlctest.Self("idle")
	setSetsid(cmd)
	p := ctrlctest.Start(t, cmd)
	p.WaitFor("ready")
	p.Send(ctrlc.Terminate)
	if st := p.Wait(); !st.EndedBy(ctrlc.Terminate) {
		t.Fatalf("%v, want an end by SIGTERM", st)
	}
}

// A test binary that is also the program under test: TestMain runs the
// program's main when Self started the binary, with the args given to Self.
func ExampleRunChild() {
	// In TestMain, before the tests:
	//
	//	ctrlctest.RunChild(map[string]func(args []string) int{
	//		"server": func(args []string) int { return run(args) },
	//	})
	//
	// and in a test:
	//
	//	p := ctrlctest.Start(t, ctrlctest.Self("server", "-addr", "127.0.0.1:0"))
	fmt.Println(ctrlctest.Self("server").Args[1])
	// Output: -test.run=^$
}
