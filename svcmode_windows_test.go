//go:build windows

package ctrlc

import (
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/svcmode"
	"golang.org/x/sys/windows"
)

// TestServiceIgnoresLogoff: in a service, a CTRL_LOGOFF_EVENT (some user
// logged off) is taken by the handler, which returns at once, and reaches
// no listener; outside one it is a Logoff, as ever.
func TestServiceIgnoresLogoff(t *testing.T) {
	l, err := Notify(WithKinds(Logoff), WithoutForceExit())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	svcmode.Set(true)
	start := time.Now()
	got := consoleCtrlHandler(windows.CTRL_LOGOFF_EVENT)
	svcmode.Set(false)
	if got != 1 || time.Since(start) > time.Second {
		t.Fatalf("handler returned %d after %v; want 1 at once (no hold)", got, time.Since(start))
	}
	select {
	case e := <-l.C():
		t.Fatalf("a service's listener got %v", e)
	case <-time.After(50 * time.Millisecond):
	}
	go consoleCtrlHandler(windows.CTRL_LOGOFF_EVENT) // held until Stop
	select {
	case e := <-l.C():
		if e.Kind != Logoff {
			t.Fatalf("got %v, want a logoff", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("outside a service, no logoff arrived")
	}
}
