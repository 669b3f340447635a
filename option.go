package ctrlc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultCloseGrace is how long, by default, a Windows close, logoff or
// shutdown event holds the process open for the program's shutdown: just
// under the 5 seconds after which Windows ends a console process anyway.
const DefaultCloseGrace = 4500 * time.Millisecond

// DefaultRepeatWindow is how close behind an event of the same kind a repeat
// must come to be taken for a duplicate (see WithRepeatWindow). Wrappers that
// forward the terminal's SIGINT (npm, poetry, a signal-forwarding init) send
// their copy well within it; no human presses Ctrl-C twice that fast.
const DefaultRepeatWindow = 50 * time.Millisecond

// DefaultLastWordTimeout bounds a last word (WithLastWord) given a timeout
// of 0.
const DefaultLastWordTimeout = 2 * time.Second

// Option configures a Listener.
type Option func(*config) error

type config struct {
	kinds           kindSet
	forceExit       int // 0: never
	logger          *slog.Logger
	closeGrace      time.Duration
	grace           time.Duration // 0: unknown
	repeatWindow    time.Duration // 0: every event counts
	lastWord        func(ctx context.Context, e Event)
	lastWordTimeout time.Duration
	evenIfIgnored   bool

	// sink, when set, receives each event instead of the channel; it is
	// called with the listener's lock held, so never after Stop returned.
	sink func(Event)
}

// WithKinds sets the kinds to listen to, replacing the default set
// (Interrupt and Terminate, plus Break, Close, Logoff and Shutdown on
// Windows, plus Close under js/wasm). A kind that the platform does not have
// is accepted and arrives only through Trigger, so one list serves every
// platform.
func WithKinds(kinds ...Kind) Option {
	return func(c *config) error {
		if len(kinds) == 0 {
			return errors.New("ctrlc: WithKinds: no kinds given")
		}
		for _, k := range kinds {
			if !k.valid() {
				return fmt.Errorf("%w: WithKinds(%d)", ErrUnknownKind, uint8(k))
			}
		}
		c.kinds = setOf(kinds...)
		return nil
	}
}

// WithForceExit makes the n-th event (counting from 1) end the process with
// Exit, after one line on standard error (or the logger's error), unless the
// listener was stopped first. The default is 2: a second Ctrl-C during a slow
// shutdown ends the program. n = 1 makes the first event exit at once. A
// repeat coalesced by WithRepeatWindow does not count. WithLastWord runs a
// function between the forcing event and the exit.
func WithForceExit(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("ctrlc: WithForceExit(%d): n must be at least 1", n)
		}
		c.forceExit = n
		return nil
	}
}

// WithoutForceExit lets every event through to the channel, however many
// arrive; the program alone decides when to exit.
func WithoutForceExit() Option {
	return func(c *config) error {
		c.forceExit = 0
		return nil
	}
}

// WithLogger logs each event, each coalesced repeat (at debug level), and
// the forced exit to logger instead of standard error.
func WithLogger(logger *slog.Logger) Option {
	return func(c *config) error {
		if logger == nil {
			return errors.New("ctrlc: WithLogger: nil logger")
		}
		c.logger = logger
		return nil
	}
}

// WithCloseGrace sets how long a Windows close, logoff or shutdown event
// holds the process open (DefaultCloseGrace by default). The hold ends
// earlier when every listener of that kind has been stopped. Windows ends the
// process after about 5 seconds whatever the grace. Other platforms ignore it.
func WithCloseGrace(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("ctrlc: WithCloseGrace(%v): negative duration", d)
		}
		c.closeGrace = d
		return nil
	}
}

// WithGracePeriod states how long the supervisor lets the process live after
// it asks it to stop, such as Kubernetes' terminationGracePeriodSeconds or
// systemd's TimeoutStopSec. Every event of the listener then carries a
// Deadline of its Time plus d (or the platform's own deadline, when that is
// earlier), so that a shutdown can fit itself in. d must be positive.
func WithGracePeriod(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("ctrlc: WithGracePeriod(%v): the grace period must be positive", d)
		}
		c.grace = d
		return nil
	}
}

// WithRepeatWindow makes a repeat of the same kind that arrives within d of
// the last event the listener took coalesce into it: it is not delivered, not
// counted in Seq, and does not count toward the forced exit. This keeps the
// copy of a Ctrl-C that a wrapper (npm, poetry, a signal-forwarding init)
// forwards right behind the terminal's own from forcing the exit, while a
// human's second Ctrl-C still does. The window runs from the last event taken,
// not from the last repeat, so a stream of repeats cannot hide events for
// longer than d. Events of different kinds never coalesce. The default is
// DefaultRepeatWindow; d = 0 takes every event. A negative d is an error.
func WithRepeatWindow(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("ctrlc: WithRepeatWindow(%v): negative duration", d)
		}
		c.repeatWindow = d
		return nil
	}
}

// WithLastWord runs fn between the event that forces the exit (see
// WithForceExit) and the exit itself, so that the program can save what it
// still holds, such as the work a pool has not done. fn gets the forcing
// event and a context that ends after timeout (DefaultLastWordTimeout when
// timeout is 0); the process exits with Exit as soon as fn returns, panics
// (the panic is reported on standard error), calls runtime.Goexit, or the
// timeout passes, whichever comes first.
//
// fn runs on a goroutine of its own while the rest of the program goes on;
// if the program ends first, fn is cut short. Events keep arriving meanwhile:
// one more forcing event (a third Ctrl-C, with the default policy) ends the
// process at once, without waiting for fn. A listener without force exit
// never runs fn. A nil fn or a negative timeout is an error.
func WithLastWord(timeout time.Duration, fn func(ctx context.Context, e Event)) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("ctrlc: WithLastWord: nil function")
		}
		if timeout < 0 {
			return fmt.Errorf("ctrlc: WithLastWord(%v): negative timeout", timeout)
		}
		if timeout == 0 {
			timeout = DefaultLastWordTimeout
		}
		c.lastWord, c.lastWordTimeout = fn, timeout
		return nil
	}
}

// WithEvenIfIgnored makes the listener catch signals that were ignored when
// the program started. By default such a signal stays ignored for every kind:
// a program started by nohup survives the hang-up it was meant to survive,
// and one started in the background of a non-interactive shell (cmd &),
// which ignores SIGINT, is not stopped by a Ctrl-C meant for its parent. Only
// the explicit option takes such a signal over.
//
// On Unix, Go's runtime itself keeps an inherited ignore only for SIGHUP and
// SIGINT; it installs its own handler for SIGTERM and SIGQUIT at start, so
// for those no ignore is left to keep. Signals the program ignored with
// signal.Ignore before ctrlc was initialized count as ignored at start. On
// Windows, a CTRL_C_EVENT ignored at start (a process started with
// CREATE_NEW_PROCESS_GROUP, or whose parent ignored it) stays ignored by
// Windows itself; with this option the listener turns the ignore off
// (SetConsoleCtrlHandler(NULL, FALSE)) so that Ctrl-C reaches it. Under
// js/wasm and wasip1 nothing is ignored at start.
func WithEvenIfIgnored() Option {
	return func(c *config) error {
		c.evenIfIgnored = true
		return nil
	}
}

func newConfig(opts []Option) (config, error) {
	c := config{
		kinds:        setOf(defaultKinds...),
		forceExit:    2,
		closeGrace:   DefaultCloseGrace,
		repeatWindow: DefaultRepeatWindow,
	}
	for _, o := range opts {
		if o == nil {
			return c, errors.New("ctrlc: nil Option")
		}
		if err := o(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}
