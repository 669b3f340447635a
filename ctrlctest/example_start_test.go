package ctrlctest_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// testBotShutdown is a test of a program's shutdown with a real Ctrl-C; in
// the program's repository it is func TestShutdown(t *testing.T). The same
// test runs on Linux, macOS and Windows.
func testBotShutdown(t *testing.T) {
	bot := filepath.Join(t.TempDir(), "bot")
	if out, err := exec.Command("go", "build", "-o", bot, "./cmd/ctrlc-demo").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	p := ctrlctest.Start(t, exec.Command(bot, "-workers", "8"))
	p.WaitFor("press Ctrl-C to stop")
	p.Send(ctrlc.Interrupt) // SIGINT; CTRL_C_EVENT on Windows
	if st := p.Wait(); !st.EndedBy(ctrlc.Interrupt) {
		t.Fatalf("the bot: %v, want an end by Ctrl-C; output:\n%s", st, p.Output())
	}
	if !p.Order("shutting down", "Worker loop done.", "Dropped the worker pool", "Good bye!") {
		t.Fatalf("the shutdown's steps are missing or out of order:\n%s", p.Output())
	}
}

// To test a program's shutdown: start it, wait until it is ready, send it a
// real event, and check what it printed and how it ended.
func ExampleStart() {
	_ = testBotShutdown // called by go test as TestShutdown
}
