package pool

import (
	"errors"
	"fmt"
)

// Errors returned by the pool.
var (
	// ErrClosed is returned by Submit, TrySubmit, BeforeStop and OnStop once
	// the intake stage began (or TakePending was called).
	ErrClosed = errors.New("pool: closed")
	// ErrQueueFull is returned by TrySubmit when the queue has no room.
	ErrQueueFull = errors.New("pool: queue full")
	// ErrDrainTimeout is the cause of the items' context when the drain
	// deadline passes; when the budget or the caller's context ended the
	// drain, the cause wraps both.
	ErrDrainTimeout = errors.New("pool: drain timeout")
	// ErrShutdownTimeout is the cause of a stage's context when the whole
	// shutdown's budget (Options.ShutdownTimeout, or the event's deadline in
	// Run) is spent.
	ErrShutdownTimeout = errors.New("pool: shutdown budget spent")
	// ErrAbandoned is wrapped by the in-flight error naming items still
	// running after KillTimeout.
	ErrAbandoned = errors.New("pool: items abandoned")
	// ErrHookTimeout is wrapped by the error of a BeforeStop or OnStop
	// function that did not return in time (or returned an error after its
	// context ended).
	ErrHookTimeout = errors.New("pool: hook timed out")
	// ErrGoexit is the value of the *PanicError of a handler or hook that
	// called runtime.Goexit (as t.FailNow and testify's require do). The
	// item is counted as panicked and its worker is replaced.
	ErrGoexit = errors.New("pool: runtime.Goexit called")
	// ErrNilContext is returned by Submit and Shutdown given a nil context;
	// the pool is left as it was.
	ErrNilContext = errors.New("pool: nil context")
	// ErrNotNew is returned by every method of a Pool that New did not make
	// (a nil pointer or a zero Pool).
	ErrNotNew = errors.New("pool: Pool not made by New")
	// ErrShutdownFromInside is returned by Shutdown called with the context
	// of one of the pool's own items or hooks. Waiting there would wait for
	// itself, so Shutdown returns at once, having made sure the shutdown has
	// begun; the report comes from the outer Run or Shutdown call.
	ErrShutdownFromInside = errors.New("pool: Shutdown called from inside the pool (an item or a hook): it would wait for itself")
)

// ItemError is the error of one item: what it returned, or a *PanicError.
// Stage is the stage in which it failed; for an item interrupted by the
// drain deadline, the stage in which the deadline passed.
type ItemError[T any] struct {
	Stage string
	Item  T
	Err   error
}

func (e *ItemError[T]) Error() string { return fmt.Sprintf("%s: item %v: %v", e.Stage, e.Item, e.Err) }

// Unwrap returns the item's own error.
func (e *ItemError[T]) Unwrap() error { return e.Err }

// PanicError is a handler's or hook's panic, recovered: the worker goes on.
// Value is what was passed to panic; ErrGoexit for runtime.Goexit; nil for
// panic(nil) under GODEBUG=panicnil=1.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	if e.Value == nil {
		return fmt.Sprintf("panic(nil)\n%s", e.Stack)
	}
	return fmt.Sprintf("panic: %v\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error, so that errors.Is and
// errors.As reach it; nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
