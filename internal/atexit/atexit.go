// Package atexit holds what must happen when the program ends by
// ctrlc.Exit, which runs no deferred calls: the forced stop of child
// programs' process groups (package child) that would otherwise outlive it.
package atexit

import "sync"

var (
	mu    sync.Mutex
	funcs []func()
	ended bool
	once  sync.Once
)

// Add arranges for f to run when the program ends by ctrlc.Exit; once the
// end has begun, f runs at once. f must be quick and must not block: the
// program is ending.
func Add(f func()) {
	mu.Lock()
	if !ended {
		funcs = append(funcs, f)
		mu.Unlock()
		return
	}
	mu.Unlock()
	f()
}

// Run runs every function added, in the order they were added. Later and
// concurrent calls run nothing, and the concurrent ones wait for the first:
// no Exit ends the process before the first has finished.
func Run() {
	once.Do(func() {
		mu.Lock()
		fs := funcs
		funcs, ended = nil, true
		mu.Unlock()
		for _, f := range fs {
			f()
		}
	})
}
