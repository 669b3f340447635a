//go:build windows

package ctrlc_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/ctrlc-go/ctrlc/internal/testkit"
	"github.com/ctrlc-go/ctrlc/internal/wine"
	"golang.org/x/sys/windows"
)

// The hidden window from outside: child programs (the test binary again,
// running childWinWindow of window_windows_test.go) get the real thing:
// taskkill's WM_CLOSE, the end of a Wine session from wineboot, and the same
// in a GUI-subsystem build (-ldflags=-H=windowsgui), which has no console.
// The children write what they see to a marker file, line by line and
// synced, so that what a child wrote before it was killed can be read.

// tempDir is testkit.TempDir for files that a killed child had open. Wine
// closes the handles of a process that TerminateProcess ended (taskkill /F,
// wineboot, ctrlctest's Send) a moment after the process is signalled, up
// to a second later; until then os.Remove only marks such a file for
// deletion, and the directory is not empty when TempDir removes it. The
// files are removed first here, once the children are gone (clean-ups run
// last registered first), and waited for.
func tempDir(t *testing.T) string {
	t.Helper()
	dir := testkit.TempDir(t)
	t.Cleanup(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			name := filepath.Join(dir, e.Name())
			os.Remove(name)
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(name); err != nil {
					break
				}
			}
		}
	})
	return dir
}

// windowChild returns a command that runs childWinWindow from exe (the test
// binary when ""), listening to kinds, with its marker file and settings.
func windowChild(t *testing.T, exe, kinds, file string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := ctrlctest.Self("win-window")
	if exe != "" {
		cmd.Path, cmd.Args[0] = exe, exe
	}
	cmd.Env = append(cmd.Env, ctrlc.HoldKindEnv+"="+kinds, ctrlc.ChildFileEnv+"="+file)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// marker returns the lines of a child's marker file after its first
// ("ready ...") line, which it checks.
func marker(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading the child's marker file: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "ready ") {
		t.Fatalf("the marker file does not begin with ready:\n%s", b)
	}
	return lines[1:]
}

// wantLines fails the test unless got is want, line by line.
func wantLines(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// taskkill runs Windows' taskkill (Wine's under Wine) with args and returns
// what it printed; it fails the test when taskkill fails.
func taskkill(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("taskkill", args...).CombinedOutput()
	s := strings.TrimSpace(strings.ReplaceAll(string(out), "\r\n", "\n"))
	t.Logf("taskkill %s: %s", strings.Join(args, " "), s)
	if err != nil {
		t.Fatalf("taskkill %s: %v\n%s", strings.Join(args, " "), err, s)
	}
	return s
}

// wantDrained checks that a child got event, drained inside the hold, saw
// no other event and exited by itself with exit code 0.
func wantDrained(t *testing.T, c *ctrlctest.Process, file, event string) {
	t.Helper()
	st := c.Wait()
	if st.Code != 0 {
		t.Fatalf("child %v; want exit code 0; output:\n%s", st, c.Output())
	}
	wantLines(t, "the child's marker file", marker(t, file),
		"got "+event, "drain done before the deadline", "events: 1", "exiting")
}

// TestWindowTaskkill: taskkill /PID without /F sends WM_CLOSE to the
// process's top-level windows: the hidden window turns it into a Close
// event, and the program drains (500 ms) and exits by itself. A console
// program had no window for it, and only /F worked.
func TestWindowTaskkill(t *testing.T) {
	file := filepath.Join(tempDir(t), "marker.txt")
	c := ctrlctest.Start(t, windowChild(t, "", "close", file, ctrlc.WindowEndEnv+"=exit"))
	if ready := c.WaitFor("ready"); !strings.Contains(ready, "subsystem console") || !strings.HasSuffix(ready, "windows 1") {
		t.Fatalf("the child says %q; want a console program with one window", ready)
	}
	pid := strconv.Itoa(c.Pid())
	if out := taskkill(t, "/PID", pid); !strings.Contains(out, pid) {
		t.Errorf("taskkill printed %q, which does not name pid %s", out, pid)
	}
	wantDrained(t, c, file, "close (WM_CLOSE)")
}

// TestWindowTaskkillImage: taskkill /IM name.exe, the same by the program's
// name (a copy of the test binary under a name of its own, so that no other
// process is named so).
func TestWindowTaskkillImage(t *testing.T) {
	dir := tempDir(t)
	name := fmt.Sprintf("ctrlc-taskkill-%d.exe", os.Getpid())
	exe := filepath.Join(dir, name)
	copyFile(t, os.Args[0], exe)
	file := filepath.Join(dir, "marker.txt")
	c := ctrlctest.Start(t, windowChild(t, exe, "close", file, ctrlc.WindowEndEnv+"=exit"))
	c.WaitFor("ready")
	if out := taskkill(t, "/IM", name); !strings.Contains(out, strconv.Itoa(c.Pid())) {
		t.Errorf("taskkill printed %q, which does not name pid %d", out, c.Pid())
	}
	wantDrained(t, c, file, "close (WM_CLOSE)")
}

// TestWindowTaskkillForce: taskkill /F ends the program at once, and no event
// arrives (nothing can catch TerminateProcess).
func TestWindowTaskkillForce(t *testing.T) {
	file := filepath.Join(tempDir(t), "marker.txt")
	c := ctrlctest.Start(t, windowChild(t, "", "close", file, ctrlc.WindowEndEnv+"=exit"))
	c.WaitFor("ready")
	taskkill(t, "/F", "/PID", strconv.Itoa(c.Pid()))
	st := c.Wait()
	if got := marker(t, file); len(got) != 0 || c.Count("got ") != 0 {
		t.Fatalf("child %v after taskkill /F wrote:\n%s\nwant nothing after ready", st, strings.Join(got, "\n"))
	}
	t.Logf("child %v", st)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// needWineboot skips the test where there is no wineboot to end the session
// with.
func needWineboot(t *testing.T) {
	t.Helper()
	if _, underWine := wine.Version(); !underWine {
		t.Skip("the end of a session comes from wineboot --end-session under Wine; on Windows it would log the test's user off: " +
			"TestWindowEndSession* (package ctrlc) send WM_QUERYENDSESSION and WM_ENDSESSION in process, and only a real logoff or shutdown shows " +
			"ENDSESSION_LOGOFF, the shutdown block reason and how long Windows waits for WM_ENDSESSION")
	}
}

// TestWindowEndSessionWineboot: wineboot --end-session sends the program's
// windows WM_QUERYENDSESSION, then WM_ENDSESSION, and kills the program once
// WM_ENDSESSION returns. The program sees one event (Shutdown: Wine's lParam
// is always 0, never ENDSESSION_LOGOFF), drains inside the hold, and is
// killed when its listener stops and the hold ends. Its marker file is
// whole. Wine's ShutdownBlockReasonCreate is a stub that fails; nothing
// shows whether the reason was given.
func TestWindowEndSessionWineboot(t *testing.T) {
	needWineboot(t)
	testEndSession(t, func(file string) *exec.Cmd { return windowChild(t, "", "logoff,shutdown", file) })
}

// testEndSession ends the session of the child that child makes, alone on
// a desktop.
func testEndSession(t *testing.T, child func(file string) *exec.Cmd) {
	t.Helper()
	dir := tempDir(t)
	file := filepath.Join(dir, "marker.txt")
	c := startOnDesktop(t, dir, child(file))
	c.waitFor(file, "ready")
	out, code, took := c.run("wineboot.exe", "--end-session", "--shutdown")
	ended := c.wait()
	t.Logf("wineboot --end-session --shutdown: exit code %d after %v; output %q", code, took.Round(time.Millisecond), out)
	got := marker(t, file)
	if c.code != 0 || code != 0 {
		t.Fatalf("child exit code %d, wineboot's %d; want 0 and 0 (wineboot kills the program with exit code 0); child output:\n%s\nmarker file:\n%s",
			c.code, code, c.output(), strings.Join(got, "\n"))
	}
	wantLines(t, "the child's marker file", got,
		"got shutdown (WM_QUERYENDSESSION)", "drain done before the deadline", "events: 1", "stopping")
	// The hold ended with Stop, and wineboot killed the program as
	// WM_ENDSESSION returned.
	if d := ended.Sub(c.stopped()); d < 0 || d > time.Second {
		t.Errorf("the child ended %v after it stopped listening; want within a second", d)
	} else {
		t.Logf("the child ended %v after it stopped listening", d.Round(time.Millisecond))
	}
}

// TestWindowEndSessionGraceWineboot: a drain longer than the close grace is
// cut short at the grace: WM_ENDSESSION returns and wineboot kills the
// program.
func TestWindowEndSessionGraceWineboot(t *testing.T) {
	needWineboot(t)
	dir := tempDir(t)
	file := filepath.Join(dir, "marker.txt")
	c := startOnDesktop(t, dir, windowChild(t, "", "shutdown", file, ctrlc.HoldGraceEnv+"=1s", ctrlc.HoldWorkEnv+"=3s"))
	c.waitFor(file, "ready")
	out, code, took := c.run("wineboot.exe", "--end-session", "--shutdown")
	c.wait()
	t.Logf("wineboot --end-session --shutdown: exit code %d after %v; output %q", code, took.Round(time.Millisecond), out)
	wantLines(t, "the child's marker file", marker(t, file), "got shutdown (WM_QUERYENDSESSION)")
	if c.code != 0 || code != 0 || took < 900*time.Millisecond || took > 2500*time.Millisecond {
		t.Fatalf("child exit code %d, wineboot's %d after %v; want both 0 after about the 1 s grace", c.code, code, took)
	}
	t.Logf("wineboot ended the program at the 1 s grace")
}

// guiBinary returns this test binary built with -ldflags=-H=windowsgui: the
// one scripts/wine-test.sh builds (Wine has no go command), or one built
// here when go is on PATH.
func guiBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CTRLC_GUI_TEST_BIN"); p != "" {
		return p
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no GUI-subsystem build of this test binary: set CTRLC_GUI_TEST_BIN, as scripts/wine-test.sh does, or put go on PATH (%v)", err)
	}
	exe := filepath.Join(tempDir(t), "ctrlc-gui.test.exe")
	if out, err := exec.Command(goCmd, "test", "-c", "-ldflags=-H=windowsgui", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go test -c -ldflags=-H=windowsgui: %v\n%s", err, out)
	}
	return exe
}

// guiChild is windowChild for the GUI-subsystem build. Wine attaches a
// GUI-subsystem child to its parent's console, which Windows does not:
// DETACHED_PROCESS leaves it without one there too.
func guiChild(t *testing.T, exe, kinds, file string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := windowChild(t, exe, kinds, file, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.DETACHED_PROCESS}
	return cmd
}

// TestWindowGUISubsystem: a program built with -H=windowsgui has no
// console, and listening works there too: taskkill and the end of the
// session reach it through the window, and a console event injected as the
// console does it (CtrlRoutine) still reaches the console handler, which is
// registered without a console.
func TestWindowGUISubsystem(t *testing.T) {
	exe := guiBinary(t)
	const noConsole = "subsystem gui console none windows 1"
	t.Run("taskkill", func(t *testing.T) {
		file := filepath.Join(tempDir(t), "marker.txt")
		c := ctrlctest.Start(t, guiChild(t, exe, "close", file, ctrlc.WindowEndEnv+"=exit"))
		if ready := c.WaitFor("ready"); !strings.Contains(ready, noConsole) {
			t.Fatalf("the child says %q; want %q", ready, noConsole)
		}
		taskkill(t, "/PID", strconv.Itoa(c.Pid()))
		wantDrained(t, c, file, "close (WM_CLOSE)")
	})
	t.Run("end-session", func(t *testing.T) {
		needWineboot(t)
		testEndSession(t, func(file string) *exec.Cmd { return guiChild(t, exe, "logoff,shutdown", file) })
	})
	t.Run("injected", func(t *testing.T) {
		file := filepath.Join(tempDir(t), "marker.txt")
		c := ctrlctest.Start(t, guiChild(t, exe, "close", file))
		if ready := c.WaitFor("ready"); !strings.Contains(ready, noConsole) {
			t.Fatalf("the child says %q; want %q", ready, noConsole)
		}
		c.Send(ctrlc.Close) // CtrlRoutine(CTRL_CLOSE_EVENT); ends the child as Windows does once the hold ends
		st := c.Wait()
		wantLines(t, "the child's marker file", marker(t, file),
			"got close (CTRL_CLOSE_EVENT)", "drain done before the deadline", "events: 1", "stopping")
		if uint32(st.Code) != ctrlctest.StatusControlCExit {
			t.Fatalf("child %v; want STATUS_CONTROL_C_EXIT once the hold ended; output:\n%s", st, c.Output())
		}
	})
}

// desktopProcess is a child on a desktop of its own. wineboot --end-session
// ends every program with a window on the desktop it runs on, and the test
// binaries of other packages that run meanwhile have windows too (a
// listener's): the child and wineboot share a desktop that nothing else
// uses. exec.Cmd cannot choose a desktop, so CreateProcess does it here.
type desktopProcess struct {
	t       *testing.T
	desktop windows.Handle // inherited by the child and by what run runs
	dir     string         // for the output files
	handle  windows.Handle
	out     string // the file that gets the child's standard output and error
	done    chan struct{}
	endedAt time.Time // set before done is closed
	code    uint32    // likewise
}

var desktops atomic.Int32

// startOnDesktop starts cmd (its Path, Args, Env and creation flags; nothing
// else) on a new desktop, with its output in a file of dir.
func startOnDesktop(t *testing.T, dir string, cmd *exec.Cmd) *desktopProcess {
	t.Helper()
	p := &desktopProcess{t: t, dir: dir, done: make(chan struct{})}
	p.out = filepath.Join(dir, "child-output.txt")
	name := fmt.Sprintf("ctrlc-test-%d-%d", os.Getpid(), desktops.Add(1))
	var err error
	if p.desktop, err = createDesktop(name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { procCloseDesktop.Call(uintptr(p.desktop)) })
	var flags uint32
	if cmd.SysProcAttr != nil {
		flags = cmd.SysProcAttr.CreationFlags
	}
	p.handle, err = createOnDesktop(p.desktop, p.out, cmd.Path, cmd.Args[1:], cmd.Env, flags)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		windows.WaitForSingleObject(p.handle, windows.INFINITE)
		p.endedAt = time.Now()
		windows.GetExitCodeProcess(p.handle, &p.code)
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			windows.TerminateProcess(p.handle, 1)
			<-p.done
		}
		windows.CloseHandle(p.handle)
	})
	return p
}

var (
	procCreateDesktopW = windows.NewLazySystemDLL("user32.dll").NewProc("CreateDesktopW")
	procCloseDesktop   = windows.NewLazySystemDLL("user32.dll").NewProc("CloseDesktop")
)

// createDesktop makes a desktop and returns an inheritable handle to it.
func createDesktop(name string) (windows.Handle, error) {
	n, _ := windows.UTF16PtrFromString(name)
	sa := windows.SecurityAttributes{InheritHandle: 1}
	sa.Length = uint32(unsafe.Sizeof(sa))
	const genericAll = 0x10000000
	h, _, err := procCreateDesktopW.Call(uintptr(unsafe.Pointer(n)), 0, 0, 0, genericAll, uintptr(unsafe.Pointer(&sa)))
	if h == 0 {
		return 0, fmt.Errorf("CreateDesktopW(%q): %w", name, err)
	}
	return windows.Handle(h), nil
}

// createOnDesktop runs exe with args, env and the creation flags on the
// desktop, its standard output and error going to the file out. The child
// inherits the desktop's handle: Wine gives a new process the desktop of
// the thread that creates it, when that thread has one (this test's threads
// have one as soon as they used a window), and an inherited desktop handle
// before both that and STARTUPINFO's lpDesktop.
func createOnDesktop(desktop windows.Handle, out, exe string, args, env []string, flags uint32) (windows.Handle, error) {
	exe, err := filepath.Abs(exe) // under Wine, Z:\... for a Unix path
	if err != nil {
		return 0, err
	}
	name, _ := windows.UTF16PtrFromString(out)
	sa := windows.SecurityAttributes{InheritHandle: 1}
	sa.Length = uint32(unsafe.Sizeof(sa))
	f, err := windows.CreateFile(name, windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		&sa, windows.CREATE_ALWAYS, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return 0, fmt.Errorf("creating %s: %w", out, err)
	}
	defer windows.CloseHandle(f)
	// Only f and the desktop are inherited, whatever else the process
	// starts meanwhile.
	attrs, err := windows.NewProcThreadAttributeList(1)
	if err != nil {
		return 0, err
	}
	defer attrs.Delete()
	handles := []windows.Handle{f, desktop}
	if err := attrs.Update(windows.PROC_THREAD_ATTRIBUTE_HANDLE_LIST, unsafe.Pointer(&handles[0]), uintptr(len(handles))*unsafe.Sizeof(handles[0])); err != nil {
		return 0, err
	}
	var si windows.StartupInfoEx
	si.Cb = uint32(unsafe.Sizeof(si))
	si.Desktop, _ = windows.UTF16PtrFromString(desktopName(desktop))
	si.Flags = windows.STARTF_USESTDHANDLES
	si.StdOutput, si.StdErr = f, f
	si.ProcThreadAttributeList = attrs.List()
	cmdline, _ := windows.UTF16PtrFromString(windows.ComposeCommandLine(append([]string{exe}, args...)))
	var block []uint16
	for _, kv := range env {
		s, err := windows.UTF16FromString(kv)
		if err != nil {
			return 0, err
		}
		block = append(block, s...) // with its NUL
	}
	block = append(block, 0)
	var pi windows.ProcessInformation
	err = windows.CreateProcess(nil, cmdline, nil, nil, true, flags|windows.CREATE_UNICODE_ENVIRONMENT|windows.EXTENDED_STARTUPINFO_PRESENT,
		&block[0], nil, &si.StartupInfo, &pi)
	if err != nil {
		return 0, fmt.Errorf("CreateProcess %s on desktop %s: %w", exe, desktopName(desktop), err)
	}
	windows.CloseHandle(pi.Thread)
	return pi.Process, nil
}

// waitFor waits until the child's marker file has a line that begins with
// prefix.
func (p *desktopProcess) waitFor(file, prefix string) {
	p.t.Helper()
	deadline := time.Now().Add((30 * time.Second))
	for {
		b, _ := os.ReadFile(file)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, prefix) {
				return
			}
		}
		select {
		case <-p.done:
			p.t.Fatalf("the child ended (exit code %#x) without writing %q; output:\n%s", p.code, prefix, p.output())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no %q from the child after %v; output:\n%s", prefix, (30 * time.Second), p.output())
		}
	}
}

// run runs a program on the child's desktop and returns its output, its
// exit code and how long it ran.
func (p *desktopProcess) run(exe string, args ...string) (string, uint32, time.Duration) {
	p.t.Helper()
	out := filepath.Join(p.dir, "run-output.txt")
	path, err := exec.LookPath(exe)
	if err != nil {
		p.t.Fatal(err)
	}
	start := time.Now()
	h, err := createOnDesktop(p.desktop, out, path, args, os.Environ(), 0)
	if err != nil {
		p.t.Fatal(err)
	}
	defer windows.CloseHandle(h)
	if w, err := windows.WaitForSingleObject(h, uint32((30*time.Second)/time.Millisecond)); err != nil || w != windows.WAIT_OBJECT_0 {
		windows.TerminateProcess(h, 1)
		windows.WaitForSingleObject(h, windows.INFINITE)
		os.Remove(out)
		p.t.Fatalf("%s still runs after %v", exe, (30 * time.Second))
	}
	took := time.Since(start)
	var code uint32
	windows.GetExitCodeProcess(h, &code)
	b, _ := os.ReadFile(out)
	os.Remove(out)
	return strings.TrimSpace(string(b)), code, took
}

// wait waits for the child to end and returns when it did.
func (p *desktopProcess) wait() time.Time {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After((30 * time.Second)):
		p.t.Fatalf("the child still runs after %v; output:\n%s", (30 * time.Second), p.output())
	}
	return p.endedAt
}

func (p *desktopProcess) output() string {
	b, _ := os.ReadFile(p.out)
	return string(b)
}

// stopped returns when the child said it stopped listening (the time on its
// "stopping" line of standard output).
func (p *desktopProcess) stopped() time.Time {
	p.t.Helper()
	for _, l := range strings.Split(p.output(), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "stopping at "); ok {
			if ns, err := strconv.ParseInt(rest, 10, 64); err == nil {
				return time.Unix(0, ns)
			}
		}
	}
	p.t.Fatalf("no \"stopping at\" line in the child's output:\n%s", p.output())
	return time.Time{}
}

var procGetUserObjectInformationW = windows.NewLazySystemDLL("user32.dll").NewProc("GetUserObjectInformationW")

// desktopName returns the name of the desktop, as STARTUPINFO's lpDesktop
// wants it.
func desktopName(desktop windows.Handle) string {
	const uoiName = 2
	buf := make([]uint16, 256)
	var n uint32
	procGetUserObjectInformationW.Call(uintptr(desktop), uoiName, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)*2), uintptr(unsafe.Pointer(&n)))
	return windows.UTF16ToString(buf)
}
