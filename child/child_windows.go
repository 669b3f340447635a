package child

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

func supported() error { return nil }

// ownGroup returns a copy of attr (or new attributes) with
// CREATE_NEW_PROCESS_GROUP: the child leads a process group whose id is its
// pid, and ignores CTRL_C_EVENT (Windows sets that for a new group).
func ownGroup(attr *syscall.SysProcAttr) (*syscall.SysProcAttr, error) {
	a := syscall.SysProcAttr{}
	if attr != nil {
		a = *attr
	}
	a.CreationFlags |= windows.CREATE_NEW_PROCESS_GROUP
	return &a, nil
}

// askToStop is Command's Cancel: CTRL_BREAK_EVENT to the child's group;
// when the console refuses it (this program has no console; Wine), the job
// is terminated at once.
func askToStop(cmd *exec.Cmd) error {
	err := Signal(cmd, os.Interrupt)
	if err == nil || errors.Is(err, os.ErrProcessDone) {
		return err
	}
	if kerr := Signal(cmd, os.Kill); kerr != nil {
		return errors.Join(err, kerr)
	}
	return nil
}

// exitCodeKilled is the exit code of the processes the forced stop ends,
// the one os.Process.Kill gives.
const exitCodeKilled = 1

// A job is the job object of a child that Start started, with a handle to
// the child that keeps its pid, the id of its process group, from being
// given to another process.
type job struct {
	mu      sync.Mutex
	job     windows.Handle // closed, with proc, once done
	proc    windows.Handle
	exited  bool // the child has exited
	stopper bool // a forced stop is pending
	done    bool
}

// jobs holds the job of each running child that Start started.
var jobs sync.Map // *os.Process -> *job

// start starts cmd suspended, puts it in a new job object with
// JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, and only then lets it run, so that
// every process it starts is in the job too. The handle to the job is this
// program's only one: when this program ends, however it ends, Windows
// closes it and kills every process in the job.
func start(cmd *exec.Cmd) error {
	suspended := cmd.SysProcAttr.CreationFlags&windows.CREATE_SUSPENDED != 0 // the caller's wish
	cmd.SysProcAttr.CreationFlags |= windows.CREATE_SUSPENDED
	h, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return fmt.Errorf("child.Start: CreateJobObject: %w", err)
	}
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(h, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(h)
		return fmt.Errorf("child.Start: SetInformationJobObject: %w", err)
	}
	err = cmd.Start()
	if !suspended {
		cmd.SysProcAttr.CreationFlags &^= windows.CREATE_SUSPENDED
	}
	if err != nil {
		windows.CloseHandle(h)
		return err
	}
	j := &job{job: h}
	if err := j.adopt(uint32(cmd.Process.Pid), !suspended); err != nil {
		// The child has not run: end it, and release what Start made.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		j.close()
		return fmt.Errorf("child.Start: %s (pid %d): %w", cmdName(cmd), cmd.Process.Pid, err)
	}
	jobs.Store(cmd.Process, j)
	go j.watch(cmd.Process)
	return nil
}

// adopt opens the suspended child pid (cmd.Process's handle keeps the pid
// its own meanwhile), assigns it to the job and, when resume is set,
// resumes its first thread.
func (j *job) adopt(pid uint32, resume bool) error {
	const access = windows.PROCESS_SET_QUOTA | windows.PROCESS_TERMINATE | windows.SYNCHRONIZE | windows.PROCESS_QUERY_LIMITED_INFORMATION
	p, err := windows.OpenProcess(access, false, pid)
	if err != nil {
		return fmt.Errorf("OpenProcess: %w", err)
	}
	j.proc = p
	if err := windows.AssignProcessToJobObject(j.job, p); err != nil {
		return fmt.Errorf("AssignProcessToJobObject: %w", err)
	}
	if resume {
		return resumeThreads(pid)
	}
	return nil
}

// resumeThreads resumes the threads of the suspended process pid: its first
// thread, the only one it has (exec.Cmd keeps no handle to it).
func resumeThreads(pid uint32) error {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPTHREAD, 0)
	if err != nil {
		return fmt.Errorf("CreateToolhelp32Snapshot: %w", err)
	}
	defer windows.CloseHandle(snap)
	te := windows.ThreadEntry32{Size: uint32(unsafe.Sizeof(windows.ThreadEntry32{}))}
	n := 0
	for err = windows.Thread32First(snap, &te); err == nil; err = windows.Thread32Next(snap, &te) {
		if te.OwnerProcessID != pid {
			continue
		}
		t, oerr := windows.OpenThread(windows.THREAD_SUSPEND_RESUME, false, te.ThreadID)
		if oerr != nil {
			return fmt.Errorf("OpenThread(%d): %w", te.ThreadID, oerr)
		}
		_, rerr := windows.ResumeThread(t)
		windows.CloseHandle(t)
		if rerr != nil {
			return fmt.Errorf("ResumeThread(%d): %w", te.ThreadID, rerr)
		}
		n++
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return fmt.Errorf("Thread32Next: %w", err)
	}
	if n == 0 {
		return errors.New("no thread to resume")
	}
	return nil
}

// watch waits for the child to exit. Then, unless a forced stop is pending,
// the job is closed: what the child left running is left alone (the job no
// longer kills on close), as on Unix.
func (j *job) watch(p *os.Process) {
	_, _ = windows.WaitForSingleObject(j.proc, windows.INFINITE)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.exited = true
	if j.stopper || j.done {
		return
	}
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION // no limits
	_, _ = windows.SetInformationJobObject(j.job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)))
	j.finish(p)
}

// finish closes the handles; j.mu is held.
func (j *job) finish(p *os.Process) {
	j.done = true
	jobs.Delete(p)
	j.close()
}

func (j *job) close() {
	windows.CloseHandle(j.job)
	if j.proc != 0 {
		windows.CloseHandle(j.proc)
	}
}

// terminate ends every process in the job; j.mu is held.
func (j *job) terminate() error {
	if j.done {
		return os.ErrProcessDone
	}
	return windows.TerminateJobObject(j.job, exitCodeKilled)
}

func signalGroup(cmd *exec.Cmd, sig os.Signal) error {
	j, _ := jobs.Load(cmd.Process)
	switch sig {
	case os.Kill:
		if j == nil {
			return cmd.Process.Kill()
		}
		j := j.(*job)
		j.mu.Lock()
		defer j.mu.Unlock()
		return j.terminate()
	case os.Interrupt, syscall.SIGTERM:
		if j != nil {
			// Holding j.mu keeps the handle, and so the group id, ours.
			j := j.(*job)
			j.mu.Lock()
			defer j.mu.Unlock()
			if j.done {
				return os.ErrProcessDone
			}
		}
		if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(cmd.Process.Pid)); err != nil {
			return fmt.Errorf("GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT): %w", err)
		}
		return nil
	}
	return fmt.Errorf("windows sends only os.Interrupt, syscall.SIGTERM (both CTRL_BREAK_EVENT) and os.Kill to a child: %w", errors.ErrUnsupported)
}

// track has nothing to do on Windows: when the program ends, however it
// ends, Windows closes the job's handle and kills what is in it.
func track(*os.Process) {}

// killAll terminates the job of every child still running or whose forced
// stop is pending: those are the jobs still held.
func killAll() {
	jobs.Range(func(_, v any) bool {
		j := v.(*job)
		j.mu.Lock()
		_ = j.terminate()
		j.mu.Unlock()
		return true
	})
}

// forceStopAfter terminates the child's job grace from now, unless the
// child had exited before (then what it left is left alone).
func forceStopAfter(cmd *exec.Cmd, grace time.Duration) {
	v, _ := jobs.Load(cmd.Process)
	if v == nil {
		return
	}
	j := v.(*job)
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.exited || j.done || j.stopper {
		return
	}
	j.stopper = true
	p := cmd.Process
	time.AfterFunc(grace, func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		_ = j.terminate()
		if j.exited {
			j.finish(p)
			return
		}
		// The job is terminated: the child exits now, and watch closes it.
		j.stopper = false
	})
}
