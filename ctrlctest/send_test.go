package ctrlctest_test

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/internal/testkit"
)

// native returns the kinds that have a native event on this platform.
func native() []ctrlc.Kind {
	switch runtime.GOOS {
	case "windows":
		return []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Break, ctrlc.Close, ctrlc.Logoff, ctrlc.Shutdown}
	case "js", "wasip1", "plan9":
		return nil
	}
	return []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate, ctrlc.Hangup, ctrlc.Quit}
}

func isNative(k ctrlc.Kind) bool {
	for _, n := range native() {
		if n == k {
			return true
		}
	}
	return false
}

// TestSendBadArguments: every error names the pid and the kind, and nothing
// is sent.
func TestSendBadArguments(t *testing.T) {
	for _, tc := range []struct {
		pid  int
		kind ctrlc.Kind
		is   error
		want string
	}{
		{0, ctrlc.Interrupt, nil, "Send(0, interrupt): pid must be above zero"},
		{-1, ctrlc.Terminate, nil, "Send(-1, terminate): pid must be above zero"},
		{1 << 30, 0, ctrlc.ErrUnknownKind, "Send(1073741824, Kind(0))"},
		{1 << 30, 200, ctrlc.ErrUnknownKind, "Send(1073741824, Kind(200))"},
	} {
		err := ctrlctest.Send(tc.pid, tc.kind)
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("Send(%d, %d) = %v; want an error containing %q (is %v)", tc.pid, tc.kind, err, tc.want, tc.is)
		}
	}
	// A pid that kill(2) would truncate to a small one (pid 5 here).
	if strconv.IntSize == 64 {
		var huge int64 = 1<<33 + 5
		err := ctrlctest.Send(int(huge), ctrlc.Interrupt)
		if err == nil || !strings.Contains(err.Error(), "Send(8589934597, interrupt): pid above ") {
			t.Errorf("Send(1<<33 + 5, interrupt) = %v; want an error naming the pid", err)
		}
	}
}

// TestSendUnsupportedKind: a kind with no native event here is
// errors.ErrUnsupported, named, and the process gets nothing.
func TestSendUnsupportedKind(t *testing.T) {
	p := (*ctrlctest.Process)(nil)
	if testkit.CanStart {
		p = ctrlctest.Start(t, ctrlctest.Self("events"))
		p.WaitFor("ready")
	}
	pid := 1 << 30
	if p != nil {
		pid = p.Pid()
	}
	n := 0
	for _, k := range allKinds {
		if isNative(k) {
			continue
		}
		n++
		err := ctrlctest.Send(pid, k)
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), fmt.Sprintf("Send(%d, %v): %v has no native event on %s", pid, k, k, runtime.GOOS)) {
			t.Errorf("Send(pid, %v) = %v; want errors.ErrUnsupported naming the kind and %s", k, err, runtime.GOOS)
		}
	}
	if n == 0 {
		t.Fatal("every kind is native here?")
	}
	if p != nil {
		time.Sleep(100 * time.Millisecond) // an event, had one been sent, arrives within ~1 ms
		if p.Count("got ") != 0 {
			t.Fatalf("the process got an event:\n%s", p.Output())
		}
	}
}

// TestSendToExitedProcess: a pid whose process is gone is an error.
func TestSendToExitedProcess(t *testing.T) {
	p := ctrlctest.Start(t, ctrlctest.Self("events"))
	p.WaitFor("ready")
	k := native()[0]
	p.Send(k)
	p.Wait()
	// The pid may be reused by now, but not within this test on any
	// platform that hands out pids in turn.
	if err := ctrlctest.Send(p.Pid(), k); err == nil {
		t.Fatalf("Send to the exited process %d: no error", p.Pid())
	} else {
		t.Log(err)
	}
}

// TestSendEachKind sends each native kind to a child that prints what it
// got. Close, logoff and shutdown (Windows) must hold the child open for its
// drain, after which the child is ended with STATUS_CONTROL_C_EXIT.
func TestSendEachKind(t *testing.T) {
	for _, k := range native() {
		t.Run(k.String(), func(t *testing.T) {
			p := ctrlctest.Start(t, ctrlctest.Self("events"))
			p.WaitFor("ready")
			sent := time.Now()
			p.Send(k)
			line := p.WaitFor("got ")
			i := strings.LastIndex(line, " at ")
			at, err := strconv.ParseInt(line[i+len(" at "):], 10, 64)
			if i < 0 || err != nil {
				t.Fatalf("line %q: no time", line)
			}
			if want := "got " + k.String() + " ("; !strings.HasPrefix(line, want) {
				t.Fatalf("the child printed %q; want it to start with %q", line, want)
			}
			t.Logf("%s reached the handler %v after Send began", k, time.Unix(0, at).Sub(sent))
			st := p.Wait()
			if holds(k) {
				if !p.Order("got ", "drained") || p.Count("not ended") != 0 || uint32(st.Code) != 0xC000013A {
					t.Fatalf("status %v; want the drain, then STATUS_CONTROL_C_EXIT; output:\n%s", st, p.Output())
				}
				return
			}
			if st.Code != 0 || st.Signal != nil {
				t.Fatalf("status %v; want exit code 0; output:\n%s", st, p.Output())
			}
		})
	}
}

// BenchmarkSend: the time from Send to the child's Go handler and back
// through the child's output, one interrupt after another; to-handler-ns/op
// is the part from Send's start to the handler.
func BenchmarkSend(b *testing.B) {
	p := ctrlctest.Start(b, ctrlctest.Self("signals"))
	p.WaitFor("ready")
	var toHandler time.Duration
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		sent := time.Now()
		p.Send(ctrlc.Interrupt)
		line := p.WaitFor(fmt.Sprintf("got %d. at ", i))
		at, err := strconv.ParseInt(line[strings.LastIndex(line, " ")+1:], 10, 64)
		if err != nil {
			b.Fatalf("line %q: %v", line, err)
		}
		toHandler += time.Unix(0, at).Sub(sent)
	}
	b.ReportMetric(float64(toHandler.Nanoseconds())/float64(b.N), "to-handler-ns/op")
}

// TestStartSkipsWhereNoProcessCanStart: under js/wasm and wasip1 a test that
// needs a child process skips, with the reason, instead of failing.
func TestStartSkipsWhereNoProcessCanStart(t *testing.T) {
	if testkit.CanStart {
		t.Skip("this platform can start processes")
	}
	returned, skipped := false, false
	t.Run("start", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		ctrlctest.Start(t, ctrlctest.Self("events"))
		returned = true
	})
	if returned || !skipped {
		t.Fatalf("Start returned %v, skipped %v; want a skip", returned, skipped)
	}
}
