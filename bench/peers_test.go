package bench

import (
	"context"
	"sync"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/panjf2000/ants/v2"
	conc "github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"
)

// A peer is one way to run items on a bounded set of workers. Every peer
// runs the same work per item through one indirect call, and waits for all
// items with its own stop-and-wait call.
//
// Peers whose API takes a func() are given one prebuilt func that captures
// nothing, so they pay no closure allocation per item: their best case.
// pool.Pool and the hand-written channel pool take the item itself (an int).
type peer struct {
	name string
	// start starts a pool of the given number of workers that runs work for
	// each item; submit is safe for concurrent use, wait stops the pool and
	// returns once every submitted item ran.
	start func(workers int, work func()) (submit func(item int), wait func())
	// backlog makes a pool of the given number of workers, blocks every
	// worker on a plug item that waits for gate, and queues n no-op items
	// behind the plugs. drain closes gate and then does the peer's
	// stop-and-wait. Peers that have no queue (ants, conc, errgroup) hold the
	// backlog in a submitting goroutine blocked in its submit call: their
	// drain includes the rest of that loop.
	backlog func(workers, n int) (drain func())
}

// chanQueuePerWorker sizes the hand-written pool's buffer like pool.Pool's
// default queue (QueueSize 0: 4 per worker, a default the pool no longer
// exports).
const chanQueuePerWorker = 4

var peers = []peer{
	{name: "ctrlc", start: startCtrlc, backlog: backlogCtrlc},
	{name: "ants", start: startAnts, backlog: backlogAnts},
	{name: "pond", start: startPond, backlog: backlogPond},
	{name: "conc", start: startConc, backlog: backlogConc},
	{name: "errgroup", start: startErrgroup, backlog: backlogErrgroup},
	{name: "chan", start: startChan, backlog: backlogChan},
	{name: "goroutine", start: startGoroutine, backlog: backlogGoroutine},
}

// ---- pool.Pool (this project)

func startCtrlc(workers int, work func()) (func(int), func()) {
	p, err := pool.New(func(_ context.Context, _ int) error { work(); return nil }, pool.Options{Workers: workers})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	return func(i int) {
			if err := p.Submit(ctx, i); err != nil {
				panic(err)
			}
		}, func() {
			// The end of the input: Run returns once every item ran.
			must(p.Close())
			r, err := p.Run(ctx)
			must(err)
			if !r.Balanced() {
				panic("ctrlc: report unbalanced")
			}
		}
}

func backlogCtrlc(workers, n int) func() {
	gate := make(chan struct{})
	p, err := pool.New(func(_ context.Context, i int) error {
		if i < 0 {
			<-gate
		}
		return nil
	}, pool.Options{Workers: workers, QueueSize: workers + n})
	if err != nil {
		panic(err)
	}
	for i := 0; i < workers; i++ {
		must(p.TrySubmit(-1))
	}
	for i := 0; i < n; i++ {
		must(p.TrySubmit(i))
	}
	return func() {
		close(gate)
		// The stop: Run with a context already done drains the queue
		// (policy Finish), as at a Ctrl-C.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r, err := p.Run(ctx)
		must(err)
		if r.Completed != workers+n {
			panic("ctrlc: items lost")
		}
	}
}

// ---- github.com/panjf2000/ants/v2

func startAnts(workers int, work func()) (func(int), func()) {
	p, err := ants.NewPool(workers)
	must(err)
	task := func() { work() }
	return func(int) { must(p.Submit(task)) }, func() { must(p.ReleaseTimeout(time.Minute)) }
}

func backlogAnts(workers, n int) func() {
	p, err := ants.NewPool(workers)
	must(err)
	return blockedSubmitter(workers, n, func(f func()) { must(p.Submit(f)) },
		func() { must(p.ReleaseTimeout(time.Minute)) })
}

// ---- github.com/alitto/pond/v2

func startPond(workers int, work func()) (func(int), func()) {
	p := pond.NewPool(workers)
	task := func() { work() }
	return func(int) { must(p.Go(task)) }, p.StopAndWait
}

func backlogPond(workers, n int) func() {
	p := pond.NewPool(workers) // unbounded queue
	gate := make(chan struct{})
	plug := func() { <-gate }
	nop := func() {}
	for i := 0; i < workers; i++ {
		must(p.Go(plug))
	}
	for i := 0; i < n; i++ {
		must(p.Go(nop))
	}
	return func() {
		close(gate)
		p.StopAndWait()
	}
}

// ---- github.com/sourcegraph/conc/pool

func startConc(workers int, work func()) (func(int), func()) {
	p := conc.New().WithMaxGoroutines(workers)
	task := func() { work() }
	return func(int) { p.Go(task) }, p.Wait
}

func backlogConc(workers, n int) func() {
	p := conc.New().WithMaxGoroutines(workers)
	return blockedSubmitter(workers, n, p.Go, p.Wait)
}

// ---- golang.org/x/sync/errgroup with SetLimit

func startErrgroup(workers int, work func()) (func(int), func()) {
	var g errgroup.Group
	g.SetLimit(workers)
	task := func() error { work(); return nil }
	return func(int) { g.Go(task) }, func() { must(g.Wait()) }
}

func backlogErrgroup(workers, n int) func() {
	var g errgroup.Group
	g.SetLimit(workers)
	return blockedSubmitter(workers, n, func(f func()) { g.Go(func() error { f(); return nil }) },
		func() { must(g.Wait()) })
}

// ---- a hand-written pool: a buffered channel and a WaitGroup

type chanPool struct {
	ch chan int
	wg sync.WaitGroup
}

func newChanPool(workers, queue int, handle func(int)) *chanPool {
	p := &chanPool{ch: make(chan int, queue)}
	p.wg.Add(workers)
	for i := 0; i < workers; i++ {
		go func() {
			defer p.wg.Done()
			for item := range p.ch {
				handle(item)
			}
		}()
	}
	return p
}

func (p *chanPool) stopAndWait() {
	close(p.ch)
	p.wg.Wait()
}

func startChan(workers int, work func()) (func(int), func()) {
	p := newChanPool(workers, chanQueuePerWorker*workers, func(int) { work() })
	return func(i int) { p.ch <- i }, p.stopAndWait
}

func backlogChan(workers, n int) func() {
	gate := make(chan struct{})
	p := newChanPool(workers, workers+n, func(i int) {
		if i < 0 {
			<-gate
		}
	})
	for i := 0; i < workers; i++ {
		p.ch <- -1
	}
	for i := 0; i < n; i++ {
		p.ch <- i
	}
	return func() {
		close(gate)
		p.stopAndWait()
	}
}

// ---- a goroutine per item (no bound: workers is ignored)

func startGoroutine(_ int, work func()) (func(int), func()) {
	var wg sync.WaitGroup
	return func(int) {
		wg.Add(1)
		go func() {
			work()
			wg.Done()
		}()
	}, wg.Wait
}

// backlogGoroutine starts n goroutines that each wait for the gate: the
// "queue" is the blocked goroutines themselves.
func backlogGoroutine(_, n int) func() {
	var wg sync.WaitGroup
	gate := make(chan struct{})
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			<-gate
			wg.Done()
		}()
	}
	return func() {
		close(gate)
		wg.Wait()
	}
}

// blockedSubmitter fills a queue-less pool: workers plug items that wait for
// the gate, then a goroutine that submits n no-op items and so blocks at the
// first one. The drain opens the gate, waits for that goroutine to finish
// submitting, and then calls stopAndWait.
func blockedSubmitter(workers, n int, submit func(func()), stopAndWait func()) func() {
	gate := make(chan struct{})
	var running sync.WaitGroup
	running.Add(workers)
	plug := func() {
		running.Done()
		<-gate
	}
	for i := 0; i < workers; i++ {
		submit(plug)
	}
	running.Wait()
	submitted := make(chan struct{})
	go func() {
		nop := func() {}
		for i := 0; i < n; i++ {
			submit(nop)
		}
		close(submitted)
	}()
	time.Sleep(10 * time.Millisecond) // let the submitter block
	return func() {
		close(gate)
		<-submitted
		stopAndWait()
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
