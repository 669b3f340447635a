package pool

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Errors returned by the pool.
var (
	// ErrClosed is returned by Submit and TrySubmit once the input ended
	// (Close) or the shutdown began, and by BeforeStop and OnStop once the
	// shutdown began.
	ErrClosed = errors.New("pool: closed")
	// ErrQueueFull is returned by TrySubmit when the queue has no room.
	ErrQueueFull = errors.New("pool: queue full")
	// ErrTimeout is wrapped by the error of every stage that ran out of
	// time: the drain deadline (DrainTimeout, or the budget less the time
	// kept for the OnStop hooks), the whole budget (ShutdownTimeout, or the
	// stop event's Deadline), and a hook that did not return within
	// HookTimeout. The items' context is cancelled with a cause that wraps
	// it at the drain deadline.
	ErrTimeout = errors.New("pool: timed out")
	// ErrHurried is wrapped by the cause of the items' context, and by the
	// stages' errors, when a second stop event hurried the shutdown; the
	// cause wraps that ctrlc.Event too.
	ErrHurried = errors.New("pool: hurried")
	// ErrGoexit is the value of the *PanicError of a handler or hook that
	// called runtime.Goexit (as t.FailNow and testify's require do). The
	// item is counted as panicked and its worker is replaced.
	ErrGoexit = errors.New("pool: runtime.Goexit called")
)

// ItemError is the error of one item: what its handler returned, or a
// *PanicError. Stage is the stage in which it failed; for an item
// interrupted by the drain deadline or a hurry, the stage in which that
// came.
type ItemError[T any] struct {
	Stage string
	Item  T
	Err   error
}

// Error describes the failure with a short form of the item: its String
// method's result when it has one, its value when it is a number, a bool or
// a short string, else its type; never more than a few hundred bytes of the
// item, however large it is.
func (e *ItemError[T]) Error() string {
	if e == nil {
		return "<nil *pool.ItemError>"
	}
	return e.Stage + ": item " + shortForm(e.Item) + ": " + errorText(e.Err)
}

// Unwrap returns the item's own error.
func (e *ItemError[T]) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// PanicError is a handler's or hook's panic, recovered: the worker goes on.
// Value is what was passed to panic, ErrGoexit for runtime.Goexit, nil for
// panic(nil) under GODEBUG=panicnil=1; Stack is the goroutine's stack where
// it panicked.
type PanicError struct {
	Value any
	Stack []byte
}

// Error returns "panic: " and the value; the stack is in Stack, not in the
// text, so that many panics make a readable error.
func (e *PanicError) Error() string {
	switch {
	case e == nil:
		return "<nil *pool.PanicError>"
	case e.Value == nil:
		return "panic(nil)"
	}
	return "panic: " + shortForm(e.Value)
}

// Unwrap returns the panic value when it is an error, so that errors.Is and
// errors.As reach it; nil otherwise.
func (e *PanicError) Unwrap() error {
	if e == nil {
		return nil
	}
	err, _ := e.Value.(error)
	return err
}

// shortLimit bounds how much of a value's text an error message shows.
const shortLimit = 200

// shortForm describes v in at most about shortLimit bytes, without
// formatting more of it than that.
func shortForm(v any) (s string) {
	defer func() {
		if recover() != nil { // a String or Error method that panics, or a nil pointer receiver
			s = fmt.Sprintf("(%T)", v)
		}
	}()
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case error:
		return cut(x.Error())
	case fmt.Stringer:
		return cut(x.String())
	case string:
		return cut(strconv.Quote(cut(x)))
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return fmt.Sprint(v)
	case reflect.Slice, reflect.Map, reflect.Array, reflect.Chan:
		return fmt.Sprintf("(%T, len %d)", v, reflect.ValueOf(v).Len())
	}
	return fmt.Sprintf("(%T)", v)
}

// errorText is err's text, or a stand-in for a nil error or an Error method
// that panics.
func errorText(err error) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("(%T whose Error method panicked)", err)
		}
	}()
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// cut shortens s to shortLimit bytes, on a rune boundary.
func cut(s string) string {
	if len(s) <= shortLimit {
		return s
	}
	i := shortLimit
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// listErrors is go-multierror's list of errors without its two trailing
// newlines: a program that prints the shutdown's error ends the line itself.
func listErrors(es []error) string {
	var b strings.Builder
	if len(es) == 1 {
		b.WriteString("1 error occurred:")
	} else {
		b.WriteString(strconv.Itoa(len(es)) + " errors occurred:")
	}
	for _, err := range es {
		b.WriteString("\n\t* ")
		b.WriteString(err.Error())
	}
	return b.String()
}
