package child_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/testkit"
)

// needProcesses skips the test where no child process can run.
func needProcesses(t *testing.T) {
	t.Helper()
	if !testkit.CanStart {
		t.Skip("this platform cannot start processes")
	}
}

// pids parses the pids after the first word of line ("ready 12 13").
func pids(t *testing.T, line string) []int {
	t.Helper()
	var ps []int
	for _, f := range strings.Fields(line)[1:] {
		p, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("pids in %q: %v", line, err)
		}
		ps = append(ps, p)
	}
	return ps
}

// watchAll watches each pid (see watch).
func watchAll(t *testing.T, pids ...int) []*proc {
	t.Helper()
	var ps []*proc
	for _, pid := range pids {
		ps = append(ps, watch(t, pid))
	}
	return ps
}

// waitGone waits, a bounded time, until none of ps runs; it fails the test
// with the ones that still run.
func waitGone(t *testing.T, what string, ps ...*proc) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		var alive []int
		for _, p := range ps {
			if p.alive() {
				alive = append(alive, p.pid)
			}
		}
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: pids %v still run after %v", what, alive, waitTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
