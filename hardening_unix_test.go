//go:build unix

package ctrlc

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/internal/proctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func init() {
	childScenarios["sethandler-loop"] = childSetHandlerLoop
	childScenarios["ignored"] = childIgnored
}

// childSetHandlerLoop replaces its handler over and over for CHILD_SLEEP.
func childSetHandlerLoop() int {
	handled := make(chan struct{}, 1)
	h := func(Event) {
		select {
		case handled <- struct{}{}:
		default:
		}
	}
	if err := SetHandler(h); err != nil {
		fmt.Println(err)
		return 3
	}
	fmt.Println("ready")
	<-handled // the parent's signals have begun
	for start := time.Now(); time.Since(start) < time.Second; {
		if err := SetHandler(h); err != nil {
			fmt.Println(err)
			return 3
		}
	}
	fmt.Println("survived")
	return 0
}

// Replacing the handler never lets SIGINT's default action back: the child
// survives SIGINT every 0.5 ms while it replaces its handler for a second.
func TestSetHandlerReplacementKeepsSIGINTCaught(t *testing.T) {
	c := child(t, "sethandler-loop")
	pid := c.Cmd.Process.Pid
	stop := make(chan struct{})
	sent := make(chan int)
	go func() {
		n := 0
		defer func() { sent <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if unix.Kill(pid, unix.SIGINT) != nil {
				return // the child is gone
			}
			n++
			time.Sleep(500 * time.Microsecond)
		}
	}()
	code, err := c.Wait()
	close(stop)
	n := <-sent
	require.NoError(t, err, "after %d SIGINTs: %s", n, c.Output())
	assert.Equal(t, 0, code)
	assert.Contains(t, c.Output(), "survived")
	t.Logf("%d SIGINTs during the replacements", n)
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
func childIgnored() int {
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

// A child started with SIGINT ignored, as "cmd &" in a non-interactive shell
// starts it, neither hears nor dies by SIGINT; with WithEvenIfIgnored it
// hears it.
func TestSIGINTIgnoredAtStartStaysIgnored(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, evenIfIgnored := range []bool{false, true} {
		t.Run(fmt.Sprintf("WithEvenIfIgnored=%v", evenIfIgnored), func(t *testing.T) {
			cmd := proctest.Self("ignored")
			if evenIfIgnored {
				cmd.Env = append(cmd.Env, "CHILD_EVEN_IF_IGNORED=1")
			}
			c := proctest.Start(t, ignoringSIGINT(cmd))
			c.WaitFor("ready")
			c.Interrupt()
			if evenIfIgnored {
				c.WaitFor("got interrupt (SIGINT)")
			} else {
				time.Sleep(100 * time.Millisecond)
			}
			c.Terminate()
			c.WaitFor("got terminate (SIGTERM)")
			code, err := c.Wait()
			require.NoError(t, err, c.Output())
			assert.Equal(t, 0, code)
			want := 0
			if evenIfIgnored {
				want = 1
			}
			assert.Equal(t, want, c.Count("got interrupt"), c.Output())
		})
	}
}

// A logger that calls runtime.Goexit ends the goroutine that took the
// signal off os/signal; the next signal is still heard.
func TestGoexitInLoggerKeepsSignalsHeard(t *testing.T) {
	l, err := Notify(WithLogger(slog.New(hostileHandler{goexit: true})), WithoutForceExit(), WithRepeatWindow(0), WithEvenIfIgnored())
	require.NoError(t, err)
	defer l.Stop()
	for seq := 1; seq <= 3; seq++ {
		require.NoError(t, unix.Kill(os.Getpid(), unix.SIGINT))
		assert.Equal(t, seq, recv(t, l).Seq)
	}
}
