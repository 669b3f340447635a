//go:build unix

package ctrlc

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func init() {
	childScenarios["ignored"] = childIgnored
}

// A signal that a watcher took off os/signal for a listener that then
// stopped never reaches a listener made afterwards.
func TestStaleSignalNeverReachesALaterListener(t *testing.T) {
	// This channel keeps SIGINT caught between the listeners, and tells
	// when os/signal has handed each SIGINT on.
	own := make(chan os.Signal, 1)
	signal.Notify(own, unix.SIGINT)
	defer signal.Stop(own)
	stale := 0
	for cycle := 0; cycle < 300; cycle++ {
		old, err := Notify(WithoutForceExit())
		require.NoError(t, err)
		require.NoError(t, unix.Kill(os.Getpid(), unix.SIGINT))
		select {
		case <-own:
		case <-time.After(10 * time.Second):
			t.Fatal("SIGINT not received")
		}
		old.Stop()
		l, err := Notify(WithoutForceExit())
		require.NoError(t, err)
		select {
		case e := <-l.C():
			stale++
			t.Logf("cycle %d: a listener made after the signal got %+v", cycle, e)
		case <-time.After(time.Millisecond):
		}
		l.Stop()
	}
	assert.Zero(t, stale, "stale signals in 300 cycles")
}

// childIgnored prints each event, and exits at SIGTERM.
func childIgnored([]string) int {
	opts := []Option{WithKinds(Interrupt, Terminate, Quit), WithoutForceExit()}
	if os.Getenv("CHILD_EVEN_IF_IGNORED") != "" {
		opts = append(opts, WithEvenIfIgnored())
	}
	l, err := Notify(opts...)
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	fmt.Println("ready")
	for e := range l.C() {
		fmt.Println("got", e)
		if e.Kind == Terminate {
			return 0
		}
	}
	return 0
}

// A logger that calls runtime.Goexit does not end the goroutine that takes
// the signals off os/signal: the next signal is still heard.
func TestGoexitInLoggerKeepsSignalsHeard(t *testing.T) {
	// The signals come one at a time, but may come faster than the repeat
	// window: take them all.
	l := notifyWith(t, func(c *config) { c.repeatWindow = 0 }, WithLogger(slog.New(hostileHandler{goexit: true})), WithoutForceExit(), WithEvenIfIgnored())
	for seq := 1; seq <= 3; seq++ {
		require.NoError(t, unix.Kill(os.Getpid(), unix.SIGINT))
		assert.Equal(t, seq, recv(t, l).Seq)
	}
}
