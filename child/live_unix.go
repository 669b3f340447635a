//go:build unix

package child

import (
	"os"
	"sync"
	"syscall"

	"github.com/ctrlc-go/ctrlc/internal/atexit"
)

// live holds the children started here whose process groups the program's
// end by ctrlc.Exit must kill: each one still running, and each one whose
// context ended until its forced stop has killed its group. Without it, a
// program that ends before a forced stop is due (a hurried drain returns
// within about a second, WaitDelay is 5 s) would leave what the child
// started running, as orphans. It holds the child's *os.Process, not its
// *exec.Cmd, so that a command's buffers are not kept.
var live = struct {
	sync.Mutex
	groups map[*os.Process]*liveGroup
}{groups: map[*os.Process]*liveGroup{}}

type liveGroup struct {
	pgid     int
	stopping bool // the context ended: the forced stop is due
}

var killAtExit sync.Once

// track adds the child p, just started, to live, and forgets the children
// that ended by themselves (reaped before their context ended): what they
// left running is left alone.
func track(p *os.Process) {
	killAtExit.Do(func() { atexit.Add(killAll) })
	live.Lock()
	defer live.Unlock()
	for q, g := range live.groups {
		if !g.stopping && processReaped(q) {
			delete(live.groups, q)
		}
	}
	entry(p)
}

// stopping records that p's context ended: its group is killed at the
// program's end until forget.
func stopping(p *os.Process) {
	live.Lock()
	entry(p).stopping = true
	live.Unlock()
}

// forget drops p once its forced stop has killed its group.
func forget(p *os.Process) {
	live.Lock()
	delete(live.groups, p)
	live.Unlock()
}

// entry returns p's entry, made if need be (Cancel may run before Start has
// tracked the child). live must be locked.
func entry(p *os.Process) *liveGroup {
	g := live.groups[p]
	if g == nil {
		g = &liveGroup{pgid: p.Pid}
		live.groups[p] = g
	}
	return g
}

// killAll kills the group of every child in live that still runs or whose
// forced stop is due. The pid of a child reaped since is not signalled
// unless its forced stop is due: its group may hold what it started (see
// the package documentation for the case where the id is no longer the
// group's).
func killAll() {
	live.Lock()
	defer live.Unlock()
	for p, g := range live.groups {
		if g.stopping || !processReaped(p) {
			_ = syscall.Kill(-g.pgid, syscall.SIGKILL)
		}
	}
}
