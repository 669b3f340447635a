package ctrlc

import (
	"errors"
	"fmt"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/guard"
)

// defaultCloseGrace is how long a Windows close, logoff or shutdown event
// holds the process open when no grace period is given: just under the 5
// seconds after which Windows ends a console process anyway.
const defaultCloseGrace = 4500 * time.Millisecond

// defaultRepeatWindow is how close behind a native event of the same kind a
// repeat must come to be taken for a duplicate. Wrappers that forward the
// terminal's SIGINT (npm, poetry, a signal-forwarding init) send their copy
// well within it; no human presses Ctrl-C twice that fast.
const defaultRepeatWindow = 50 * time.Millisecond

// An Option configures a Listener (Notify) or the listener behind a context
// (NotifyContext).
type Option func(*config) error

type config struct {
	kinds         kindSet
	forceExit     bool
	logger        leveledLogger
	grace         time.Duration // 0: not given
	repeatWindow  time.Duration // 0: every event counts
	evenIfIgnored bool

	// sink, when set, receives each event instead of the channel; it is
	// called with the listener's lock held, so never after Stop returned.
	sink func(Event)
}

// WithKinds sets the kinds to listen to, replacing the default set:
// Interrupt, Terminate and Hangup everywhere (Hangup arrives by Trigger
// where there is no SIGHUP), plus Break, Close, Logoff and Shutdown on
// Windows, plus Close under js/wasm. A kind that the platform does not
// have is accepted and arrives only through Trigger, so one list serves
// every platform. An empty list or a kind outside Interrupt…Shutdown is an
// error.
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

// WithoutForceExit turns the escalation's exits off: the listener never
// ends the process, however many events arrive, and the program alone
// decides when to exit. A second event still hurries the drains under way
// (see the package documentation).
func WithoutForceExit() Option {
	return func(c *config) error {
		c.forceExit = false
		return nil
	}
}

// WithLogger logs each event, each repeat taken for a duplicate (at debug
// level), the hurry and the forced exit (at warn level) to logger, typically
// a *slog.Logger. Without it nothing is logged but the hurry and the forced
// exit, on standard error. A nil logger, or a nil pointer or func, is an
// error.
//
// The package does not import log/slog, whose handlers bring in
// encoding/json: a program that logs nothing is half a megabyte smaller,
// and ends sooner (an exit unmaps the whole program).
func WithLogger(logger interface {
	Debug(msg string, args ...any)
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
}) Option {
	return func(c *config) error {
		if logger == nil {
			return errors.New("ctrlc: WithLogger: nil logger")
		}
		if guard.IsNil(logger) {
			return fmt.Errorf("ctrlc: WithLogger: nil logger (a nil %T)", logger)
		}
		c.logger = logger
		return nil
	}
}

// leveledLogger is what WithLogger takes: the methods of *slog.Logger that
// the listener uses.
type leveledLogger = interface {
	Debug(msg string, args ...any)
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
}

// WithGracePeriod states how long the process has after a stop event before
// it is ended anyway: the supervisor's grace period (Kubernetes'
// terminationGracePeriodSeconds, docker stop's 10 s, systemd's
// TimeoutStopSec), or on Windows how long a close, logoff or shutdown event
// holds the process open (4.5 s when not given). Every event then carries a
// Deadline of its Time plus d, so that a pool's drain fits itself in; a
// console close holds at most 4.5 s, and says so in its Deadline, since
// Windows ends a console process about 5 s after it whatever the grace. d
// must be positive.
func WithGracePeriod(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("ctrlc: WithGracePeriod(%v): the grace period must be positive", d)
		}
		c.grace = d
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
		forceExit:    true,
		repeatWindow: defaultRepeatWindow,
	}
	for i, o := range opts {
		if o == nil {
			return c, fmt.Errorf("ctrlc: option %d is nil", i+1)
		}
		if err := o(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// closeHold is how long a Windows close, logoff or shutdown event that this
// listener takes holds the process open.
func (c *config) closeHold() time.Duration {
	if c.grace > 0 {
		return c.grace
	}
	return defaultCloseGrace
}
