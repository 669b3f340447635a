//go:build linux

package bench

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The process benchmarks run real programs: ctrlc-demo (../cmd/ctrlc-demo,
// with its pool of 8 workers), ./cmd/poolidle (the Quick start's program
// with no jobs) and ./cmd/notifyctx (signal.NotifyContext only). Each run
// starts one child (outside the timer), waits for its ready line, sends it
// SIGINT and times until the child has exited: p50-ns is the median of
// those times, ns/op the mean time of an op's runs together.
// peak-rss-KB is the largest peak resident set size over the children, read
// (VmHWM in /proc/PID/status) just before the SIGINT: a peak that excludes
// the stop itself. The child's rusage would not do: os/exec starts it with
// vfork, and its ru_maxrss counts the benchmark's own memory, shared until
// the exec.

// BenchmarkExit is SIGINT to exit for an idle program against the
// NotifyContext-only one: the demo with an idle pool (one command per
// 1000 s), and poolidle. Each gets idleSettle after its ready line to
// finish starting: idle is a program waiting for work, not one still
// setting up.
//
// One op runs the program and the peer, in a random order, so that the
// shared machine's drifts hit both alike; the peer's figures are reported
// as notifyctx-p50-ns and notifyctx-peak-rss-KB, which ratiotable takes for
// its impl=notifyctx column, and x-notifyctx is the ratio of the two
// medians of this run: the paired figure, which the drifts between runs do
// not move.
func BenchmarkExit(b *testing.B) {
	b.Run("state=idle/impl=ctrlc", func(b *testing.B) {
		againstNotifyContext(b, child{bin: binary(b, "ctrlc-demo"), settle: idleSettle, args: []string{"-rate", "0.001"}})
	})
	// The same pairs with poolidle in the demo's place: the Quick start's
	// program with nothing to do, which shows what the library itself adds.
	b.Run("state=idle-pool/impl=ctrlc", func(b *testing.B) {
		againstNotifyContext(b, child{bin: binary(b, "poolidle"), settle: idleSettle})
	})
}

// againstNotifyContext runs own and notifyctx once each per op, in a random
// order, and reports both and the paired ratio.
func againstNotifyContext(b *testing.B, own child) {
	peer := child{bin: binary(b, "notifyctx"), settle: idleSettle}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rand.IntN(2) == 0 {
			own.run(b)
			peer.run(b)
		} else {
			peer.run(b)
			own.run(b)
		}
	}
	own.report(b, "")
	peer.report(b, "notifyctx-")
	b.ReportMetric(float64(median(own.exits))/float64(median(peer.exits)), "x-notifyctx")
}

const idleSettle = 50 * time.Millisecond

// BenchmarkLoad is the demo under load: commands as fast as the source can
// make them (-rate 1e6, no work per command) on 8 workers for 300 ms, then
// SIGINT. ns/op is SIGINT to exit, including the drain of the queue; its
// peak-rss-KB is the figure of interest. NotifyContext alone has no load to
// carry, so no peer runs here.
func BenchmarkLoad(b *testing.B) {
	b.Run("state=load/impl=ctrlc", func(b *testing.B) {
		demo := child{bin: binary(b, "ctrlc-demo"), settle: 300 * time.Millisecond, args: []string{"-rate", "1000000", "-work", "0"}}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			demo.run(b)
		}
		demo.report(b, "")
	})
}

// child is a program a process benchmark runs again and again, and what
// its runs measured.
type child struct {
	bin    string
	args   []string
	settle time.Duration // after the ready line, before the SIGINT

	exits []time.Duration
	rss   []int64
}

// run starts the program, waits for its ready line and settle, and times
// SIGINT to exit; only that is inside b's timer.
func (c *child) run(b *testing.B) {
	b.StopTimer()
	if signal.Ignored(unix.SIGINT) {
		// A child inherits it, and a program keeps a SIGINT ignored at start
		// (as nohup asks): the SIGINT would never end it.
		b.Fatal("SIGINT is ignored in this process (started with & by a shell without job control, or under nohup): " +
			"run the benchmarks in the foreground, or after set -m")
	}
	ready := make(chan struct{})
	out := &lineWatch{ready: ready}
	// The child writes to a pipe of ours, not to a Writer that os/exec
	// would copy for it: Wait then returns when the child has exited (as a
	// shell sees it end), not when a copying goroutine has also caught up.
	// Reading goes on meanwhile, as a terminal's would.
	pr, pw, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(c.bin, c.args...)
	cmd.Stderr = pw
	cmd.Stdout = pw
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		b.Fatal(err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(out, pr)
	}()
	defer func() {
		<-copied
		pr.Close()
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		<-copied
		b.Fatalf("%s: no ready line after 30s; output:\n%s", c.bin, out)
	}
	time.Sleep(c.settle)
	hwm, err := peakRSS(cmd.Process.Pid)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		<-copied
		b.Fatal(err)
	}
	b.StartTimer()
	start := time.Now()
	if err := unix.Kill(cmd.Process.Pid, unix.SIGINT); err != nil {
		b.Fatal(err)
	}
	err = cmd.Wait()
	c.exits = append(c.exits, time.Since(start))
	b.StopTimer()
	// The demo ends by the SIGINT it drained for (ctrlc.Exit), as a
	// command-line tool should: that is a clean end too.
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); err != nil && !(ok && ws.Signaled() && ws.Signal() == syscall.SIGINT) {
		<-copied
		b.Fatalf("%s: %v; output:\n%s", c.bin, err, out)
	}
	c.rss = append(c.rss, hwm)
}

// peakRSS returns the peak resident set size of process pid so far, in KB.
func peakRSS(pid int) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM line", pid)
}

// report reports the median exit and the peak RSS of c's runs, each metric
// named with prefix.
func (c *child) report(b *testing.B, prefix string) {
	if len(c.exits) == 0 {
		return
	}
	b.ReportMetric(float64(slices.Max(c.rss)), prefix+"peak-rss-KB")
	b.ReportMetric(float64(median(c.exits).Nanoseconds()), prefix+"p50-ns")
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(d))
	return s[len(s)/2]
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
// the library's module, "notifyctx" and "poolidle" from this one.
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
	// The demo builds in the library's module (..), the others in this one.
	dir, pkg := "..", "./cmd/ctrlc-demo"
	if name != "ctrlc-demo" {
		dir, pkg = ".", "./cmd/"+name
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
