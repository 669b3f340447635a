package child_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc/child"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestParentKilledTakesChildren: when the parent program is killed with
// SIGKILL mid-work, no chance to clean up, its children (which would run 30
// s more) are killed too.
func TestParentKilledTakesChildren(t *testing.T) {
	p := ctrlctest.Start(t, ctrlctest.Self("killparent", "2", "0"))
	children := watchAll(t, pids(t, p.WaitFor("ready"))...)
	require.Len(t, children, 2)
	for _, c := range children {
		require.True(t, c.alive(), "child %d runs before the parent is killed", c.pid)
	}
	require.NoError(t, p.Cmd.Process.Signal(os.Kill))
	assert.Equal(t, syscall.SIGKILL, p.Wait().Signal)
	waitGone(t, "the children of the killed parent", children...)
}

// TestStartOnExitingLockedThread: Linux sends the death signal when the
// thread that forked the child exits (go.dev/issue/27505). Start called from
// a goroutine locked to its thread, which then exits locked, so that Go's
// runtime ends the thread, must not take the child with it: the child
// finishes its work.
func TestStartOnExitingLockedThread(t *testing.T) {
	dir := testkit.TempDir(t)
	cmd := self(context.Background(), "worker", dir, "w")
	var err error
	tid := onEndingThread(func() { _, err = startAndRead(cmd, child.Start) })
	require.NoError(t, err)
	watch(t, cmd.Process.Pid)
	task := fmt.Sprintf("/proc/self/task/%d", tid)
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(task); os.IsNotExist(err) {
			break
		}
		require.True(t, time.Now().Before(deadline), "thread %d, which called Start, still runs", tid)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sent"), nil, 0o600))
	require.NoError(t, cmd.Wait(), "the worker outlives the thread that called Start")
	assert.FileExists(t, filepath.Join(dir, "w.done"))
}

// onEndingThread runs f on a goroutine locked to an OS thread that ends when
// f returns, and returns the thread's id. Go's runtime ends a thread whose
// goroutine exits locked to it, except the main thread: a goroutine that
// finds itself there stays locked to it while another one runs f.
func onEndingThread(f func()) (tid int) {
	var run func(done chan<- int)
	run = func(done chan<- int) {
		runtime.LockOSThread() // never unlocked, but on the main thread
		if unix.Gettid() == unix.Getpid() {
			other := make(chan int)
			go run(other)
			tid := <-other
			runtime.UnlockOSThread()
			done <- tid
			return
		}
		f()
		done <- unix.Gettid()
	}
	done := make(chan int)
	go run(done)
	return <-done
}
