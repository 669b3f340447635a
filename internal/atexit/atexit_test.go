package atexit

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Run runs what was added once, in order, concurrent callers wait for it,
// and what is added afterwards runs at once.
func TestRunOnceInOrderThenAtOnce(t *testing.T) {
	var got []int
	var mu sync.Mutex
	record := func(i int) func() { return func() { mu.Lock(); got = append(got, i); mu.Unlock() } }
	Add(record(1))
	Add(record(2))
	var wg sync.WaitGroup
	var returned atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Run()
			mu.Lock()
			assert.Equal(t, []int{1, 2}, got, "a Run returned before the added functions had run")
			mu.Unlock()
			returned.Add(1)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 8, returned.Load())
	Add(record(3))
	Run()
	assert.Equal(t, []int{1, 2, 3}, got)
}
