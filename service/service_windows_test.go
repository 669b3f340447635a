//go:build windows

package service

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows/svc"
)

// The bridge, driven as the svc dispatcher drives it: control requests in,
// statuses out. The test in cmd/ctrlc-demo runs the demo under the real
// service control manager.

type dispatcher struct {
	t    *testing.T
	r    chan svc.ChangeRequest
	s    chan svc.Status
	exit chan [2]any // svcSpecificEC, exitCode
	b    *bridge
}

// execute calls Execute as svc.Run does once the SCM started the service.
func execute(t *testing.T, program func() int) *dispatcher {
	t.Helper()
	d := &dispatcher{t: t, r: make(chan svc.ChangeRequest), s: make(chan svc.Status), exit: make(chan [2]any, 1),
		b: &bridge{program: program, done: make(chan struct{})}}
	current.Lock()
	require.Nil(t, current.b)
	current.b = d.b
	current.Unlock()
	t.Cleanup(func() {
		current.Lock()
		current.b = nil
		current.Unlock()
	})
	go func() {
		ss, code := d.b.Execute(nil, d.r, d.s)
		d.exit <- [2]any{ss, code}
	}()
	return d
}

func (d *dispatcher) next() svc.Status {
	d.t.Helper()
	select {
	case st := <-d.s:
		return st
	case <-time.After(10 * time.Second):
		d.t.Fatal("no status from the service")
	}
	return svc.Status{}
}

func (d *dispatcher) control(c svc.Cmd) {
	d.t.Helper()
	select {
	case d.r <- svc.ChangeRequest{Cmd: c}:
	case <-time.After(10 * time.Second):
		d.t.Fatalf("the service does not take control %d", c)
	}
}

func (d *dispatcher) end() (svcSpecific bool, code uint32) {
	d.t.Helper()
	select {
	case e := <-d.exit:
		return e[0].(bool), e[1].(uint32)
	case st := <-d.s:
		d.t.Fatalf("unexpected status %+v", st)
	case <-time.After(10 * time.Second):
		d.t.Fatal("Execute does not return")
	}
	return false, 0
}

// event returns the kind the program received, or fails the test.
func event(t *testing.T, got <-chan ctrlc.Kind) ctrlc.Kind {
	t.Helper()
	select {
	case k := <-got:
		return k
	case <-time.After(10 * time.Second):
		t.Fatal("the program received no event")
	}
	return 0
}

var running = svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown | svc.AcceptPreShutdown}

// drainer listens, says it is ready, and at the first event reports two
// steps of progress and returns code; it sends the event's kind on got.
func drainer(code int, got chan<- ctrlc.Kind) func() int {
	return func() int {
		l, err := ctrlc.Notify(ctrlc.WithoutForceExit())
		if err != nil {
			panic(err)
		}
		defer l.Stop()
		if err := Ready(); err != nil {
			panic(err)
		}
		e := <-l.C()
		got <- e.Kind
		Stopping()
		Status("not shown on Windows")
		Progress("draining", 3*time.Second)
		Progress("draining", 4*time.Second)
		return code
	}
}

func TestBridgeStop(t *testing.T) {
	got := make(chan ctrlc.Kind, 1)
	d := execute(t, drainer(7, got))
	assert.Equal(t, svc.Status{State: svc.StartPending, CheckPoint: 1, WaitHint: 10000}, d.next())
	assert.Equal(t, running, d.next())
	d.control(svc.Interrogate)
	assert.Equal(t, running, d.next(), "Interrogate repeats the status")
	d.control(svc.Stop)
	assert.Equal(t, svc.Status{State: svc.StopPending, CheckPoint: 1, WaitHint: 10000}, d.next(), "Stop: StopPending at once")
	assert.Equal(t, ctrlc.Terminate, event(t, got), "Stop arrives as Terminate")
	assert.Equal(t, svc.Status{State: svc.StopPending, CheckPoint: 2, WaitHint: 10000}, d.next(), "Stopping advances")
	assert.Equal(t, svc.Status{State: svc.StopPending, CheckPoint: 3, WaitHint: 3000}, d.next())
	assert.Equal(t, svc.Status{State: svc.StopPending, CheckPoint: 4, WaitHint: 4000}, d.next())
	specific, code := d.end()
	assert.True(t, specific)
	assert.Equal(t, uint32(7), code, "the program's exit code")
	assert.NoError(t, Ready(), "no service: a no-op")
}

func TestBridgeShutdown(t *testing.T) {
	for _, cmd := range []svc.Cmd{svc.Shutdown, svc.PreShutdown} {
		got := make(chan ctrlc.Kind, 2)
		d := execute(t, drainer(0, got))
		d.next()
		d.next()
		d.control(cmd)
		assert.Equal(t, svc.StopPending, d.next().State)
		assert.Equal(t, ctrlc.Shutdown, event(t, got), "control %d arrives as Shutdown", cmd)
		d.control(svc.Shutdown) // after PreShutdown: already stopping, no second event
		for cp := uint32(2); cp <= 4; cp++ {
			assert.Equal(t, cp, d.next().CheckPoint)
		}
		specific, code := d.end()
		assert.False(t, specific, "exit code 0: no service-specific code")
		assert.Zero(t, code)
		assert.Empty(t, got, "one event only")
		current.Lock()
		current.b = nil
		current.Unlock()
	}
}

// TestBridgeNoticesWhileRunning: while running, only Stopping changes the
// status; Progress and Status wait for a start or stop.
func TestBridgeNoticesWhileRunning(t *testing.T) {
	proceed, done := make(chan struct{}), make(chan error, 1)
	d := execute(t, func() int {
		Ready()
		Ready()
		Status("x")
		done <- Progress("x", time.Second)
		<-proceed
		Stopping()
		Ready() // too late
		return -1
	})
	d.next()
	assert.Equal(t, running, d.next())
	require.NoError(t, <-done)
	select {
	case st := <-d.s:
		t.Fatalf("a status while running: %+v", st)
	case <-time.After(100 * time.Millisecond):
	}
	close(proceed)
	assert.Equal(t, svc.Status{State: svc.StopPending, CheckPoint: 1, WaitHint: 10000}, d.next())
	specific, code := d.end()
	assert.True(t, specific)
	assert.Equal(t, uint32(0xFFFFFFFF), code, "-1 keeps its bits")
}

func TestBridgeProgressWhileStarting(t *testing.T) {
	d := execute(t, func() int {
		Progress("loading", 20*time.Second)
		Progress("loading", 1<<62) // beyond uint32 milliseconds
		Ready()
		return 0
	})
	assert.Equal(t, uint32(1), d.next().CheckPoint)
	assert.Equal(t, svc.Status{State: svc.StartPending, CheckPoint: 2, WaitHint: 20000}, d.next())
	assert.Equal(t, svc.Status{State: svc.StartPending, CheckPoint: 3, WaitHint: 0xFFFFFFFF}, d.next())
	assert.Equal(t, running, d.next())
	d.end()
}

func TestBridgePanic(t *testing.T) {
	d := execute(t, func() int { panic("boom") })
	d.next()
	specific, code := d.end()
	assert.True(t, specific)
	assert.Equal(t, uint32(2), code)
	assert.True(t, d.b.panicked)
	assert.Equal(t, "boom", d.b.panicValue)
}

func TestBridgeGoexit(t *testing.T) {
	d := execute(t, func() int { Ready(); runtime.Goexit(); return 0 })
	d.next()
	d.next()
	specific, code := d.end()
	assert.True(t, specific)
	assert.Equal(t, uint32(2), code)
	assert.True(t, d.b.exited)
	assert.False(t, d.b.panicked)
}

// TestRunNotAService: a forced name in a process that the SCM did not start
// is an error naming the service, and the program does not run.
func TestRunNotAService(t *testing.T) {
	ran := false
	code, err := Run("ctrlc-no-such-service", func() int { ran = true; return 0 })
	require.Error(t, err)
	assert.Contains(t, err.Error(), `service: Run("ctrlc-no-such-service"): not run by the Windows service control manager`)
	assert.Zero(t, code)
	assert.False(t, ran)
}

func TestRunBadName(t *testing.T) {
	_, err := Run("bot\x00", func() int { t.Error("program ran"); return 0 })
	assert.ErrorContains(t, err, `service: Run("bot\x00"): a service name cannot hold a NUL`)
}

// TestRunNested: one service per process; a Run inside the program is an
// error, and leaves the running service alone.
func TestRunNested(t *testing.T) {
	nested := make(chan error, 1)
	d := execute(t, func() int {
		_, err := Run("inner", func() int { t.Error("the nested program ran"); return 0 })
		nested <- err
		return 0
	})
	d.next()
	assert.ErrorContains(t, <-nested, `service: Run("inner"): a service already runs in this process`)
	d.end()
}

// TestBridgeStorm: notices from many goroutines, an Interrogate and a Stop
// arrive together; the statuses stay well formed (a checkpoint only grows
// within a pending state), exactly one event arrives, and Execute returns.
func TestBridgeStorm(t *testing.T) {
	got := make(chan ctrlc.Kind, 10)
	release := make(chan struct{})
	var wg sync.WaitGroup
	var stopping atomic.Bool
	d := execute(t, func() int {
		l, err := ctrlc.Notify(ctrlc.WithoutForceExit())
		if err != nil {
			panic(err)
		}
		defer l.Stop()
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; ; j++ {
					select {
					case <-release:
						return
					default:
					}
					switch (i + j) % 4 {
					case 0:
						Ready()
					case 1:
						Status("storm")
					case 2:
						Progress("storm", time.Duration(j+1)*time.Millisecond)
					case 3:
						if stopping.Load() { // the SCM sends no Stop once the program is stopping
							Stopping()
						}
					}
				}
			}()
		}
		got <- (<-l.C()).Kind
		stopping.Store(true)
		time.Sleep(50 * time.Millisecond) // Stopping storms in
		close(release)
		wg.Wait()
		return 3
	})
	statuses := make(chan []svc.Status, 1)
	isRunning := make(chan struct{})
	go func() {
		var seen []svc.Status
		for {
			select {
			case st := <-d.s:
				if st.State == svc.Running && !slices.ContainsFunc(seen, func(s svc.Status) bool { return s.State == svc.Running }) {
					close(isRunning)
				}
				seen = append(seen, st)
			case e := <-d.exit:
				d.exit <- e // for d.end, once the statuses are in
				statuses <- seen
				return
			}
		}
	}()
	d.control(svc.Interrogate)
	<-isRunning // the SCM sends no Stop before: the service does not accept it
	d.control(svc.Stop)
	assert.Equal(t, ctrlc.Terminate, event(t, got))
	seen := <-statuses
	specific, code := d.end()
	assert.True(t, specific)
	assert.Equal(t, uint32(3), code)
	require.NotEmpty(t, seen)
	assert.Equal(t, svc.StartPending, seen[0].State)
	for i := 1; i < len(seen); i++ {
		prev, st := seen[i-1], seen[i]
		if st.State == prev.State && st.State != svc.Running {
			assert.GreaterOrEqual(t, st.CheckPoint, prev.CheckPoint, "status %d of %v", i, seen)
		}
		assert.False(t, prev.State == svc.StopPending && st.State != svc.StopPending, "nothing leaves StopPending but the end: %v", seen)
	}
	assert.Empty(t, got, "one event only")
	assert.Equal(t, svc.StopPending, seen[len(seen)-1].State)
}
