//go:build js && wasm

package ctrlc

import (
	"syscall/js"
	"time"
)

// Under Node, SIGINT and SIGTERM arrive as events of the process object; in a
// browser the page's "pagehide" is the only warning before it goes away.

var defaultKinds = []Kind{Interrupt, Terminate, Hangup, Close}

// Node cannot tell whether a signal was ignored at start.
func ignoredKinds() kindSet { return 0 }

var jsNames = [maxKind + 1]string{Interrupt: "SIGINT", Terminate: "SIGTERM", Hangup: "SIGHUP", Quit: "SIGQUIT", Close: "pagehide"}

var jsNumbers = [maxKind + 1]int{Interrupt: 2, Terminate: 15, Hangup: 1, Quit: 3}

// watchers is guarded by hub.mu, like on the other platforms.
var watchers [maxKind + 1]*jsWatcher

type jsWatcher struct {
	target js.Value // Node's process, or the browser's window
	event  string
	fn     js.Func
	c      chan struct{}
	quit   chan struct{}
}

func enable(k Kind) error {
	target, event := jsSource(k)
	if event == "" {
		return nil
	}
	w := &jsWatcher{target: target, event: event, c: make(chan struct{}, 1), quit: make(chan struct{})}
	// The callback runs on the JavaScript event loop and must not block, not
	// even to print: it only signals the Go side.
	w.fn = js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case w.c <- struct{}{}:
		default:
		}
		return nil
	})
	target.Call(addMethod(target), event, w.fn)
	watchers[k] = w
	go w.run(k)
	return nil
}

func disable(k Kind) {
	w := watchers[k]
	if w == nil {
		return
	}
	watchers[k] = nil
	w.target.Call(removeMethod(w.target), w.event, w.fn)
	close(w.quit)
}

func (w *jsWatcher) run(k Kind) {
	defer w.fn.Release()
	// Node's signal listeners do not keep its event loop alive; a pending Go
	// timer does, so a program waiting only on the shutdown channel is not
	// ended as deadlocked.
	keepAlive := time.NewTimer(24 * time.Hour)
	defer keepAlive.Stop()
	current := func() bool { return watchers[k] == w }
	for {
		select {
		case <-w.c:
			src := source{native: true, gen: hub.gen.Load(), current: current}
			dispatch(Event{Kind: k, Native: jsNumbers[k], Time: time.Now()}, src)
		case <-keepAlive.C:
			keepAlive.Reset(24 * time.Hour)
		case <-w.quit:
			return
		}
	}
}

// jsSource returns the object and event name that deliver k here.
func jsSource(k Kind) (js.Value, string) {
	global := js.Global()
	if process := global.Get("process"); isNode(process) {
		switch k {
		case Interrupt, Terminate, Hangup, Quit:
			return process, jsNames[k]
		}
		return js.Undefined(), ""
	}
	if k == Close && global.Get("addEventListener").Type() == js.TypeFunction {
		return global, "pagehide"
	}
	return js.Undefined(), ""
}

// isNode tells Node's process object from the stubs that browsers get:
// wasm_exec.js's has no "on", and bundlers' process shims have an "on" that
// does nothing but no process.versions.node.
func isNode(process js.Value) bool {
	if process.Type() != js.TypeObject || process.Get("on").Type() != js.TypeFunction {
		return false
	}
	versions := process.Get("versions")
	return versions.Type() == js.TypeObject && versions.Get("node").Type() == js.TypeString
}

func addMethod(target js.Value) string {
	if target.Get("addEventListener").Type() == js.TypeFunction {
		return "addEventListener"
	}
	return "on"
}

func removeMethod(target js.Value) string {
	if target.Get("removeEventListener").Type() == js.TypeFunction {
		return "removeEventListener"
	}
	return "off"
}

func nativeOf(k Kind) int { return jsNumbers[k] }

func nativeName(k Kind, n int) string {
	if k.valid() && n != 0 && jsNumbers[k] == n {
		return jsNames[k]
	}
	for k, v := range jsNumbers {
		if v == n && n != 0 {
			return jsNames[k]
		}
	}
	return ""
}
