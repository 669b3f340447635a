//go:build ignore

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ctrlc-go/ctrlc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's top half (the demo, the quick start, the CI description, the
// performance prose) is checked here against what it describes: code written
// from it must compile, and what it says about the demo, .ci/run and the
// benchmark table must be what they do and show.

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

// section returns the README's section that starts with heading, up to the
// next heading of the same or a higher level.
func section(t *testing.T, readme, heading string) string {
	t.Helper()
	start := strings.Index(readme, "\n"+heading+"\n")
	require.GreaterOrEqual(t, start, 0, "README has no %q", heading)
	rest := readme[start+len(heading)+2:]
	level := strings.Repeat("#", strings.Index(heading, " "))
	for i := 0; i < len(rest); {
		j := strings.Index(rest[i:], "\n#")
		if j < 0 {
			break
		}
		i += j + 1
		hashes := len(rest[i:]) - len(strings.TrimLeft(rest[i:], "#"))
		if hashes <= len(level) && !strings.HasPrefix(rest[i:], "#!") {
			return rest[:i]
		}
	}
	return rest
}

// prose joins the lines of text, so that a sentence wrapped over lines
// reads as one.
func prose(text string) string { return strings.Join(strings.Fields(text), " ") }

// codeBlocks returns the bodies of the fenced code blocks of the given
// language in text.
func codeBlocks(text, lang string) []string {
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(text, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// TestReadmeQuickStartCompiles compiles every Go block of the quick start as
// the body of a function, with what the blocks leave to the reader (handle,
// feed, a Command type) declared around them: code written from the README
// must build. The file is laid over the module with go build -overlay, so
// nothing is written into the repository.
func TestReadmeQuickStartCompiles(t *testing.T) {
	needDemo(t) // the go command is needed, as for building the demo
	if os.Getenv(demoEnv) != "" {
		t.Skipf("%s is set: no go command here", demoEnv)
	}
	blocks := codeBlocks(section(t, repoFile(t, "README.md"), "## Quick start"), "go")
	require.NotEmpty(t, blocks)
	var src strings.Builder
	src.WriteString(`package main

import (
	"context"
	"errors"
	"log"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
)

type Command struct{ ID int }

func handle(ctx context.Context, cmd Command) error { return nil }

func feed(p *pool.Pool[Command]) {}

var (
	_ = errors.New
	_ = log.Print
	_ = ctrlc.Notify
	_ = context.Background
)

func main() {}
`)
	for i, b := range blocks {
		fmt.Fprintf(&src, "\nfunc block%d() {\n%s}\n", i, b)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(file, []byte(src.String()), 0o644))
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	overlay := filepath.Join(dir, "overlay.json")
	virtual := filepath.Join(root, "cmd", "ctrlc-demo", "readmecheck", "main.go")
	require.NoError(t, os.WriteFile(overlay, fmt.Appendf(nil, `{"Replace":{%q:%q}}`, virtual, file), 0o644))
	cmd := exec.Command("go", "build", "-overlay", overlay, "-o", os.DevNull, "./cmd/ctrlc-demo/readmecheck")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the quick start's code does not compile:\n%s\n%s", out, src.String())
	assert.Contains(t, src.String(), "ctx, stop := ctrlc.NotifyContext(", "NotifyContext is shown with both its results")
}

// TestReadmeDemo checks the README's demo section against the demo: its
// flags, its defaults, its drain line and its balance equation.
func TestReadmeDemo(t *testing.T) {
	demo := section(t, repoFile(t, "README.md"), "## The demo")
	text := prose(demo)

	var help bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &help)
	require.Error(t, err)
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  (-[a-z-]+)`).FindAllStringSubmatch(help.String(), -1) {
		flags = append(flags, m[1])
	}
	_, list, ok := strings.Cut(text, "`-h` lists all flags: ")
	require.True(t, ok, "the README lists the flags")
	list, _, _ = strings.Cut(list, ".")
	var listed []string
	for _, m := range regexp.MustCompile("`(-[a-z-]+)`").FindAllStringSubmatch(list, -1) {
		listed = append(listed, m[1])
	}
	slices.Sort(flags)
	slices.Sort(listed)
	assert.Equal(t, flags, listed, "the README lists every flag of -h, and no other")

	c, err := parseFlags(nil, nil)
	require.NoError(t, err)
	sample := codeBlocks(demo, "")
	require.Len(t, sample, 2, "the README shows two runs of the demo")
	assert.Contains(t, sample[0], "$ ./ctrlc-demo\nctrlc-demo (pid ", "the first run has no flags")
	assert.Contains(t, sample[0], "): "+c.describe()+"; press Ctrl-C to stop\n", "the first run uses the defaults")
	assert.Regexp(t, `\nreport: \d+ commands received: \d+ completed, \d+ failed, \d+ panicked, \d+ unprocessed, \d+ interrupted, \d+ abandoned\n`, sample[0])
	assert.Contains(t, sample[0], "\n$ echo $?\n130\n", "a Ctrl-C ends the demo by SIGINT")

	args := []string{"-rate", "20", "-work", "2s", "-unprocessed", "left.jsonl"}
	assert.Contains(t, sample[1], "$ ./ctrlc-demo "+strings.Join(args, " ")+"\n")
	slow, err := parseFlags(args[:4], nil)
	require.NoError(t, err)
	assert.Contains(t, sample[1], "): "+slow.describe()+"; press Ctrl-C to stop\n")
	assert.Contains(t, sample[1], "\n"+queueFull(slow)+"\n")
	if runtime.GOOS != "windows" { // the sample run is Linux's: Windows names no SIGTERM
		unixKinds := []ctrlc.Kind{ctrlc.Interrupt, ctrlc.Terminate}
		// The queue is full when the Ctrl-C comes: the loop still waits
		// to hand over its command while the first draining lines print.
		assert.Regexp(t, `\ndraining [0-9.]+m?s: \d+ queued \(full: the receiver loop waits to hand over its last command\), \d+ in flight; `+
			regexp.QuoteMeta(forceHint(unixKinds, ctrlc.Event{Kind: ctrlc.Interrupt}, "left.jsonl"))+"\n", sample[1])
	}
	assert.Regexp(t, `\ninterrupt \(SIGINT\): the last word: \d+ of \d+ commands received done, (\d+) not done\nnot done: \d+ commands written to left.jsonl\n`, sample[1])
	assert.Contains(t, text, fmt.Sprintf("emits %s commands a second, a receiver loop hands each to a pool of %d workers, and each command takes %v ms",
		trimFloat(c.rate), c.workers, c.work.Milliseconds()))
	assert.Contains(t, text, fmt.Sprintf("%d workers finish at most %s commands a second", c.workers, roughly(c.capacity())))
	assert.Contains(t, text, "`"+balanceEquation+"`", "the README states the report's equation")
	assert.NotContains(t, strings.ToLower(text), "nothing is lost")
}

// TestReadmeCIRun: the README lists the steps of .ci/run, in order, in the
// words of their headers.
func TestReadmeCIRun(t *testing.T) {
	ci := prose(section(t, repoFile(t, "README.md"), "## Testing"))
	var steps []string
	for _, m := range regexp.MustCompile(`(?m)^step "([^"]+)"$`).FindAllStringSubmatch(repoFile(t, ".ci/run"), -1) {
		steps = append(steps, m[1])
	}
	require.NotEmpty(t, steps)
	last := -1
	for i, step := range steps {
		item := fmt.Sprintf("%d. %s", i+1, prose(step))
		at := strings.Index(ci, item)
		if assert.GreaterOrEqual(t, at, 0, "the README's list of .ci/run steps has %q", item) {
			assert.Greater(t, at, last, "%q in order", item)
			last = at
		}
	}
	assert.NotContains(t, ci, fmt.Sprintf("%d. ", len(steps)+1), "no step the script lacks")
	assert.Contains(t, repoFile(t, ".ci/run"), "go test -c -o /dev/null ./...", "test binaries leave nothing behind")
}

// benchTable is the README's performance table: for each benchmark row
// (name and metric), the cell of each column.
type benchTable struct {
	columns []string
	rows    []benchRow
}

type benchRow struct {
	name  string
	cells map[string]string
}

func parseBenchTable(t *testing.T, perf string) benchTable {
	t.Helper()
	var tb benchTable
	for _, line := range strings.Split(perf, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "|"), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case tb.columns == nil:
			tb.columns = cells
		case strings.HasPrefix(cells[0], "---"):
		default:
			require.Len(t, cells, len(tb.columns), "row %q", line)
			r := benchRow{name: cells[0] + " " + cells[1], cells: map[string]string{}}
			for i, c := range cells {
				r.cells[tb.columns[i]] = c
			}
			tb.rows = append(tb.rows, r)
		}
	}
	require.NotEmpty(t, tb.rows, "the README has a performance table")
	return tb
}

// ratio parses a cell like "1.43×"; ok is false for an empty cell.
func ratio(t *testing.T, cell string) (f float64, ok bool) {
	t.Helper()
	if cell == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(cell, "×"), 64)
	require.NoError(t, err, "cell %q", cell)
	return f, true
}

// TestReadmePerformanceProse derives from the table the claims the prose
// makes, and requires the prose to make exactly those: when the table is
// measured again, the prose must be read again.
func TestReadmePerformanceProse(t *testing.T) {
	perf := section(t, repoFile(t, "README.md"), "## Performance")
	tb := parseBenchTable(t, perf)
	table := perf[:strings.LastIndex(perf, "|")]
	text := prose(perf[strings.LastIndex(perf, "|")+1:])

	var perItem []benchRow
	for _, r := range tb.rows {
		if strings.HasPrefix(r.name, "Submit ") {
			perItem = append(perItem, r)
			assert.Equal(t, "0", r.cells["allocs/op"], "%s: no allocation per item", r.name)
		}
	}
	require.NotEmpty(t, perItem)
	name := func(r benchRow) string { return strings.TrimSuffix(r.name, " time/op") }

	// Each peer: faster in every per-item row, or in every row but those
	// named, with their ratio.
	for _, peer := range []struct{ col, name string }{
		{"÷ ants v2", "ants v2"}, {"÷ conc pool", "conc pool"}, {"÷ errgroup", "errgroup"}, {"÷ go per item", "a goroutine per item"},
	} {
		var slower []string
		for _, r := range perItem {
			if f, _ := ratio(t, r.cells[peer.col]); f >= 1 {
				slower = append(slower, fmt.Sprintf("%s (%s)", name(r), r.cells[peer.col]))
			}
		}
		claim := "faster than " + peer.name + " in every row"
		if len(slower) > 0 {
			claim += " but " + strings.Join(slower, ", ")
		}
		assert.Contains(t, text, claim+";", "the table says so")
	}

	// pond v2: slower with 1 worker, faster from 8 workers up but the rows
	// named.
	var lo, hi string
	var notFaster []string
	for _, r := range perItem {
		cell := r.cells["÷ pond v2"]
		f, _ := ratio(t, cell)
		if strings.Contains(r.name, " 1 worker,") {
			require.GreaterOrEqual(t, f, 1.0, "%s: the prose says pond is faster with 1 worker", r.name)
			if lo == "" || f < must(ratio(t, lo)) {
				lo = cell
			}
			if hi == "" || f > must(ratio(t, hi)) {
				hi = cell
			}
		} else if f >= 1 {
			notFaster = append(notFaster, fmt.Sprintf("%s (%s)", name(r), cell))
		}
	}
	claim := fmt.Sprintf("slower than pond v2 with 1 worker (%s–%s), faster from 8 workers up", strings.TrimSuffix(lo, "×"), hi)
	if len(notFaster) > 0 {
		claim += " but " + strings.Join(notFaster, ", ")
	}
	assert.Contains(t, text, claim+".")

	// The bare channel: the range of every per-item row.
	lo, hi = "", ""
	for _, r := range perItem {
		f, _ := ratio(t, r.cells["÷ chan pool"])
		if lo == "" || f < must(ratio(t, lo)) {
			lo = r.cells["÷ chan pool"]
		}
		if hi == "" || f > must(ratio(t, hi)) {
			hi = r.cells["÷ chan pool"]
		}
	}
	assert.Contains(t, text, fmt.Sprintf("Within %s–%s of a bare buffered channel", strings.TrimSuffix(lo, "×"), hi))

	// Signals: within 10 % of os/signal.
	for _, r := range tb.rows {
		if f, ok := ratio(t, r.cells["÷ os/signal"]); ok {
			assert.Less(t, f, 1.10, "%s: the prose says within 10 %%", r.name)
		}
	}
	assert.Contains(t, text, "within 10 % of a bare `signal.Notify` channel")

	// Every ratio and time the bullets about the table quote is in the
	// table (a bullet on another measurement says so first).
	for _, bullet := range strings.Split(text, " - ") {
		if strings.HasPrefix(bullet, "Not in the table:") {
			continue
		}
		for _, r := range tb.rows {
			bullet = strings.ReplaceAll(bullet, r.cells["benchmark"], "") // a row's name is no quote
		}
		for _, q := range regexp.MustCompile(`\d+(?:\.\d+)?(?:×| ms| µs)`).FindAllString(bullet, -1) {
			assert.Contains(t, table, "| "+q+" |", "the prose quotes %q, which the table does not show", q)
		}
	}
}

func must(f float64, _ bool) float64 { return f }
