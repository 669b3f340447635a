//go:build unix

package bench

import (
	"os"
	"os/signal"
	"slices"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"golang.org/x/sys/unix"
)

// latencySignals are sent in turn, one per op: SIGINT, SIGTERM and SIGHUP,
// ctrlc's default kinds on Unix.
var latencySignals = []unix.Signal{unix.SIGINT, unix.SIGTERM, unix.SIGHUP}

// latencyGap is the pause between two signals, outside what each op times:
// ctrlc takes a native repeat of the same kind within 50 ms for a duplicate
// (a wrapper's forwarded copy of a Ctrl-C) and drops it, so a kind comes
// back only every len(latencySignals) × latencyGap, past that window. The
// os/signal channel gets the same signals at the same pace.
const latencyGap = 20 * time.Millisecond

// BenchmarkSignalLatency is the time from unix.Kill(self, sig) to the
// receive on the listener's channel: ctrlc.Notify's C() against a bare
// signal.Notify channel. One op is one signal, sent latencyGap after the
// previous one was received; ns/op includes that gap, so read p50-ns and
// p99-ns, the median and 99th percentile of the latencies alone over the
// b.N signals of the run.
func BenchmarkSignalLatency(b *testing.B) {
	b.Run("impl=ctrlc", func(b *testing.B) {
		// WithEvenIfIgnored: signal.Notify below takes a signal ignored at
		// start (a benchmark run with & from a script) too.
		l, err := ctrlc.Notify(ctrlc.WithoutForceExit(), ctrlc.WithEvenIfIgnored())
		if err != nil {
			b.Fatal(err)
		}
		defer l.Stop()
		c := l.C()
		signalLatency(b, func() { <-c })
	})
	b.Run("impl=os-signal", func(b *testing.B) {
		c := make(chan os.Signal, 1)
		signal.Notify(c, unix.SIGINT, unix.SIGTERM, unix.SIGHUP)
		defer signal.Stop(c)
		signalLatency(b, func() { <-c })
	})
}

func signalLatency(b *testing.B, receive func()) {
	pid := os.Getpid()
	lat := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range lat {
		start := time.Now()
		if err := unix.Kill(pid, latencySignals[i%len(latencySignals)]); err != nil {
			b.Fatal(err)
		}
		receive()
		lat[i] = time.Since(start)
		time.Sleep(latencyGap)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Nanoseconds()), "p99-ns")
}
