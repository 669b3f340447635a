package ctrlctest_test

import (
	"fmt"
	"testing"

	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// childArgs prints what Args returns.
func childArgs() int {
	fmt.Printf("args %q\n", ctrlctest.Args())
	return 0
}

// TestArgs: a scenario gets the args given to Self, as they were, even
// those that look like test flags; the test binary itself gets none.
func TestArgs(t *testing.T) {
	if args := ctrlctest.Args(); args != nil {
		t.Fatalf("Args() = %q in the test process, want nil", args)
	}
	p := ctrlctest.Start(t, ctrlctest.Self("args", "-addr", "127.0.0.1:0", "a b", "--", "", "-test.v"))
	p.WaitFor(`args ["-addr" "127.0.0.1:0" "a b" "--" "" "-test.v"]`)
	if code, err := p.Wait(); code != 0 {
		t.Fatalf("exit %d (%v); output:\n%s", code, err, p.Output())
	}
}

// A test binary that is also the program under test: TestMain runs the
// program's main when Self started the binary, with the args given to Self.
func ExampleArgs() {
	// In TestMain, before the tests:
	//
	//	ctrlctest.RunChild(map[string]func() int{
	//		"server": func() int { return run(ctrlctest.Args()) },
	//	})
	//
	// and in a test:
	//
	//	p := ctrlctest.Start(t, ctrlctest.Self("server", "-addr", "127.0.0.1:0"))
	fmt.Println(ctrlctest.Args() == nil) // in the test binary itself
	// Output: true
}
