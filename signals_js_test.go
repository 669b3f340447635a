//go:build js && wasm

package ctrlc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall/js"
	"testing"
	"time"
)

// These tests run under Node (GOOS=js GOARCH=wasm go test, with
// $(go env GOROOT)/lib/wasm on PATH). They send the Node process real
// signals with process.kill and check that Go listeners see them.

func nodeProcess(t *testing.T) js.Value {
	t.Helper()
	p := js.Global().Get("process")
	if p.Type() != js.TypeObject || p.Get("kill").Type() != js.TypeFunction {
		t.Skip("not running under Node: no process.kill")
	}
	return p
}

func nodeListenerCount(p js.Value, event string) int {
	return p.Call("listenerCount", event).Int()
}

// killSelf sends this Node process a real signal.
func nodeKill(t *testing.T, p js.Value, sig string) {
	t.Helper()
	if ok := p.Call("kill", p.Get("pid"), sig); !ok.Bool() {
		t.Fatalf("process.kill(process.pid, %q) returned false", sig)
	}
}

func TestJSRealSignals(t *testing.T) {
	p := nodeProcess(t)
	intBefore, termBefore, hupBefore := nodeListenerCount(p, "SIGINT"), nodeListenerCount(p, "SIGTERM"), nodeListenerCount(p, "SIGHUP")

	l, err := Notify(WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	if got := nodeListenerCount(p, "SIGHUP"); got != hupBefore+1 {
		t.Fatalf("SIGHUP listeners after Notify: %d, want %d: SIGHUP is a default kind", got, hupBefore+1)
	}
	if got := nodeListenerCount(p, "SIGINT"); got != intBefore+1 {
		t.Fatalf("SIGINT listeners after Notify: %d, want %d", got, intBefore+1)
	}
	if got := nodeListenerCount(p, "SIGTERM"); got != termBefore+1 {
		t.Fatalf("SIGTERM listeners after Notify: %d, want %d", got, termBefore+1)
	}

	start := time.Now()
	nodeKill(t, p, "SIGINT")
	e := recvWithin(t, l, 5*time.Second)
	if e.Kind != Interrupt || e.Native != 2 || e.Seq != 1 {
		t.Fatalf("after SIGINT got %+v, want Kind Interrupt, Native 2, Seq 1", e)
	}
	if got := e.Error(); got != "interrupt (SIGINT)" {
		t.Fatalf("Error() = %q, want %q", got, "interrupt (SIGINT)")
	}
	if exitCode(e) != 130 {
		t.Fatalf("exitCode = %d, want 130", exitCode(e))
	}
	if e.Time.Before(start) || time.Since(e.Time) > 5*time.Second {
		t.Fatalf("event time %v not between %v and now", e.Time, start)
	}

	nodeKill(t, p, "SIGTERM")
	e = recvWithin(t, l, 5*time.Second)
	if e.Kind != Terminate || e.Native != 15 || e.Seq != 2 {
		t.Fatalf("after SIGTERM got %+v, want Kind Terminate, Native 15, Seq 2", e)
	}
	if got := e.Error(); got != "terminate (SIGTERM)" {
		t.Fatalf("Error() = %q, want %q", got, "terminate (SIGTERM)")
	}
	if exitCode(e) != 143 {
		t.Fatalf("exitCode = %d, want 143", exitCode(e))
	}

	nodeKill(t, p, "SIGHUP")
	e = recvWithin(t, l, 5*time.Second)
	if e.Kind != Hangup || e.Native != 1 || e.Seq != 3 || e.Error() != "hangup (SIGHUP)" {
		t.Fatalf("after SIGHUP got %+v (%v), want Kind Hangup, Native 1, Seq 3", e, e)
	}

	l.Stop()
	if got := nodeListenerCount(p, "SIGHUP"); got != hupBefore {
		t.Fatalf("SIGHUP listeners after Stop: %d, want %d", got, hupBefore)
	}
	if got := nodeListenerCount(p, "SIGINT"); got != intBefore {
		t.Fatalf("SIGINT listeners after Stop: %d, want %d", got, intBefore)
	}
	if got := nodeListenerCount(p, "SIGTERM"); got != termBefore {
		t.Fatalf("SIGTERM listeners after Stop: %d, want %d", got, termBefore)
	}
	l.Stop() // idempotent
	if got := nodeListenerCount(p, "SIGINT"); got != intBefore {
		t.Fatalf("SIGINT listeners after a second Stop: %d, want %d", got, intBefore)
	}
}

func TestJSListenersShareOneNodeListener(t *testing.T) {
	p := nodeProcess(t)
	intBefore, termBefore := nodeListenerCount(p, "SIGINT"), nodeListenerCount(p, "SIGTERM")

	both, err := Notify(WithKinds(Interrupt, Terminate), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer both.Stop()
	intOnly, err := Notify(WithKinds(Interrupt), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer intOnly.Stop()
	if got := nodeListenerCount(p, "SIGINT"); got != intBefore+1 {
		t.Fatalf("SIGINT listeners with two Go listeners: %d, want one Node listener (%d)", got, intBefore+1)
	}

	// process.emit runs the Node listeners synchronously, without a signal.
	p.Call("emit", "SIGINT", "SIGINT")
	for name, l := range map[string]*Listener{"both": both, "intOnly": intOnly} {
		if e := recvWithin(t, l, 5*time.Second); e.Kind != Interrupt || e.Error() != "interrupt (SIGINT)" || e.Seq != 1 {
			t.Fatalf("%s: after emit('SIGINT') got %+v (%v)", name, e, e)
		}
	}

	nodeKill(t, p, "SIGTERM")
	if e := recvWithin(t, both, 5*time.Second); e.Kind != Terminate || e.Error() != "terminate (SIGTERM)" || e.Seq != 2 {
		t.Fatalf("after SIGTERM got %+v (%v), want terminate, Seq 2", e, e)
	}
	noEventWithin(t, intOnly, 100*time.Millisecond)

	// The Node listener stays while one Go listener still wants the kind.
	both.Stop()
	if got := nodeListenerCount(p, "SIGTERM"); got != termBefore {
		t.Fatalf("SIGTERM listeners after stopping its only Go listener: %d, want %d", got, termBefore)
	}
	if got := nodeListenerCount(p, "SIGINT"); got != intBefore+1 {
		t.Fatalf("SIGINT listeners with one Go listener left: %d, want %d", got, intBefore+1)
	}
	nodeKill(t, p, "SIGINT")
	if e := recvWithin(t, intOnly, 5*time.Second); e.Kind != Interrupt || e.Seq != 2 {
		t.Fatalf("after the second SIGINT got %+v, want interrupt, Seq 2", e)
	}
	intOnly.Stop()
	if got := nodeListenerCount(p, "SIGINT"); got != intBefore {
		t.Fatalf("SIGINT listeners after the last Stop: %d, want %d", got, intBefore)
	}
}

func TestJSOptInKinds(t *testing.T) {
	p := nodeProcess(t)
	before := map[string]int{}
	for _, ev := range []string{"SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"} {
		before[ev] = nodeListenerCount(p, ev)
	}
	l, err := Notify(WithKinds(Hangup, Quit, Break, Logoff), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	for ev, want := range map[string]int{"SIGINT": before["SIGINT"], "SIGTERM": before["SIGTERM"], "SIGHUP": before["SIGHUP"] + 1, "SIGQUIT": before["SIGQUIT"] + 1} {
		if got := nodeListenerCount(p, ev); got != want {
			t.Errorf("%s listeners: %d, want %d", ev, got, want)
		}
	}
	nodeKill(t, p, "SIGHUP")
	if e := recvWithin(t, l, 5*time.Second); e.Kind != Hangup || e.Error() != "hangup (SIGHUP)" || exitCode(e) != 129 {
		t.Fatalf("after SIGHUP got %+v (%v)", e, e)
	}
	nodeKill(t, p, "SIGQUIT")
	if e := recvWithin(t, l, 5*time.Second); e.Kind != Quit || e.Error() != "quit (SIGQUIT)" || exitCode(e) != 131 {
		t.Fatalf("after SIGQUIT got %+v (%v)", e, e)
	}
	// Kinds Node has no event for arrive only through Trigger.
	if err := Trigger(Event{Kind: Break}); err != nil {
		t.Fatal(err)
	}
	if e := recvWithin(t, l, 5*time.Second); e.Kind != Break || e.Error() != "break" || e.Native != 0 {
		t.Fatalf("after Trigger(Break) got %+v (%v)", e, e)
	}
	l.Stop()
	for _, ev := range []string{"SIGHUP", "SIGQUIT"} {
		if got := nodeListenerCount(p, ev); got != before[ev] {
			t.Errorf("%s listeners after Stop: %d, want %d", ev, got, before[ev])
		}
	}
}

func TestJSTriggerFillsNodeSignal(t *testing.T) {
	nodeProcess(t)
	l, err := Notify(WithKinds(Interrupt, Terminate), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	if err := Trigger(Event{Kind: Terminate}); err != nil {
		t.Fatal(err)
	}
	if e := recvWithin(t, l, 5*time.Second); e.Native != 15 || e.Error() != "terminate (SIGTERM)" {
		t.Fatalf("Trigger(Terminate) delivered %+v (%v), want Native 15, \"terminate (SIGTERM)\"", e, e)
	}
}

func TestJSNotifyContextRealSignal(t *testing.T) {
	p := nodeProcess(t)
	before := nodeListenerCount(p, "SIGTERM")
	ctx, stop, err := NotifyContext(context.Background(), WithKinds(Terminate))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	nodeKill(t, p, "SIGTERM")
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("context not cancelled within 5s of SIGTERM")
	}
	var e Event
	if !errors.As(context.Cause(ctx), &e) {
		t.Fatalf("context.Cause = %v (%T), want an Event", context.Cause(ctx), context.Cause(ctx))
	}
	if e.Kind != Terminate || e.Error() != "terminate (SIGTERM)" {
		t.Fatalf("cause %+v (%v), want terminate (SIGTERM)", e, e)
	}
	stop()
	if got := nodeListenerCount(p, "SIGTERM"); got != before {
		t.Fatalf("SIGTERM listeners after stop: %d, want %d", got, before)
	}
}

// The child scenarios below run in a second Node process started by
// startNodeChild: this test binary again, with SelfEnv set.
func init() {
	// Waits on the channel alone: nothing but the listener's own timer keeps
	// Node's event loop alive. A second SIGINT during the "drain" must end
	// the process with code 130: a plain listener has no drain to hurry.
	childScenarios["js-wait"] = func([]string) int {
		l, err := Notify()
		if err != nil {
			fmt.Println("notify:", err)
			return 1
		}
		fmt.Println("ready")
		e := <-l.C()
		fmt.Println("got", e)
		fmt.Println("draining")
		select {} // the second signal exits
	}
	// After Stop, Node's default action is back: SIGINT kills the process.
	childScenarios["js-stopped"] = func([]string) int {
		l, err := Notify()
		if err != nil {
			fmt.Println("notify:", err)
			return 1
		}
		l.Stop()
		fmt.Println("ready")
		time.Sleep(2 * childTimeout) // outlasts the parent's wait
		fmt.Println("still alive")
		return 0
	}
}

// nodeChild is a Node process running this test binary as a child scenario.
type nodeChild struct {
	t      *testing.T
	proc   js.Value
	data   chan string
	closed chan [2]js.Value // exit code, signal name
	funcs  []js.Func
	out    strings.Builder
	code   js.Value
	signal js.Value
	ended  bool
}

func startNodeChild(t *testing.T, scenario string) *nodeChild {
	t.Helper()
	p := nodeProcess(t)
	require := js.Global().Get("require")
	if require.Type() != js.TypeFunction {
		t.Skip("no require(): not running under wasm_exec_node.js")
	}
	// process.argv is [node, wasm_exec_node.js, test binary, flags...].
	argv := p.Get("argv")
	var args []any
	execArgv := p.Get("execArgv")
	for i := 0; i < execArgv.Length(); i++ {
		args = append(args, execArgv.Index(i))
	}
	args = append(args, argv.Index(1), argv.Index(2), "-test.run=^$")
	env := js.Global().Get("Object").Call("assign", map[string]any{}, p.Get("env"), map[string]any{SelfEnv: scenario})
	proc := require.Invoke("child_process").Call("spawn", p.Get("execPath"), args,
		map[string]any{"env": env, "stdio": []any{"ignore", "pipe", "pipe"}})

	c := &nodeChild{t: t, proc: proc, data: make(chan string, 256), closed: make(chan [2]js.Value, 1)}
	// The callbacks run on Node's event loop: they must not block, so they
	// only hand the data over.
	onData := js.FuncOf(func(_ js.Value, a []js.Value) any {
		select {
		case c.data <- a[0].Call("toString").String():
		default:
		}
		return nil
	})
	onClose := js.FuncOf(func(_ js.Value, a []js.Value) any {
		select {
		case c.closed <- [2]js.Value{a[0], a[1]}:
		default:
		}
		return nil
	})
	c.funcs = append(c.funcs, onData, onClose)
	proc.Get("stdout").Call("on", "data", onData)
	proc.Get("stderr").Call("on", "data", onData)
	proc.Call("on", "close", onClose)
	t.Cleanup(func() {
		if !c.ended {
			proc.Call("kill", "SIGKILL")
			c.wait()
		}
		for _, f := range c.funcs {
			f.Release()
		}
	})
	return c
}

// waitFor waits until the output contains s.
func (c *nodeChild) waitFor(s string) {
	c.t.Helper()
	deadline := time.After(childTimeout)
	for !strings.Contains(c.out.String(), s) {
		select {
		case d := <-c.data:
			c.out.WriteString(d)
		case v := <-c.closed:
			c.drain()
			c.ended, c.code, c.signal = true, v[0], v[1]
			if strings.Contains(c.out.String(), s) {
				return
			}
			c.t.Fatalf("child exited (code %v, signal %v) without printing %q; output:\n%s", v[0], v[1], s, c.out.String())
		case <-deadline:
			c.t.Fatalf("no %q from the child after %v; output:\n%s", s, childTimeout, c.out.String())
		}
	}
}

func (c *nodeChild) drain() {
	for {
		select {
		case d := <-c.data:
			c.out.WriteString(d)
		default:
			return
		}
	}
}

// wait waits for the child to end and returns its exit code (null when a
// signal ended it) and the name of that signal (null otherwise).
func (c *nodeChild) wait() (code, signal js.Value) {
	c.t.Helper()
	if !c.ended {
		select {
		case v := <-c.closed:
			c.ended, c.code, c.signal = true, v[0], v[1]
		case <-time.After(childTimeout):
			c.t.Fatalf("child still running after %v; output:\n%s", childTimeout, c.out.String())
		}
	}
	c.drain()
	return c.code, c.signal
}

func (c *nodeChild) kill(sig string) {
	c.t.Helper()
	if !c.proc.Call("kill", sig).Bool() {
		c.t.Fatalf("child.kill(%q) failed; output:\n%s", sig, c.out.String())
	}
}

func TestJSChildRealSignalsAndForceExit(t *testing.T) {
	c := startNodeChild(t, "js-wait")
	c.waitFor("ready\n")
	c.kill("SIGINT")
	c.waitFor("draining\n")
	time.Sleep(2 * defaultRepeatWindow) // a second Ctrl-C, not a repeat of the first
	c.kill("SIGINT")
	code, signal := c.wait()
	out := c.out.String()
	if !strings.Contains(out, "got interrupt (SIGINT)\n") {
		t.Errorf("child did not report the first SIGINT; output:\n%s", out)
	}
	if !strings.Contains(out, "ctrlc: interrupt (SIGINT) is event 2 during the shutdown: exiting now") {
		t.Errorf("no force-exit line on stderr; output:\n%s", out)
	}
	if strings.Contains(out, "deadlock") {
		t.Errorf("Node's event loop ran dry while listening; output:\n%s", out)
	}
	if code.Type() != js.TypeNumber || code.Int() != 130 || !signal.IsNull() {
		t.Fatalf("child ended with code %v, signal %v; want code 130; output:\n%s", code, signal, out)
	}
}

func TestJSChildStopRestoresDefault(t *testing.T) {
	c := startNodeChild(t, "js-stopped")
	c.waitFor("ready\n")
	c.kill("SIGINT")
	code, signal := c.wait()
	if signal.Type() != js.TypeString || signal.String() != "SIGINT" || !code.IsNull() {
		t.Fatalf("child ended with code %v, signal %v; want killed by SIGINT; output:\n%s", code, signal, c.out.String())
	}
	if strings.Contains(c.out.String(), "still alive") {
		t.Fatalf("child outlived SIGINT; output:\n%s", c.out.String())
	}
}

// fakeWindow makes the global object look like a browser window for the
// duration of the test. The process object becomes either wasm_exec.js's
// stub (no "on") or a bundler's process shim (an "on" that does nothing, no
// versions.node); addEventListener, removeEventListener and dispatchEvent
// come from an EventTarget that counts its listeners.
func fakeWindow(t *testing.T, shim bool) (count func(event string) int, fire func(event string)) {
	t.Helper()
	p := nodeProcess(t)
	g := js.Global()
	object, reflect := g.Get("Object"), g.Get("Reflect")
	for _, name := range []string{"addEventListener", "removeEventListener", "dispatchEvent"} {
		if g.Get(name).Type() != js.TypeUndefined {
			t.Skipf("the global object already has %s", name)
		}
	}
	if p.Call("hasOwnProperty", "on").Bool() {
		t.Skip("process.on is an own property; cannot hide it safely")
	}
	versions := object.Call("getOwnPropertyDescriptor", p, "versions")
	if versions.Type() != js.TypeObject || !versions.Get("configurable").Bool() {
		t.Skip("process.versions cannot be replaced")
	}
	fns := g.Get("Function").New(`
		const target = new EventTarget();
		const counts = new Map();
		globalThis.addEventListener = (type, fn) => {
			target.addEventListener(type, fn);
			counts.set(type, (counts.get(type) || 0) + 1);
		};
		globalThis.removeEventListener = (type, fn) => {
			target.removeEventListener(type, fn);
			counts.set(type, (counts.get(type) || 0) - 1);
		};
		globalThis.dispatchEvent = (ev) => target.dispatchEvent(ev);
		return [(type) => counts.get(type) || 0, (type) => target.dispatchEvent(new Event(type))];
	`).Invoke()
	if shim {
		p.Set("on", g.Get("Function").New(""))
		object.Call("defineProperty", p, "versions", map[string]any{"value": map[string]any{}, "configurable": true})
	} else {
		p.Set("on", js.Undefined())
	}
	t.Cleanup(func() {
		reflect.Call("deleteProperty", p, "on")
		object.Call("defineProperty", p, "versions", versions)
		for _, name := range []string{"addEventListener", "removeEventListener", "dispatchEvent"} {
			reflect.Call("deleteProperty", g, name)
		}
	})
	return func(event string) int { return fns.Index(0).Invoke(event).Int() },
		func(event string) { fns.Index(1).Invoke(event) }
}

func TestJSBrowserPagehideIsClose(t *testing.T) {
	for _, tc := range []struct {
		name string
		shim bool
	}{{"wasm_exec stub process", false}, {"bundler process shim", true}} {
		t.Run(tc.name, func(t *testing.T) {
			p := nodeProcess(t)
			intBefore := nodeListenerCount(p, "SIGINT")
			count, fire := fakeWindow(t, tc.shim)

			l, err := Notify(WithoutForceExit()) // default kinds include Close under js
			if err != nil {
				t.Fatal(err)
			}
			defer l.Stop()
			if got := count("pagehide"); got != 1 {
				t.Fatalf("pagehide listeners after Notify: %d, want 1", got)
			}
			if got := nodeListenerCount(p, "SIGINT"); got != intBefore {
				t.Fatalf("a browser has no SIGINT, yet Notify added a Node listener (%d, was %d)", got, intBefore)
			}
			fire("pagehide")
			if e := recvWithin(t, l, 5*time.Second); e.Kind != Close || e.Seq != 1 || exitCode(e) != 143 {
				t.Fatalf("after pagehide got %+v (%v), want a Close", e, e)
			}
			l.Stop()
			if got := count("pagehide"); got != 0 {
				t.Fatalf("pagehide listeners after Stop: %d, want 0", got)
			}
		})
	}
	// Node is itself again.
	if p := nodeProcess(t); !isNode(p) {
		t.Fatal("process not restored")
	}
}
