package bench

import (
	"fmt"
	"runtime"
	"testing"
)

// drainItems is how many no-op items wait in the queue when the drain starts.
const (
	drainItems   = 100_000
	drainWorkers = 8
)

// BenchmarkDrain is the time from the stop call to its return with 100,000
// no-op items queued behind 8 busy workers: pool.Pool's Run with a context
// already done (a stop, policy Finish) against each peer's stop-and-wait. One op is one whole drain; the
// ns/item metric divides it by the items. The set-up (making the pool,
// queueing the items) is outside the timer; the timer starts as the workers'
// plug items are released.
func BenchmarkDrain(b *testing.B) {
	for _, p := range peers {
		b.Run(fmt.Sprintf("items=%d/workers=%d/impl=%s", drainItems, drainWorkers, p.name), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				runtime.GC()
				drain := p.backlog(drainWorkers, drainItems)
				b.StartTimer()
				drain()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/drainItems, "ns/item")
		})
	}
}
