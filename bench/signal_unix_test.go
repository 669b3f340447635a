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

// BenchmarkSignalLatency is the time from unix.Kill(self, SIGINT) to the
// receive on the listener's channel: ctrlc.Notify's C() against a bare
// signal.Notify channel. One op is one signal, sent once the previous one was
// received. p50-ns and p99-ns are the median and 99th percentile over the
// b.N signals of the run.
func BenchmarkSignalLatency(b *testing.B) {
	b.Run("impl=ctrlc", func(b *testing.B) {
		l, err := ctrlc.Notify(ctrlc.WithoutForceExit())
		if err != nil {
			b.Fatal(err)
		}
		defer l.Stop()
		c := l.C()
		signalLatency(b, func() { <-c })
	})
	b.Run("impl=os-signal", func(b *testing.B) {
		c := make(chan os.Signal, 1)
		signal.Notify(c, unix.SIGINT, unix.SIGTERM)
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
		if err := unix.Kill(pid, unix.SIGINT); err != nil {
			b.Fatal(err)
		}
		receive()
		lat[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Nanoseconds()), "p99-ns")
}
