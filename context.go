package ctrlc

import (
	"context"

	"github.com/ctrlc-go/ctrlc/internal/escalate"
)

// NotifyContext returns a copy of parent that is cancelled at the first stop
// event, when stop is called, or when parent is done, whichever happens
// first: the counterpart of signal.NotifyContext. context.Cause of a context
// cancelled by an event is the Event (errors.As(context.Cause(ctx), &e)),
// which also matches context.Canceled.
//
// The listener behind the context keeps catching events until stop is
// called, and escalates: the second event hurries every pool draining under
// the context or one derived from it (pool.Run), so that it hands back what
// is not done within about a second; with no pool draining, or at the third
// event, the process ends with Exit (see the package documentation;
// WithoutForceExit turns the exits off). stop is idempotent; once it
// returns, the signals' default behaviour is back.
//
// NotifyContext panics if parent is nil, as context.WithCancel does. An
// invalid option, or a platform that refuses to deliver the events, is an
// error that names it; the context and stop returned with it work but no
// event reaches them.
func NotifyContext(parent context.Context, opts ...Option) (ctx context.Context, stop context.CancelFunc, err error) {
	if parent == nil {
		panic("ctrlc: NotifyContext: nil parent context")
	}
	esc := escalate.New()
	ctx, cancel := context.WithCancelCause(escalate.With(parent, esc))
	cfg, err := newConfig(opts)
	var l *Listener
	if err == nil {
		// The first event cancels the context on the delivery path itself:
		// no goroutine stands between the signal and the drain.
		cfg.sink = func(e Event) {
			if e.Seq == 1 {
				cancel(e)
			}
		}
		l, err = newListener(cfg, esc)
	}
	if err != nil {
		return ctx, func() { cancel(context.Canceled) }, err
	}
	return ctx, func() {
		l.Stop()
		cancel(context.Canceled)
	}, nil
}
