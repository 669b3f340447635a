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
	childScenarios["broken-pipe"] = withoutArgs(childBrokenPipe)
	childScenarios["broken-pipe-stopped"] = withoutArgs(childBrokenPipeStopped)
	childScenarios["broken-pipe-ignored"] = withoutArgs(childBrokenPipeIgnored)
	childScenarios["broken-pipe-own"] = withoutArgs(childBrokenPipeOwn)
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
	return childAfterStop(nil)
}

// childBrokenPipeIgnored is childBrokenPipeStopped in a program that
// ignores SIGPIPE (signal.Ignore): its writes to the broken stream fail
// with EPIPE before, during and after the listener's life, and it drains.
func childBrokenPipeIgnored() int {
	return childAfterStop(func() { signal.Ignore(syscall.SIGPIPE) })
}

// childAfterStop calls before, listens and stops, says "ready", and after a
// line on standard input drains: it writes to the stream that the parent
// broke, writes the marker file, and exits with drainedExit.
func childAfterStop(before func()) int {
	marker, broken, whole, _, ok := brokenPipeArgs()
	if !ok {
		return 3
	}
	if before != nil {
		before()
	}
	l, err := Notify()
	if err != nil {
		fmt.Fprintln(whole, err)
		return 3
	}
	l.Stop()
	if !waitForParent(whole) {
		return 3
	}
	drain(broken, whole, marker, Event{Kind: Interrupt})
	fmt.Fprintln(whole, "drained")
	return drainedExit
}

// childBrokenPipeOwn is a program with its own signal.Notify for SIGPIPE:
// after a line on standard input it writes to the broken stream beside a
// listener, stops the listener and writes again, and tells in the marker
// file what the writes returned and whether its own channel got SIGPIPE
// each time.
func childBrokenPipeOwn() int {
	marker, broken, whole, _, ok := brokenPipeArgs()
	if !ok {
		return 3
	}
	own := make(chan os.Signal, 2*drainLines)
	signal.Notify(own, syscall.SIGPIPE)
	l, err := Notify()
	if err != nil {
		fmt.Fprintln(whole, err)
		return 3
	}
	if !waitForParent(whole) {
		return 3
	}
	e := Event{Kind: Interrupt}
	beside := drainWrites(broken, whole, e)
	gotBeside := received(own)
	l.Stop()
	after := drainWrites(broken, whole, e)
	gotAfter := received(own)
	writeMarker(whole, marker,
		"beside a listener: errnos="+beside+" own="+gotBeside,
		"after Stop: errnos="+after+" own="+gotAfter)
	fmt.Fprintln(whole, "drained")
	return drainedExit
}

// waitForParent says "ready" on whole and waits for a line on standard
// input, which the parent sends once it has broken the pipe.
func waitForParent(whole *os.File) bool {
	fmt.Fprintln(whole, "ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(whole, "stdin:", err)
		return false
	}
	return true
}

// received reports the signal c got within a few seconds ("none" for
// none), then empties c of the copies that follow it.
func received(c chan os.Signal) string {
	got := "none"
	select {
	case s := <-c:
		got = s.String()
	case <-time.After(5 * time.Second):
		return got
	}
	time.Sleep(100 * time.Millisecond) // os/signal delivers asynchronously
	for {
		select {
		case <-c:
		default:
			return got
		}
	}
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
	defer a.Stop()
	assert.True(t, caught(), "with a listener of a kind other than the defaults")
	b, err := Notify()
	require.NoError(t, err)
	defer b.Stop()
	a.Stop()
	assert.True(t, caught(), "while a second listener lives")
	b.Stop()
	assert.False(t, caught(), "after the last listener stopped")
	b.Stop()
	assert.False(t, caught(), "a second Stop changes nothing")
}
