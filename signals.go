// Package ctrlc delivers Ctrl-C, SIGTERM and the Windows console control
// events to a Go program on one shutdown channel, on every platform Go
// targets, so that the program can finish its work before it exits.
//
// By default a Go program killed by Ctrl-C dies on the spot: no deferred
// call runs and work in progress is lost. A Listener catches the events
// instead:
//
//	l, err := ctrlc.Notify()
//	if err != nil { ... }
//	defer l.Stop()
//	e := <-l.C() // "interrupt (SIGINT)", "close (CTRL_CLOSE_EVENT)", ...
//
// Several listeners may coexist; each sees every event of the kinds it asked
// for. While the program shuts down, a second event ends it at once with the
// event's exit code (see WithForceExit), so a stuck shutdown can always be
// cut short by pressing Ctrl-C again. Stop restores the default behaviour.
//
// Platforms: on Unix the events are SIGINT, SIGTERM and, on request, SIGHUP
// and SIGQUIT, received through os/signal. On Windows they are the console
// control events CTRL_C, CTRL_BREAK, CTRL_CLOSE, CTRL_LOGOFF and
// CTRL_SHUTDOWN; for the last three Windows ends the process as soon as the
// handler returns, so the handler holds the process open for up to the close
// grace (WithCloseGrace) while the program drains. Under js/wasm in Node the
// events are Node's SIGINT and SIGTERM, and in a browser "pagehide" is a
// Close. WASI preview 1 (wasip1) delivers no signals at all: the host kills
// the guest. There, Trigger and context cancellation are the only ways to
// start a shutdown.
package ctrlc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kind is the portable name of an event that asks a program to stop.
type Kind uint8

// The kinds of events. Each maps to one native signal or console event; a
// kind with no native counterpart on a platform never arrives there except
// through Trigger.
const (
	Interrupt Kind = iota + 1 // SIGINT; CTRL_C_EVENT; Node's SIGINT
	Terminate                 // SIGTERM; Node's SIGTERM
	Hangup                    // SIGHUP, only when asked for with WithKinds
	Quit                      // SIGQUIT, only when asked for with WithKinds
	Break                     // CTRL_BREAK_EVENT (Windows)
	Close                     // CTRL_CLOSE_EVENT (Windows); "pagehide" in a browser
	Logoff                    // CTRL_LOGOFF_EVENT (Windows services only)
	Shutdown                  // CTRL_SHUTDOWN_EVENT (Windows services only)
	maxKind   = Shutdown
)

var kindNames = [...]string{
	Interrupt: "interrupt",
	Terminate: "terminate",
	Hangup:    "hangup",
	Quit:      "quit",
	Break:     "break",
	Close:     "close",
	Logoff:    "logoff",
	Shutdown:  "shutdown",
}

// unixNumbers gives each kind the Unix signal it stands for, which fixes its
// exit code on every platform (Windows events follow Go's runtime, which maps
// CTRL_BREAK to SIGINT and close, logoff and shutdown to SIGTERM).
var unixNumbers = [...]int{
	Interrupt: 2,
	Terminate: 15,
	Hangup:    1,
	Quit:      3,
	Break:     2,
	Close:     15,
	Logoff:    15,
	Shutdown:  15,
}

// String returns the kind's lower-case name, such as "interrupt".
func (k Kind) String() string {
	if !k.valid() {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

func (k Kind) valid() bool { return k >= Interrupt && k <= maxKind }

// ParseKind returns the kind named name, as Kind.String spells it
// ("interrupt", "terminate", ...), ignoring case.
func ParseKind(name string) (Kind, error) {
	for k := Interrupt; k <= maxKind; k++ {
		if strings.EqualFold(name, kindNames[k]) {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want one of %s)", ErrUnknownKind, name, strings.Join(kindNames[Interrupt:], ", "))
}

// DefaultKinds returns the kinds Notify listens to when WithKinds is not
// given: Interrupt and Terminate, plus Break, Close, Logoff and Shutdown on
// Windows and Close under js/wasm.
func DefaultKinds() []Kind { return append([]Kind(nil), defaultKinds...) }

// ErrUnknownKind is returned for a Kind outside Interrupt…Shutdown.
var ErrUnknownKind = errors.New("ctrlc: unknown kind")

// Event is one delivery of a stop request.
type Event struct {
	Kind   Kind
	Native int       // the signal number, or the CTRL_*_EVENT code on Windows; 0 when the platform has none
	Seq    int       // 1 for the first event a listener saw, 2 for the second, ...
	Time   time.Time // when the event was received
}

// String describes the event as "interrupt (SIGINT)", "close
// (CTRL_CLOSE_EVENT)", or just the kind where the platform has no native code.
func (e Event) String() string {
	if name := nativeName(e.Kind, e.Native); name != "" {
		return e.Kind.String() + " (" + name + ")"
	}
	return e.Kind.String()
}

// Error makes an Event usable as an error, so that the cause of a context
// from NotifyContext is the event itself: errors.As(context.Cause(ctx), &ev).
func (e Event) Error() string { return e.String() }

// ExitCode returns the exit status a shell reports for a process killed by
// the event: 128 plus the Unix signal number (130 for an interrupt, 143 for
// terminate). Windows events use the signal Go's runtime maps them to.
func (e Event) ExitCode() int {
	if !e.Kind.valid() {
		return 1
	}
	return 128 + unixNumbers[e.Kind]
}

// kindSet is a set of kinds, one bit per kind.
type kindSet uint16

func (s kindSet) has(k Kind) bool { return s&(1<<k) != 0 }

func setOf(kinds ...Kind) kindSet {
	var s kindSet
	for _, k := range kinds {
		s |= 1 << k
	}
	return s
}

// DefaultCloseGrace is how long, by default, a Windows close, logoff or
// shutdown event holds the process open for the program's shutdown: just
// under the 5 seconds after which Windows ends a console process anyway.
const DefaultCloseGrace = 4500 * time.Millisecond

// Option configures a Listener.
type Option func(*config) error

type config struct {
	kinds      kindSet
	forceExit  int // 0: never
	logger     *slog.Logger
	closeGrace time.Duration
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
// the event's exit code after one line on standard error, unless the
// listener was stopped first. The default is 2: a second Ctrl-C during a
// slow shutdown ends the program. n = 1 makes the first event exit at once.
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

// WithLogger logs each event, and the forced exit, to logger.
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

func newConfig(opts []Option) (config, error) {
	c := config{kinds: setOf(defaultKinds...), forceExit: 2, closeGrace: DefaultCloseGrace}
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

// chanSize bounds how many undelivered events a listener keeps; beyond it
// events coalesce (Seq still counts them). The first is never dropped.
const chanSize = 4

// A Listener receives stop events from the moment Notify returns until Stop.
type Listener struct {
	cfg  config
	c    chan Event
	done chan struct{}

	mu      sync.Mutex
	seq     int
	stopped bool
}

// Notify starts listening to the kinds chosen by opts and returns the
// listener. The default action of those signals (ending the process) is
// suspended until Stop.
func Notify(opts ...Option) (*Listener, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	l := &Listener{cfg: cfg, c: make(chan Event, chanSize), done: make(chan struct{})}
	if err := hub.add(l); err != nil {
		return nil, err
	}
	return l, nil
}

// C returns the shutdown channel. The first event is always delivered, even
// if nobody reads yet; later ones may coalesce while the channel is full, and
// Event.Seq tells how many arrived. C is not closed by Stop.
func (l *Listener) C() <-chan Event { return l.c }

// Done returns a channel closed when the first event arrives.
func (l *Listener) Done() <-chan struct{} { return l.done }

// Stop stops the listener. Once no listener wants a kind, that signal's
// default behaviour is back: a later Ctrl-C ends the process. On Windows,
// stopping the last listener of a close event also ends its hold, and
// Windows then ends the process. Stop is idempotent.
func (l *Listener) Stop() {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.stopped = true
	l.mu.Unlock()
	hub.remove(l)
}

// deliver hands e to the listener and reports whether it took it.
func (l *Listener) deliver(e Event) bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.seq++
	e.Seq = l.seq
	if e.Seq == 1 {
		close(l.done)
	}
	select {
	case l.c <- e:
	default: // coalesced; the Seq of the next delivered event shows the gap
	}
	force := l.cfg.forceExit > 0 && e.Seq >= l.cfg.forceExit
	l.mu.Unlock()

	if lg := l.cfg.logger; lg != nil {
		lg.Info("ctrlc: event", "event", e.String(), "seq", e.Seq)
	}
	if force {
		msg := fmt.Sprintf("ctrlc: %s is event %d during shutdown: exiting with code %d", e, e.Seq, e.ExitCode())
		if lg := l.cfg.logger; lg != nil {
			lg.Error(msg)
		} else {
			fmt.Fprintln(os.Stderr, msg)
		}
		os.Exit(e.ExitCode())
	}
	return true
}

// hub keeps the live listeners and turns each kind's platform delivery on
// while at least one listener wants it.
type registry struct {
	mu        sync.Mutex
	listeners map[*Listener]struct{}
	refs      [maxKind + 1]int // listeners per kind
}

var hub registry

func (h *registry) add(l *Listener) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var enabled []Kind
	for k := Interrupt; k <= maxKind; k++ {
		if !l.cfg.kinds.has(k) || h.refs[k] > 0 {
			continue
		}
		if err := enable(k); err != nil {
			for _, e := range enabled {
				disable(e)
			}
			return fmt.Errorf("ctrlc: listening to %s: %w", k, err)
		}
		enabled = append(enabled, k)
	}
	for k := Interrupt; k <= maxKind; k++ {
		if l.cfg.kinds.has(k) {
			h.refs[k]++
		}
	}
	if h.listeners == nil {
		h.listeners = make(map[*Listener]struct{})
	}
	h.listeners[l] = struct{}{}
	return nil
}

func (h *registry) remove(l *Listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.listeners[l]; !ok {
		return
	}
	delete(h.listeners, l)
	for k := Interrupt; k <= maxKind; k++ {
		if l.cfg.kinds.has(k) {
			h.refs[k]--
			if h.refs[k] == 0 {
				disable(k)
			}
		}
	}
}

// dispatch delivers e to every listener that wants its kind and reports
// whether any took it. Platform code calls it for each native event.
func dispatch(e Event) bool {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	hub.mu.Lock()
	var targets []*Listener
	for l := range hub.listeners {
		if l.cfg.kinds.has(e.Kind) {
			targets = append(targets, l)
		}
	}
	hub.mu.Unlock()
	delivered := false
	for _, l := range targets {
		if l.deliver(e) {
			delivered = true
		}
	}
	return delivered
}

// closeGrace returns the longest close grace among the listeners of k.
func closeGrace(k Kind) time.Duration {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	var d time.Duration
	for l := range hub.listeners {
		if l.cfg.kinds.has(k) && l.cfg.closeGrace > d {
			d = l.cfg.closeGrace
		}
	}
	return d
}

// Trigger delivers e by hand to every listener of its kind, as if the
// platform had sent it: for tests, for wasip1 (which has no signals), and for
// programs that embed a shutdown button. A zero Native is filled with the
// platform's code for the kind, and a zero Time with the current time. The
// force-exit policy applies as to any event.
func Trigger(e Event) error {
	if !e.Kind.valid() {
		return fmt.Errorf("%w: Trigger(Event{Kind: %d})", ErrUnknownKind, uint8(e.Kind))
	}
	if e.Native == 0 {
		e.Native = nativeOf(e.Kind)
	}
	dispatch(e)
	return nil
}

// NotifyContext returns a copy of parent that is cancelled at the first
// event, when the returned stop function is called, or when parent is done,
// whichever happens first. context.Cause of the cancelled context is the
// Event (recover it with errors.As). The listener keeps catching events until
// stop is called, so the force-exit policy still covers a slow shutdown.
// If an option is invalid, the context comes back already cancelled and its
// cause is the option's error.
func NotifyContext(parent context.Context, opts ...Option) (ctx context.Context, stop context.CancelFunc) {
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

// ErrNilHandler is returned by SetHandler and TrySetHandler for a nil handler.
var ErrNilHandler = errors.New("ctrlc: nil handler")

// ErrMultipleHandlers is returned by TrySetHandler when a handler is set.
var ErrMultipleHandlers = errors.New("ctrlc: a handler is already set")

var handler struct {
	mu       sync.Mutex
	listener *Listener
	quit     chan struct{}
	exited   chan struct{}
}

// SetHandler runs h once for each event of the default kinds, on a goroutine
// of its own, never in signal context: the Go counterpart of Rust's
// ctrlc::set_handler. It replaces a handler set before. Events are not
// forced to exit the process: h decides.
func SetHandler(h func(Event)) error { return setHandler(h, true) }

// TrySetHandler is SetHandler, except that it returns ErrMultipleHandlers
// when a handler is already set.
func TrySetHandler(h func(Event)) error { return setHandler(h, false) }

func setHandler(h func(Event), replace bool) error {
	if h == nil {
		return ErrNilHandler
	}
	handler.mu.Lock()
	defer handler.mu.Unlock()
	if handler.listener != nil {
		if !replace {
			return ErrMultipleHandlers
		}
		stopHandlerLocked()
	}
	l, err := Notify(WithoutForceExit())
	if err != nil {
		return err
	}
	quit, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case e := <-l.C():
				h(e)
			case <-quit:
				return
			}
		}
	}()
	handler.listener, handler.quit, handler.exited = l, quit, exited
	return nil
}

// stopHandlerLocked stops the handler set by SetHandler. Its goroutine ends
// soon after; it is not waited for, since a handler may replace itself.
func stopHandlerLocked() {
	handler.listener.Stop()
	close(handler.quit)
	handler.listener = nil
}

// resetHandler removes the handler, for tests.
func resetHandler() {
	handler.mu.Lock()
	var exited chan struct{}
	if handler.listener != nil {
		exited = handler.exited
		stopHandlerLocked()
	}
	handler.mu.Unlock()
	if exited != nil {
		<-exited
	}
}
