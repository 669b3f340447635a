// Package bench measures github.com/ctrlc-go/ctrlc against the libraries a
// user would otherwise pick. It is its own module so that those libraries
// never enter the library's go.mod. Run ./run.sh for the full comparison.
package bench

import (
	"fmt"
	"sync"
	"testing"
)

// spinIters makes spin take about 1 µs on the machine the README's table
// comes from (an AMD EPYC core, go1.26); TestSpinIsAboutOneMicrosecond
// prints what it takes here.
const spinIters = 480

// spin is the CPU-bound handler: a xorshift loop that the compiler cannot
// drop, since a non-zero seed never yields zero.
func spin() {
	x := uint64(spinIters)
	for i := 0; i < spinIters; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	if x == 0 {
		panic("unreachable")
	}
}

func nop() {}

var handlers = []struct {
	name string
	work func()
}{
	{"noop", nop},
	{"cpu1us", spin},
}

var (
	workerCounts    = []int{1, 8, 64}
	submitterCounts = []int{1, 8}
)

// BenchmarkSubmit is the per-item cost of submitting an item and running it:
// ns/op, B/op and allocs/op are per item. The pool is made before the timer
// starts; the timer stops after the peer's stop-and-wait call returned, so
// every item has run. With 8 submitters, b.N items are split among 8
// goroutines. cpu-ns/op is the process's CPU time (user and system, all
// threads) per item: on a shared machine it moves less with the neighbours'
// load than ns/op does.
func BenchmarkSubmit(b *testing.B) {
	for _, h := range handlers {
		for _, w := range workerCounts {
			for _, s := range submitterCounts {
				for _, p := range peers {
					name := fmt.Sprintf("handler=%s/workers=%d/submitters=%d/impl=%s", h.name, w, s, p.name)
					b.Run(name, func(b *testing.B) { benchSubmit(b, p, h.work, w, s) })
				}
			}
		}
	}
}

func benchSubmit(b *testing.B, p peer, work func(), workers, submitters int) {
	submit, wait := p.start(workers, work)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	if submitters == 1 {
		for i := 0; i < b.N; i++ {
			submit(i)
		}
	} else {
		var wg sync.WaitGroup
		wg.Add(submitters)
		for s := 0; s < submitters; s++ {
			n := b.N / submitters
			if s < b.N%submitters {
				n++
			}
			go func() {
				defer wg.Done()
				for i := 0; i < n; i++ {
					submit(i)
				}
			}()
		}
		wg.Wait()
	}
	wait()
	b.StopTimer()
	if cpu := cpuTime() - cpu; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func TestSpinIsAboutOneMicrosecond(t *testing.T) {
	r := testing.Benchmark(func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			spin()
		}
	})
	t.Logf("spin: %v per call", r.NsPerOp())
}
