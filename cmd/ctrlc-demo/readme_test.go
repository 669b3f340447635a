//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's demo section and CONTRIBUTING's list of CI steps are checked
// here against what they describe.

// repoFile reads a file of the repository, two levels up.
func repoFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", name))
	if os.IsNotExist(err) {
		t.Skipf("%s is not here (%v): the test needs the repository", name, err)
	}
	require.NoError(t, err)
	return strings.ReplaceAll(string(data), "\r\n", "\n")
}

// readmeDemo returns the README's demo section.
func readmeDemo(t *testing.T) string {
	t.Helper()
	readme := repoFile(t, "README.md")
	_, demo, ok := strings.Cut(readme, "\n## The demo\n")
	require.True(t, ok, "README has no demo section")
	demo, _, _ = strings.Cut(demo, "\n## ")
	return demo
}

// TestReadmeListsEveryFlag: the README names every flag -h lists, and no
// other.
func TestReadmeListsEveryFlag(t *testing.T) {
	var help bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &help)
	require.Error(t, err)
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  (-[a-z-]+)`).FindAllStringSubmatch(help.String(), -1) {
		flags = append(flags, m[1])
	}
	demo := readmeDemo(t)
	var listed []string
	for _, m := range regexp.MustCompile("`(-[a-z-]+)[` ]").FindAllStringSubmatch(demo, -1) {
		if m[1] != "-h" && !slices.Contains(listed, m[1]) {
			listed = append(listed, m[1])
		}
	}
	slices.Sort(flags)
	slices.Sort(listed)
	assert.Equal(t, flags, listed, "the README's demo section names every flag of -h, and no other")
}

// TestReadmeTranscript runs the demo the way the README's transcript does,
// with two Ctrl-Cs, and finds each of the transcript's lines in what it
// prints, in order, numbers aside.
func TestReadmeTranscript(t *testing.T) {
	needDemo(t)
	demo := readmeDemo(t)
	m := regexp.MustCompile("(?s)```sh\n.*?\n(/tmp/ctrlc-demo [^#\n]*?)\\s*#.*?```\n+```\n(.*?)```").FindStringSubmatch(demo)
	require.NotNil(t, m, "the README shows the command and then its transcript")
	args := strings.Fields(m[1])[1:]
	for i, a := range args {
		if strings.HasPrefix(a, "/tmp/") {
			args[i] = filepath.Join(t.TempDir(), filepath.Base(a))
		}
	}
	cmd := exec.Command(demoPath, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	time.Sleep(1300 * time.Millisecond) // as in the transcript: 1.3 s, then 1.6 s
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	time.Sleep(1600 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, syscall.SIGINT, ee.Sys().(syscall.WaitStatus).Signal(), "the demo ends by the Ctrl-C")

	got := out.String()
	at := 0
	for _, line := range strings.Split(strings.TrimSpace(m[2]), "\n") {
		line = strings.TrimPrefix(line, "^C") // the terminal's echo of Ctrl-C
		if strings.TrimSpace(line) == "…" {
			continue
		}
		// Numbers differ from run to run (the pid, counts, durations, ids).
		pattern := regexp.QuoteMeta(line)
		pattern = regexp.MustCompile(`\d+(\\\.\d+)?(ns|µs|ms|s)\b`).ReplaceAllString(pattern, `DURATION`)
		pattern = regexp.MustCompile(`\d+(\\\.\d+)?`).ReplaceAllString(pattern, `\d+(\.\d+)?`)
		pattern = strings.ReplaceAll(pattern, "DURATION", `[0-9.]+(ns|µs|ms|s)`)
		pattern = strings.ReplaceAll(pattern, `/tmp/left\.jsonl`, `\S+left\.jsonl`)
		loc := regexp.MustCompile("(?m)^" + pattern + "$").FindStringIndex(got[at:])
		if !assert.NotNil(t, loc, "the demo prints no line like the README's %q after what came before; output:\n%s", line, got) {
			return
		}
		at += loc[1]
	}
}

// TestContributingListsCISteps: CONTRIBUTING.md lists the steps of .ci/run,
// in order.
func TestContributingListsCISteps(t *testing.T) {
	list := strings.Join(strings.Fields(repoFile(t, "CONTRIBUTING.md")), " ")
	var steps []string
	for _, m := range regexp.MustCompile(`(?m)^step "([^"]+)"`).FindAllStringSubmatch(repoFile(t, ".ci/run"), -1) {
		steps = append(steps, m[1])
	}
	require.NotEmpty(t, steps)
	last := -1
	for i, step := range steps {
		item := strings.Fields(step)[0]
		at := strings.Index(list[last+1:], " "+strconv.Itoa(i+1)+". ")
		if assert.GreaterOrEqual(t, at, 0, "CONTRIBUTING lists step %d (%s)", i+1, step) {
			at += last + 1
			assert.Contains(t, strings.ToLower(list[at:min(len(list), at+200)]), strings.ToLower(strings.Trim(item, ":")), "step %d is %q", i+1, step)
			last = at
		}
	}
}
