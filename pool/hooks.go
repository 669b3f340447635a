package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"
)

// errHookBudgetSpent ends a hook that starts with less than HookTimeout
// left of the budget.
var errHookBudgetSpent = fmt.Errorf("%w: the shutdown's budget is spent", ErrTimeout)

// runHooks runs hooks (in reverse if lifo) within budget and returns their
// errors, each prefixed with the hook's name.
func (p *Pool[T]) runHooks(parent context.Context, b *budget, hooks []hook, lifo bool) []error {
	if lifo {
		hooks = slices.Clone(hooks)
		slices.Reverse(hooks)
	}
	var errs []error
	for _, h := range hooks {
		if err := p.runHook(parent, b, h); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", h.name, err))
		}
	}
	return errs
}

// runHook runs one hook under parent, for the smaller of HookTimeout and
// what is left of the budget. When its context ends, the hook gets
// killFloor (capped by HookTimeout) to return; one that ignores its context
// longer is left running, and its error says so. With the budget spent, the
// hook still starts, with its context already done, and gets that floor:
// enough for the cleanup that does not wait (http.Server.Shutdown closes
// its listeners, a file closes).
//
// parent carries ownKey, which lets Run tell a call from inside the hook,
// which would wait for itself.
func (p *Pool[T]) runHook(parent context.Context, b *budget, h hook) error {
	left := b.left()
	given := min(p.opts.HookTimeout, left)
	cause := p.hookTimeout
	if left < p.opts.HookTimeout {
		cause = errHookBudgetSpent
	}
	// The deadline the hook reads is the earlier of the two; the budget's
	// own end (which a hurry can bring forward) cancels it too.
	ctx, cancel := context.WithDeadlineCause(parent, time.Now().Add(given), cause)
	defer cancel()
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
	case <-ctx.Done():
		floor := time.NewTimer(min(p.opts.HookTimeout, killFloor))
		defer floor.Stop()
		select {
		case err = <-done:
		case <-floor.C: // the hook ignored its context; it is left running
			return fmt.Errorf("did not return within %v, left running: %w", given.Round(time.Millisecond), context.Cause(ctx))
		}
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, ErrTimeout) && !errors.Is(err, ErrHurried) {
		// The hook failed because its context ended: say why it ended.
		why := error(ErrTimeout)
		if cause := context.Cause(ctx); errors.Is(cause, ErrHurried) {
			why = cause
		}
		err = fmt.Errorf("%w after %v: %w", why, given.Round(time.Millisecond), err)
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
