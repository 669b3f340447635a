package child_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/ctrlc-go/ctrlc/child"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

func init() { scenarios["attrs"] = childAttrs }

// childAttrs prints whether it runs in a job object, and its args.
func childAttrs() int {
	var in int32
	r, _, err := windows.NewLazySystemDLL("kernel32.dll").NewProc("IsProcessInJob").Call(uintptr(windows.CurrentProcess()), 0, uintptr(unsafe.Pointer(&in)))
	if r == 0 {
		fmt.Println("IsProcessInJob:", err)
		return 1
	}
	fmt.Printf("in job %v, args %q\n", in != 0, scenarioArgs)
	return 0
}

// TestParentTerminatedTakesTree: when the parent program is ended with
// TerminateProcess mid-work, no chance to clean up, Windows closes its
// handle to each child's job, which kills the children and their own
// children (which would run minutes more).
func TestParentTerminatedTakesTree(t *testing.T) {
	p := ctrlctest.Start(t, ctrlctest.Self("killparent", "2", "1"))
	tree := watchAll(t, pids(t, p.WaitFor("ready"))...)
	require.Len(t, tree, 4, "two children with a grandchild each")
	for _, c := range tree {
		require.True(t, c.alive(), "process %d runs before the parent is terminated", c.pid)
	}
	require.NoError(t, p.Cmd.Process.Kill()) // TerminateProcess
	p.Wait()
	waitGone(t, "the tree of the terminated parent", tree...)
}

// TestCallerSysProcAttrKept: the caller's SysProcAttr is kept (here CmdLine,
// which the child sees as its args, and a creation flag next to
// CREATE_NEW_PROCESS_GROUP), the caller's struct is not changed, and the
// child runs in a job object.
func TestCallerSysProcAttrKept(t *testing.T) {
	cmd := self(context.Background(), "attrs")
	attr := &syscall.SysProcAttr{
		CreationFlags: windows.BELOW_NORMAL_PRIORITY_CLASS,
		CmdLine:       syscall.EscapeArg(cmd.Path) + " -test.run=^$ from-the-command-line",
	}
	cmd.SysProcAttr = attr
	var out strings.Builder
	cmd.Stdout = &out
	require.NoError(t, child.Run(cmd), "output: %s", out.String())
	assert.Equal(t, "in job true, args [\"from-the-command-line\"]\n", out.String())
	assert.Equal(t, uint32(windows.BELOW_NORMAL_PRIORITY_CLASS), attr.CreationFlags, "the caller's struct is unchanged")
	assert.NotZero(t, cmd.SysProcAttr.CreationFlags&windows.CREATE_NEW_PROCESS_GROUP)
	assert.NotZero(t, cmd.SysProcAttr.CreationFlags&windows.BELOW_NORMAL_PRIORITY_CLASS)
}

// TestSignalUnsupportedOnWindows: a signal Windows cannot send to a child is
// an error that wraps errors.ErrUnsupported; the child is left running.
func TestSignalUnsupportedOnWindows(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := self(ctx, "proc", "deaf", os.TempDir(), "c", "0")
	_, err := startAndRead(cmd, child.Start)
	require.NoError(t, err)
	w := watch(t, cmd.Process.Pid)
	err = child.Signal(cmd, syscall.Signal(1)) // SIGHUP
	assert.True(t, errors.Is(err, errors.ErrUnsupported), "Signal(SIGHUP) = %v", err)
	assert.True(t, w.alive())
	require.NoError(t, child.Signal(cmd, os.Kill))
	assert.Error(t, cmd.Wait())
	waitGone(t, "the child after os.Kill", w)
}
