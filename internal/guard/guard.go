// Package guard runs a caller's code that may panic or call runtime.Goexit
// (a Logger, say) on a goroutine of its own, so that neither ends the
// goroutine that called it: for ctrlc's delivery path and pool's workers.
package guard

import "reflect"

// IsNil reports whether v, a caller's value such as a logger, is nil or
// holds a nil pointer or func: one whose methods would only panic.
func IsNil(v any) bool {
	if v == nil {
		return true
	}
	switch r := reflect.ValueOf(v); r.Kind() {
	case reflect.Pointer, reflect.Func:
		return r.IsNil()
	}
	return false
}

// Call runs f on a goroutine of its own and waits for it to end. It reports
// whether f returned and, if it did not, whether it panicked (with the
// value) or called runtime.Goexit. A panic(nil) under GODEBUG=panicnil=1
// recovers no value and counts as a Goexit.
func Call(f func()) (returned, panicked bool, value any) {
	type outcome struct {
		returned, panicked bool
		value              any
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			if !o.returned {
				o.value = recover()
				o.panicked = o.value != nil
			}
			done <- o
		}()
		f()
		o.returned = true
	}()
	o := <-done
	return o.returned, o.panicked, o.value
}
