//go:build unix

package ctrlc

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	childScenarios["broken-pipe"] = childBrokenPipe
	childScenarios["broken-pipe-stopped"] = childBrokenPipeStopped
}

// childBrokenPipe is a program whose log reader goes away as it drains: it
// listens with Notify() (with Interrupt, Terminate and Hangup when its
// third arg is "hangup"), says "ready" on the stream that stays whole, and
// after the first event drains: it writes to the stream that the parent
// broke, writes the marker file, and exits with drainedExit.
func childBrokenPipe() int {
	marker, broken, whole, more, ok := brokenPipeArgs()
	if !ok {
		return 3
	}
	var opts []Option
	if len(more) > 0 && more[0] == "hangup" {
		opts = append(opts, WithKinds(Interrupt, Terminate, Hangup))
	}
	l, err := Notify(opts...)
	if err != nil {
		fmt.Fprintln(whole, err)
		return 3
	}
	defer l.Stop()
	fmt.Fprintln(whole, "ready")
	e := <-l.C()
	drain(broken, whole, marker, e)
	fmt.Fprintln(whole, "drained")
	return drainedExit
}

// childBrokenPipeStopped listens and stops, says "ready", and after a line
// on standard input drains as childBrokenPipe does: with no listener left,
// Go's default is back and the first write to the broken stream kills it.
func childBrokenPipeStopped() int {
	marker, broken, whole, _, ok := brokenPipeArgs()
	if !ok {
		return 3
	}
	l, err := Notify()
	if err != nil {
		fmt.Fprintln(whole, err)
		return 3
	}
	l.Stop()
	fmt.Fprintln(whole, "ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(whole, "stdin:", err)
		return 3
	}
	drain(broken, whole, marker, Event{Kind: Interrupt})
	fmt.Fprintln(whole, "drained")
	return drainedExit
}

// SIGPIPE is wanted from the first listener on until the last one stops,
// whatever kinds the listeners want.
func TestBrokenPipesCaughtWhileAListenerLives(t *testing.T) {
	hub.mu.Lock()
	n := len(hub.listeners)
	hub.mu.Unlock()
	require.Zero(t, n, "a listener of another test still lives")
	caught := func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return brokenPipes != nil
	}
	assert.False(t, caught(), "before any listener")
	a, err := Notify(WithKinds(Quit))
	require.NoError(t, err)
	assert.True(t, caught(), "with a listener of a kind other than the defaults")
	b, err := Notify()
	require.NoError(t, err)
	a.Stop()
	assert.True(t, caught(), "while a second listener lives")
	b.Stop()
	assert.False(t, caught(), "after the last listener stopped")
	b.Stop()
	assert.False(t, caught(), "a second Stop changes nothing")
}

// A program's own signal.Notify for SIGPIPE keeps working beside a listener,
// and the listener's Stop does not take SIGPIPE away from it.
func TestBrokenPipeOwnSIGPIPENotifyKeepsWorking(t *testing.T) {
	own := make(chan os.Signal, 1)
	signal.Notify(own, syscall.SIGPIPE)
	defer signal.Stop(own)
	got := func(when string) {
		t.Helper()
		require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGPIPE))
		select {
		case <-own:
		case <-time.After(10 * time.Second):
			t.Fatalf("the program's own channel got no SIGPIPE %s", when)
		}
	}
	l, err := Notify()
	require.NoError(t, err)
	got("beside a listener")
	l.Stop()
	got("after the listener stopped")
}

// A program that ignores SIGPIPE keeps it ignored: a listener that comes
// and goes does not turn the ignore into Go's default.
func TestBrokenPipeIgnoredSIGPIPEStaysIgnored(t *testing.T) {
	signal.Ignore(syscall.SIGPIPE)
	defer func() {
		// signal.Reset leaves an ignored SIGPIPE ignored; a Notify (which
		// undoes the ignore) and a Stop bring back the state Go starts with.
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGPIPE)
		signal.Stop(c)
		assert.False(t, signal.Ignored(syscall.SIGPIPE))
	}()
	l, err := Notify()
	require.NoError(t, err)
	assert.True(t, signal.Ignored(syscall.SIGPIPE), "while listening")
	l.Stop()
	assert.True(t, signal.Ignored(syscall.SIGPIPE), "after Stop")
}
