package ctrlc

import (
	"context"
	"errors"
)

// NotifyContext returns a copy of parent that is cancelled at the first
// event, when the returned stop function is called, or when parent is done,
// whichever happens first. context.Cause of the cancelled context is the
// Event (recover it with errors.As). The listener keeps catching events until
// stop is called, so the force-exit policy still covers a slow shutdown.
// If an option is invalid, or parent is nil, the context comes back already
// cancelled and its cause is an error that says so. stop is idempotent.
func NotifyContext(parent context.Context, opts ...Option) (ctx context.Context, stop context.CancelFunc) {
	if parent == nil {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(errors.New("ctrlc: NotifyContext: nil parent context"))
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(parent)
	l, err := Notify(opts...)
	if err != nil {
		cancel(err)
		return ctx, func() {}
	}
	go func() {
		select {
		case e := <-l.C():
			cancel(e)
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		l.Stop()
		cancel(context.Canceled)
	}
}
