//go:build linux

package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The process benchmarks run real programs: ctrlc-demo (../cmd/ctrlc-demo,
// with its pool of 8 workers) and ./cmd/notifyctx (signal.NotifyContext
// only). Each op starts one child (outside the timer), waits for its ready
// line, sends it SIGINT and times until the child has exited: ns/op is the
// mean, p50-ns the median of those times. peak-rss-KB is the largest maximum
// resident set size (ru_maxrss from the child's rusage) over the run's children.

// BenchmarkExit is SIGINT to exit for an idle program: the demo with an idle
// pool (one command per 1000 s) against the NotifyContext-only program. Each
// gets idleSettle after its ready line to finish starting: idle is a program
// waiting for work, not one still setting up.
func BenchmarkExit(b *testing.B) {
	b.Run("state=idle/impl=ctrlc", func(b *testing.B) {
		benchExit(b, binary(b, "ctrlc-demo"), idleSettle, "-rate", "0.001")
	})
	b.Run("state=idle/impl=notifyctx", func(b *testing.B) {
		benchExit(b, binary(b, "notifyctx"), idleSettle)
	})
}

const idleSettle = 50 * time.Millisecond

// BenchmarkLoad is the demo under load: commands as fast as the source can
// make them (-rate 1e6, no work per command) on 8 workers for 300 ms, then
// SIGINT. ns/op is SIGINT to exit, including the drain of the queue; its
// peak-rss-KB is the figure of interest. NotifyContext alone has no load to
// carry, so no peer runs here.
func BenchmarkLoad(b *testing.B) {
	b.Run("state=load/impl=ctrlc", func(b *testing.B) {
		benchExit(b, binary(b, "ctrlc-demo"), 300*time.Millisecond, "-rate", "1000000", "-work", "0")
	})
}

func benchExit(b *testing.B, bin string, busy time.Duration, args ...string) {
	if signal.Ignored(unix.SIGINT) {
		// A child inherits it, and a program keeps a SIGINT ignored at start
		// (as nohup asks): the SIGINT would never end it.
		b.Fatal("SIGINT is ignored in this process (started with & by a shell without job control, or under nohup): " +
			"run the benchmarks in the foreground, or after set -m")
	}
	var (
		rss   []int64
		exits []time.Duration
	)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ready := make(chan struct{})
		out := &lineWatch{ready: ready}
		cmd := exec.Command(bin, args...)
		cmd.Stderr = out
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		select {
		case <-ready:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			b.Fatalf("%s: no ready line after 30s; output:\n%s", bin, out)
		}
		time.Sleep(busy)
		b.StartTimer()
		start := time.Now()
		if err := unix.Kill(cmd.Process.Pid, unix.SIGINT); err != nil {
			b.Fatal(err)
		}
		err := cmd.Wait()
		exits = append(exits, time.Since(start))
		b.StopTimer()
		// The demo ends by the SIGINT it drained for (ctrlc.Exit), as a
		// command-line tool should: that is a clean end too.
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); err != nil && !(ok && ws.Signaled() && ws.Signal() == syscall.SIGINT) {
			b.Fatalf("%s: %v; output:\n%s", bin, err, out)
		}
		rss = append(rss, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
	}
	var peak int64
	for _, r := range rss {
		peak = max(peak, r)
	}
	b.ReportMetric(float64(peak), "peak-rss-KB")
	slices.Sort(exits)
	b.ReportMetric(float64(exits[len(exits)/2].Nanoseconds()), "p50-ns")
}

// lineWatch collects a child's output and closes ready at the first line.
type lineWatch struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	seen  bool
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.seen && bytes.IndexByte(w.buf.Bytes(), '\n') >= 0 {
		w.seen = true
		close(w.ready)
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string
	errs map[string]error
}

// binary builds the named program once per test process: "ctrlc-demo" from
// the library's module, "notifyctx" from this one.
func binary(b *testing.B, name string) string {
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[name]; ok {
		return bin
	}
	if err, ok := builds.errs[name]; ok {
		b.Skipf("cannot build %s: %v", name, err)
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "ctrlc-bench-")
		if err != nil {
			b.Fatal(err)
		}
		builds.dir, builds.bins, builds.errs = dir, map[string]string{}, map[string]error{}
	}
	// The demo builds in the library's module (..), notifyctx in this one.
	dir, pkg := "..", "./cmd/ctrlc-demo"
	if name == "notifyctx" {
		dir, pkg = ".", "./cmd/notifyctx"
	}
	bin := filepath.Join(builds.dir, name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		builds.errs[name] = fmt.Errorf("%v: %s", err, out)
		b.Skipf("cannot build %s: %v: %s", name, err, out)
	}
	builds.bins[name] = bin
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}
