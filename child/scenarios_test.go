package child_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ctrlc-go/ctrlc/child"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// self returns child.Command(ctx, ...) for this test binary, run again as
// the child scenario name with args.
func self(ctx context.Context, name string, args ...string) *exec.Cmd {
	s := ctrlctest.Self(name, args...)
	cmd := child.Command(ctx, s.Path, s.Args[1:]...)
	cmd.Env = s.Env
	return cmd
}

// startAndRead starts cmd with start and returns the first line it prints.
func startAndRead(cmd *exec.Cmd, start func(*exec.Cmd) error) (string, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := start(cmd); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("reading the first line of %v: %w", cmd.Args, err)
	}
	return strings.TrimSpace(line), nil
}

// waitFile waits, a bounded time, for the file name to exist.
func waitFile(name string) bool {
	for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(name); err == nil {
			return true
		}
	}
	return false
}

func result(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// lifetime is how long a child that nobody stops runs: longer than any of
// the tests' bounded waits for it to end, so that a child that was not
// stopped fails the test (and is killed when the test ends).
const lifetime = 4 * waitTimeout

// childWorker is an item's program: it prints "working", waits until the
// test has sent its signal (the file sent in dir), works for a second more,
// and records that it finished (the file name.done in dir).
func childWorker() int {
	a := scenarioArgs
	dir, name := a[0], a[1]
	fmt.Println("working", os.Getpid())
	if !waitFile(filepath.Join(dir, "sent")) {
		fmt.Fprintln(os.Stderr, "worker: the test sent nothing")
		return 1
	}
	time.Sleep(time.Second) // the rest of the work
	if err := os.WriteFile(filepath.Join(dir, name+".done"), []byte("done"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	return 0
}

// childParent runs n workers with child.Start and one, the control, with
// exec.Cmd's own Start (so in this program's process group), prints "ready"
// and their pids, and waits for an interrupt. Then it drains: it waits for
// every worker and the control, and prints how each ended.
func childParent() int {
	acceptCtrlC()
	a := scenarioArgs
	dir := a[0]
	n, _ := strconv.Atoi(a[1])
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	var cmds []*exec.Cmd
	defer func() {
		for _, cmd := range cmds {
			if cmd.ProcessState == nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		}
	}()
	var pids []string
	for i := 0; i <= n; i++ {
		var cmd *exec.Cmd
		start := child.Start
		if i < n {
			cmd = self(context.Background(), "worker", dir, fmt.Sprintf("w%d", i))
		} else {
			cmd, start = ctrlctest.Self("worker", dir, "control"), (*exec.Cmd).Start
		}
		if _, err := startAndRead(cmd, start); err != nil {
			fmt.Println("start:", err)
			return 1
		}
		cmds = append(cmds, cmd)
		pids = append(pids, strconv.Itoa(cmd.Process.Pid))
	}
	fmt.Println("ready", strings.Join(pids, " "))
	select {
	case <-c:
	case <-time.After(waitTimeout):
		fmt.Println("no interrupt")
		return 1
	}
	fmt.Println("interrupted: draining")
	for i, cmd := range cmds {
		name := fmt.Sprintf("w%d", i)
		if i == n {
			name = "control"
		}
		fmt.Printf("%s: %s\n", name, result(cmd.Wait()))
	}
	return 0
}

// childProc prints "working" and its pid and, with kids "1", starts a
// grandchild (the same scenario, named name.g, with exec.Cmd's Start, so in
// this program's group) and prints its pid too. Mode "polite": at the first
// stop signal it records it (the file name.stopped in dir holds its name),
// waits for the grandchild, and exits 0. Mode "deaf": it takes the stop
// signals and does nothing. Either way it exits 1 after lifetime.
func childProc() int {
	a := scenarioArgs
	mode, dir, name, kids := a[0], a[1], a[2], a[3]
	c := make(chan os.Signal, 1)
	signal.Notify(c, stopSignals...)
	line := fmt.Sprint("working ", os.Getpid())
	var kid *exec.Cmd
	if kids == "1" {
		kid = ctrlctest.Self("proc", mode, dir, name+".g", "0")
		l, err := startAndRead(kid, (*exec.Cmd).Start)
		if err != nil {
			fmt.Println("start:", err)
			return 1
		}
		line += " " + strings.Fields(l)[1]
	}
	fmt.Println(line)
	timeout := time.After(lifetime)
	for {
		select {
		case s := <-c:
			if mode == "deaf" {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, name+".stopped"), []byte(s.String()), 0o600); err != nil {
				fmt.Fprintln(os.Stderr, "proc:", err)
				return 1
			}
			if kid != nil {
				_ = kid.Wait()
			}
			return 0
		case <-timeout:
			return 1
		}
	}
}

// childKillParent starts n deaf children (args: n, kids for childProc) with
// child.Start, prints "ready" and every pid they printed, and waits to be
// killed.
func childKillParent() int {
	a := scenarioArgs
	n, _ := strconv.Atoi(a[0])
	kids := a[1]
	var pids []string
	for i := 0; i < n; i++ {
		cmd := self(context.Background(), "proc", "deaf", os.TempDir(), fmt.Sprintf("k%d", i), kids)
		l, err := startAndRead(cmd, child.Start)
		if err != nil {
			fmt.Println("start:", err)
			return 1
		}
		pids = append(pids, strings.Fields(l)[1:]...)
	}
	fmt.Println("ready", strings.Join(pids, " "))
	time.Sleep(waitTimeout)
	fmt.Println("not killed")
	return 1
}

// childGreet is the program of the package's example.
func childGreet() int {
	fmt.Println("hello from a child program")
	return 0
}
