package child_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A proc is a process a test watches: on Linux, its pid and its start time,
// so that a pid that the system gave to another process since does not count
// as the watched process still running.
type proc struct {
	pid   int
	start string
}

// stat returns the fields of /proc/pid/stat after the command's name (the
// state first), or nil when there is no such process.
func stat(pid int) []string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

// watch starts watching pid; the process, if it still runs when the test
// ends, is killed.
func watch(t *testing.T, pid int) *proc {
	p := &proc{pid: pid}
	if f := stat(pid); len(f) > 19 {
		p.start = f[19]
	}
	t.Cleanup(func() {
		if p.alive() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return p
}

// alive reports whether the process runs: a zombie, dead but not yet reaped
// (by init, once it is an orphan), does not.
func (p *proc) alive() bool {
	f := stat(p.pid)
	return len(f) > 19 && f[0] != "Z" && f[19] == p.start
}

// group returns the pids of the running processes (not zombies) of the
// process group pgid.
func group(t *testing.T, pgid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := stat(pid); len(f) > 2 && f[0] != "Z" && f[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
