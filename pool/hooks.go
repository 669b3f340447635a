package pool

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"time"
)

// runHooks runs hooks (in reverse if lifo) within budget and returns their
// errors, each prefixed with the hook's name.
func (p *Pool[T]) runHooks(budget context.Context, hooks []hook, lifo bool) []error {
	if lifo {
		hooks = slices.Clone(hooks)
		slices.Reverse(hooks)
	}
	var errs []error
	for _, h := range hooks {
		if err := p.runHook(budget, h); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", h.name, err))
		}
	}
	return errs
}

// runHook runs one hook under the smaller of HookTimeout and what is left
// of budget. A hook that ignores its context is left running; its error
// says so. With the budget spent, the hook still starts, with its context
// already done, and gets killFloor to return: enough for the cleanup that
// does not wait (http.Server.Shutdown closes its listeners, a file closes),
// and the next hook starts only once it returned or the floor passed.
func (p *Pool[T]) runHook(budget context.Context, h hook) error {
	given := p.opts.HookTimeout
	if d, ok := budget.Deadline(); ok {
		given = max(0, min(given, time.Until(d)))
	}
	ctx, cancel := context.WithTimeout(budget, p.opts.HookTimeout)
	defer cancel()
	waitFor := ctx
	if budget.Err() != nil {
		var cancelWait context.CancelFunc
		waitFor, cancelWait = context.WithTimeout(context.Background(), min(p.opts.HookTimeout, killFloor))
		defer cancelWait()
	}
	done := make(chan error, 1)
	go func() {
		returned := false
		defer func() {
			if !returned { // runtime.Goexit: the hook's goroutine ends here
				done <- &PanicError{Value: ErrGoexit, Stack: debug.Stack()}
			}
		}()
		done <- protect(ctx, h.fn)
		returned = true
	}()
	var err error
	select {
	case err = <-done:
	case <-waitFor.Done():
		select {
		case err = <-done:
		default:
			err = context.Cause(ctx) // the hook ignored its context; it is left running
		}
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w after %v: %w", ErrHookTimeout, given.Round(time.Millisecond), err)
	}
	return err
}

// protect calls fn, turning a panic into a *PanicError (Value nil for
// panic(nil) under GODEBUG=panicnil=1).
func protect(ctx context.Context, fn func(context.Context) error) (err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		// recover returns nil for runtime.Goexit too, but then the
		// goroutine ends after this function and err goes nowhere.
		err = &PanicError{Value: recover(), Stack: debug.Stack()}
	}()
	err = fn(ctx)
	returned = true
	return err
}
