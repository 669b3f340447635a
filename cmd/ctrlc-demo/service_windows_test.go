//go:build windows

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ctrlc-go/ctrlc/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"
)

// TestServiceStopDrains registers the demo as a Windows service under a name
// of its own, starts it through the service control manager, stops it while
// commands run and wait, and checks that the stop reached the drain, that the
// drain ran to its end while the service reported StopPending with advancing
// checkpoints, that the report and the -unprocessed file were written, and
// that the service ended Stopped with the demo's exit code. Under Wine,
// svc.IsWindowsService is false: -service forces service mode.
func TestServiceStopDrains(t *testing.T) {
	needDemo(t)
	m, err := mgr.Connect()
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		t.Skipf("registering a service takes an administrator: %v", err)
	}
	require.NoError(t, err, "connecting to the service control manager")
	defer m.Disconnect()

	exe, err := filepath.Abs(demoPath) // Wine: Z:\... for a Unix path
	require.NoError(t, err)
	dir := testkit.TempDir(t)
	logFile, unprocessedFile := filepath.Join(dir, "demo.log"), filepath.Join(dir, "unprocessed.jsonl")
	name := fmt.Sprintf("ctrlc-demo-test-%d-%d", os.Getpid(), time.Now().UnixNano()%1e9)
	// 2 workers on commands of 3 s, 10 more queued: policy skip lets the
	// running ones finish and keeps the queued ones; every second one fails,
	// the second running one during the shutdown, so the demo exits 1.
	s, err := m.CreateService(name, exe, mgr.Config{DisplayName: "ctrlc demo (test " + name + ")", StartType: mgr.StartManual},
		"-service", name, "-log", logFile, "-unprocessed", unprocessedFile,
		"-policy", "skip", "-workers", "2", "-work", "3s", "-rate", "100", "-queue", "10", "-fail-rate", "0.5")
	require.NoError(t, err, "registering %s", name)
	t.Cleanup(func() { removeService(t, s) })

	require.NoError(t, s.Start(), "starting %s", name)
	// Wine's StartService returns once the service runs: StartPending is
	// seldom seen here (the service package's own tests check it).
	started := waitState(t, s, windows.SERVICE_RUNNING, 20*time.Second)
	assert.NotZero(t, started[len(started)-1].ControlsAccepted&windows.SERVICE_ACCEPT_STOP, "a running service accepts Stop")
	st, err := queryStatus(s)
	require.NoError(t, err)
	process, err := windows.OpenProcess(windows.SYNCHRONIZE, false, st.ProcessId)
	require.NoError(t, err, "opening the service's process %d", st.ProcessId)
	defer windows.CloseHandle(process)
	time.Sleep(300 * time.Millisecond) // 2 running, 10 queued, the source blocked

	stopAt := time.Now()
	_, err = s.Control(svc.Stop)
	require.NoError(t, err, "stopping %s", name)
	stopping := waitState(t, s, windows.SERVICE_STOPPED, 30*time.Second)
	drain := time.Since(stopAt)
	// The process reports Stopped before it exits: wait for it to let go of its files.
	ev, err := windows.WaitForSingleObject(process, 10000)
	require.NoError(t, err)
	require.Equal(t, uint32(windows.WAIT_OBJECT_0), ev, "the service's process exits after Stopped")
	log := readFile(t, logFile)

	// The statuses from the stop on: StopPending with a checkpoint that
	// advances as the drain reports, then Stopped with the exit code.
	final := stopping[len(stopping)-1]
	var checkpoints []uint32
	var lastHint uint32
	for _, st := range stopping[:len(stopping)-1] {
		if st.CurrentState == windows.SERVICE_RUNNING {
			continue // read before the stop took effect
		}
		require.Equal(t, uint32(windows.SERVICE_STOP_PENDING), st.CurrentState, "only StopPending between Running and Stopped: %v", stopping)
		assert.Zero(t, st.ControlsAccepted, "a stopping service accepts nothing")
		// 10 s from the stop until the first progress report, then the
		// demo's promise of its next report.
		assert.Contains(t, []uint32{10000, uint32(progressPromise.Milliseconds())}, st.WaitHint, "the wait hint")
		checkpoints = append(checkpoints, st.CheckPoint)
		lastHint = st.WaitHint
	}
	t.Logf("drain took %v; StopPending checkpoints %v; final %+v", drain.Round(time.Millisecond), checkpoints, final)
	require.GreaterOrEqual(t, len(checkpoints), 4, "the stop, the demo taking it up, and at least two drain reports: %v\nlog:\n%s", stopping, log)
	assert.Equal(t, uint32(progressPromise.Milliseconds()), lastHint, "the drain's reports set the wait hint")
	for i := 1; i < len(checkpoints); i++ {
		assert.Greater(t, checkpoints[i], checkpoints[i-1], "the checkpoint advances: %v", checkpoints)
	}
	assert.Equal(t, uint32(windows.ERROR_SERVICE_SPECIFIC_ERROR), final.Win32ExitCode, "a service-specific exit code")
	assert.Equal(t, uint32(1), final.ServiceSpecificExitCode, "the demo's exit code: the drain reported failures\nlog:\n%s", log)

	// The stop reached the drain, and the drain was not cut short: the
	// commands that ran at the stop finished their 3 s.
	assert.GreaterOrEqual(t, drain, 2*time.Second, "the running commands finished")
	lines := strings.Split(strings.TrimSpace(log), "\n")
	order := []string{"ctrlc-demo (pid ", "received terminate, shutting down…", "Worker loop done.", "draining ",
		"Dropped the worker pool: no worker left running.", "report: ", "Good bye!"}
	last := -1
	for _, want := range order {
		i := lineIndex(lines, want)
		require.Greater(t, i, last, "%q in order; log:\n%s", want, log)
		last = i
	}
	assert.NotContains(t, log, "cancelled after", "no command was cut short")
	assert.NotContains(t, log, "telling the supervisor", "no status report failed")
	r := serviceReport.FindStringSubmatch(lines[lineIndex(lines, "report: ")])
	require.NotNil(t, r, "report line; log:\n%s", log)
	n := make([]int, len(r)-1)
	for i := range n {
		n[i], _ = strconv.Atoi(r[i+1])
	}
	emitted, completed, failed, panicked, queued, interrupted, abandoned := n[0], n[1], n[2], n[3], n[4], n[5], n[6]
	assert.GreaterOrEqual(t, completed+failed, 2, "the running commands ran to their end")
	assert.Positive(t, failed, "every second command fails")
	assert.Zero(t, panicked)
	assert.Zero(t, interrupted+abandoned)
	assert.GreaterOrEqual(t, queued, 10, "the queued commands were kept")
	assert.Equal(t, emitted, completed+failed+queued, "every command accounted for")

	// The -unprocessed file holds every command that did not run.
	f, err := os.Open(unprocessedFile)
	require.NoError(t, err)
	defer f.Close()
	var kept int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var cmd Command
		require.NoError(t, json.Unmarshal(sc.Bytes(), &cmd), "line %q", sc.Text())
		require.Positive(t, cmd.ID)
		kept++
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, queued, kept, "one line per queued command")
	assert.Contains(t, log, fmt.Sprintf("not done: %d commands, saved to %s", queued, unprocessedFile))
}

var serviceReport = regexp.MustCompile(`^report: (\d+) commands received: (\d+) completed, (\d+) failed, (\d+) panicked, (\d+) queued, (\d+) interrupted, (\d+) abandoned$`)

// progressPromise is how soon the demo promises its next progress report
// while it stops (service.Progress in main.go): the StopPending wait hint.
const progressPromise = 5 * time.Second

// queryStatus reads the service's status with QueryServiceStatusEx:
// mgr.Service.Query leaves CheckPoint and WaitHint out.
func queryStatus(s *mgr.Service) (windows.SERVICE_STATUS_PROCESS, error) {
	var st windows.SERVICE_STATUS_PROCESS
	var needed uint32
	err := windows.QueryServiceStatusEx(s.Handle, windows.SC_STATUS_PROCESS_INFO,
		(*byte)(unsafe.Pointer(&st)), uint32(unsafe.Sizeof(st)), &needed)
	return st, err
}

// waitState polls the status until it is state, and returns each distinct
// status seen on the way, the last one in state.
func waitState(t *testing.T, s *mgr.Service, state uint32, timeout time.Duration) []windows.SERVICE_STATUS_PROCESS {
	t.Helper()
	var seen []windows.SERVICE_STATUS_PROCESS
	deadline := time.Now().Add(timeout)
	for {
		st, err := queryStatus(s)
		require.NoError(t, err, "QueryServiceStatusEx")
		st.ProcessId = 0 // gone at the end: not a change worth recording
		if len(seen) == 0 || st != seen[len(seen)-1] {
			seen = append(seen, st)
		}
		if st.CurrentState == state {
			return seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("service not in state %d after %v; statuses: %+v", state, timeout, seen)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// removeService stops the service if it still runs, ending its process if it
// does not stop, and deletes it.
func removeService(t *testing.T, s *mgr.Service) {
	defer s.Close()
	if st, err := queryStatus(s); err == nil && st.CurrentState != windows.SERVICE_STOPPED {
		_, _ = s.Control(svc.Stop)
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if st, err = queryStatus(s); err != nil || st.CurrentState == windows.SERVICE_STOPPED {
				break
			}
		}
		if err == nil && st.CurrentState != windows.SERVICE_STOPPED && st.ProcessId != 0 {
			if h, err := windows.OpenProcess(windows.PROCESS_TERMINATE, false, st.ProcessId); err == nil {
				_ = windows.TerminateProcess(h, 1)
				windows.CloseHandle(h)
			}
		}
	}
	assert.NoError(t, s.Delete(), "deleting the service")
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	return strings.ReplaceAll(string(data), "\r\n", "\n")
}
