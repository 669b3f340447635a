//go:build windows

package service

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/internal/svcmode"
	"golang.org/x/sys/windows/svc"
)

// A Windows service talks to the service control manager (SCM) through the
// dispatcher of golang.org/x/sys/windows/svc: the SCM's control requests
// arrive on a channel, and each status the service reports goes back on
// another. The bridge turns Stop, Shutdown and PreShutdown into ctrlc events
// and the package's notices into statuses.

// accepts is what a running service accepts: every way of asking it to stop.
const accepts = svc.AcceptStop | svc.AcceptShutdown | svc.AcceptPreShutdown

// statusTimeout bounds one status report: the dispatcher reads them until
// the service stopped, and a notice must not block the program after that.
const statusTimeout = 2 * time.Second

// pendingWaitHint is the wait hint of a start or stop that just began: until
// the first Progress, the program has this long to show progress.
const pendingWaitHint = 10 * time.Second

// current is the bridge of the service that Run runs; nil outside service mode.
var current struct {
	sync.Mutex
	b *bridge
}

func run(name string, program func() int) (int, error) {
	if strings.ContainsRune(name, 0) {
		return 0, fmt.Errorf("service: Run(%q): a service name cannot hold a NUL", name)
	}
	if name == "" {
		// When detection fails, the process is taken not to be a service:
		// a console program must still run. A name forces service mode.
		if is, err := svc.IsWindowsService(); err != nil || !is {
			return program(), nil
		}
	}
	b := &bridge{program: program, done: make(chan struct{})}
	current.Lock()
	if current.b != nil {
		current.Unlock()
		return 0, fmt.Errorf("service: Run(%q): a service already runs in this process", name)
	}
	current.b = b
	current.Unlock()
	svcmode.Set(true)
	defer func() {
		svcmode.Set(false)
		current.Lock()
		current.b = nil
		current.Unlock()
	}()

	err := svc.Run(name, b)
	b.mu.Lock()
	started := b.started
	b.mu.Unlock()
	if !started {
		if err == nil {
			err = errors.New("the dispatcher returned without starting it")
		}
		return 0, fmt.Errorf("service: Run(%q): not run by the Windows service control manager: %w", name, err)
	}
	select {
	case <-b.done:
	default:
		// The dispatcher gave up on the service (it could not report a
		// status): stop the program as a Stop would, and wait for it.
		_ = ctrlc.Trigger(ctrlc.Event{Kind: ctrlc.Terminate})
		<-b.done
	}
	switch {
	case b.panicked:
		panic(b.panicValue)
	case b.exited:
		runtime.Goexit()
	}
	return b.code, nil
}

func send(n notice) error {
	current.Lock()
	b := current.b
	current.Unlock()
	if b == nil {
		return nil
	}
	return b.notify(n)
}

// bridge is the svc.Handler of the service that runs program.
type bridge struct {
	program func() int
	done    chan struct{} // closed when program returned, panicked or exited

	// Set before done is closed.
	code       int
	panicked   bool
	panicValue any
	exited     bool // runtime.Goexit

	mu      sync.Mutex
	started bool              // Execute was called
	s       chan<- svc.Status // nil before Execute and once it returned
	status  svc.Status        // the last status reported
}

// Execute runs the service: svc.Run calls it once the SCM started it.
func (b *bridge) Execute(_ []string, r <-chan svc.ChangeRequest, s chan<- svc.Status) (svcSpecificEC bool, exitCode uint32) {
	b.mu.Lock()
	b.started, b.s = true, s
	_ = b.reportLocked(svc.Status{State: svc.StartPending, CheckPoint: 1, WaitHint: millis(pendingWaitHint)})
	b.mu.Unlock()

	go b.runProgram()
	for {
		select {
		case c := <-r:
			b.control(c)
		case <-b.done:
			b.mu.Lock()
			b.s = nil // the dispatcher reports Stopped once Execute returns
			b.mu.Unlock()
			if b.code == 0 {
				return false, 0
			}
			return true, uint32(b.code) // a negative code keeps its bits
		}
	}
}

func (b *bridge) runProgram() {
	normal := false
	defer func() {
		if !normal {
			// recover returns nil only for runtime.Goexit: a panic(nil)
			// is a *runtime.PanicNilError since Go 1.21.
			b.panicValue = recover()
			b.panicked = b.panicValue != nil
			b.exited = !b.panicked
			b.code = 2 // what Go exits with after a panic or a deadlock
		}
		close(b.done)
	}()
	b.code = b.program()
	normal = true
}

// control answers one request of the SCM.
func (b *bridge) control(c svc.ChangeRequest) {
	var kind ctrlc.Kind
	switch c.Cmd {
	case svc.Interrogate:
		b.mu.Lock()
		_ = b.reportLocked(b.status)
		b.mu.Unlock()
		return
	case svc.Stop:
		kind = ctrlc.Terminate
	case svc.Shutdown, svc.PreShutdown:
		kind = ctrlc.Shutdown
	default:
		return // not accepted, so not sent
	}
	b.mu.Lock()
	if b.status.State == svc.StopPending {
		b.mu.Unlock()
		return // already stopping: PreShutdown then Shutdown, say
	}
	_ = b.reportLocked(stopPending())
	b.mu.Unlock()
	_ = ctrlc.Trigger(ctrlc.Event{Kind: kind})
}

// notify turns a notice into the next status, if it changes the status.
func (b *bridge) notify(n notice) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.s == nil {
		return nil
	}
	st := b.status
	pending := st.State == svc.StartPending || st.State == svc.StopPending
	switch {
	case n.stopping && st.State != svc.StopPending:
		st = stopPending()
	case n.ready && st.State == svc.StartPending:
		st = svc.Status{State: svc.Running, Accepts: accepts}
	case n.stopping || n.more > 0 && pending:
		st.CheckPoint++
		if n.more > 0 {
			st.WaitHint = millis(n.more)
		}
	default:
		return nil
	}
	return b.reportLocked(st)
}

func stopPending() svc.Status {
	return svc.Status{State: svc.StopPending, CheckPoint: 1, WaitHint: millis(pendingWaitHint)}
}

// reportLocked sends st to the dispatcher; b.mu is held.
func (b *bridge) reportLocked(st svc.Status) error {
	if b.s == nil {
		return nil
	}
	t := time.NewTimer(statusTimeout)
	defer t.Stop()
	select {
	case b.s <- st:
		b.status = st
		return nil
	case <-t.C:
		return fmt.Errorf("service: reporting %v to the service control manager: no answer after %v", stateName(st.State), statusTimeout)
	}
}

func millis(d time.Duration) uint32 {
	return uint32(min(d.Milliseconds(), math.MaxUint32))
}

func stateName(s svc.State) string {
	switch s {
	case svc.StartPending:
		return "StartPending"
	case svc.Running:
		return "Running"
	case svc.StopPending:
		return "StopPending"
	case svc.Stopped:
		return "Stopped"
	}
	return fmt.Sprintf("state %d", uint32(s))
}
