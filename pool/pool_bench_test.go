package pool

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// Per-item cost of Submit plus running a no-op handler, including the wait
// for the last item: each b.N loop ends with Close and Run, which returns
// once every submitted item ran. The pool is made before the timer
// starts, so allocs/op is what each item costs in steady state (target 0).
// Side-by-side numbers against other pools live in the bench module.

var benchWorkers = []int{1, 8, 64}

func BenchmarkSubmit(b *testing.B) {
	for _, w := range benchWorkers {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			benchSubmit(b, w, 1)
		})
	}
}

// BenchmarkSubmitConcurrent is BenchmarkSubmit with 8 goroutines submitting
// at once.
func BenchmarkSubmitConcurrent(b *testing.B) {
	for _, w := range benchWorkers {
		b.Run(fmt.Sprintf("workers=%d/submitters=8", w), func(b *testing.B) {
			benchSubmit(b, w, 8)
		})
	}
}

// BenchmarkTrySubmit submits with TrySubmit, yielding on ErrQueueFull.
func BenchmarkTrySubmit(b *testing.B) {
	for _, w := range benchWorkers {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			p, err := New(nop, Options{Workers: w})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; {
				if p.TrySubmit(i) == nil {
					i++
				} else {
					runtime.Gosched()
				}
			}
			finish(b, p, b.N)
		})
	}
}

func benchSubmit(b *testing.B, workers, submitters int) {
	p, err := New(nop, Options{Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	if submitters == 1 {
		for i := 0; i < b.N; i++ {
			if err := p.Submit(ctx, i); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		var wg sync.WaitGroup
		for s := 0; s < submitters; s++ {
			n := b.N / submitters
			if s < b.N%submitters {
				n++
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < n; i++ {
					if err := p.Submit(ctx, i); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	finish(b, p, b.N)
}

// finish ends the input and runs p until every item ran, and checks the
// count.
func finish(b *testing.B, p *Pool[int], n int) {
	if err := p.Close(); err != nil {
		b.Fatal(err)
	}
	r, err := p.Run(context.Background())
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if r.Completed != n || !r.Balanced() {
		b.Fatalf("completed %d of %d items: %+v", r.Completed, n, r)
	}
}

// BenchmarkStats is the cost of one Stats snapshot while items run: one
// atomic load per worker and a short lock the items' path does not take.
func BenchmarkStats(b *testing.B) {
	for _, w := range benchWorkers {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			p, err := New(nop, Options{Workers: w})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Stats()
			}
			b.StopTimer()
			if _, err := stopNow(p); err != nil {
				b.Fatal(err)
			}
		})
	}
}
