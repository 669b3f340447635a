//go:build !js && !wasip1

package docs

import (
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// root is the repository, two levels up.
var root, _ = filepath.Abs(filepath.Join("..", ".."))

// markdown lists the repository's Markdown files, as git knows them (a
// file the change adds counts too: it is in the work tree).
func markdown(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "out") && path != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// goModule writes a module in a new directory that requires this one
// through a replace, with the given files, and returns the directory.
func goModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	mod := "module example.com/docblock\n\ngo 1.26.0\n\nrequire github.com/ctrlc-go/ctrlc v0.0.0\n\nreplace github.com/ctrlc-go/ctrlc => " + root + "\n"
	files["go.mod"] = mod
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	files["go.sum"] = string(sum)
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	return dir
}

// needGo skips the test where there is no go command (a Windows test
// binary under Wine), before it makes a temporary directory.
func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("no go command: %v", err)
	}
}

// goCmd runs the go command in dir and fails the test with its output.
func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestMarkdownGoBlocksCompile: every Go block of every Markdown file is a
// whole file that compiles (and vets) against this module as a user gets
// it; a test file is compiled with the blocks of its document that are not.
func TestMarkdownGoBlocksCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	needGo(t)
	n := 0
	for _, md := range markdown(t) {
		text, err := os.ReadFile(md)
		require.NoError(t, err)
		blocks := goBlock.FindAllStringSubmatch(string(text), -1)
		if len(blocks) == 0 {
			continue
		}
		rel, _ := filepath.Rel(root, md)
		t.Run(rel, func(t *testing.T) {
			files := map[string]string{}
			for i, b := range blocks {
				body := b[1]
				require.Regexp(t, `(?m)^package \w+`, body, "%s: Go block %d is not a whole file", rel, i+1)
				name := "block" + string(rune('a'+i)) + ".go"
				if strings.Contains(body, "*testing.T") {
					name = "block" + string(rune('a'+i)) + "_test.go"
				}
				files[name] = body
			}
			dir := goModule(t, files)
			goCmd(t, dir, "vet", ".")
			goCmd(t, dir, "test", "-c", "-o", os.DevNull, ".")
		})
		n += len(blocks)
	}
	require.NotZero(t, n, "no Go block found in any Markdown file")
}

// TestReadmeTestPassesAgainstQuickStart: the README's test, run beside its
// Quick start, passes: a real SIGINT to the real program, which drains and
// ends by it.
func TestReadmeTestPassesAgainstQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	needGo(t)
	text, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	var program, test string
	for _, b := range goBlock.FindAllStringSubmatch(string(text), -1) {
		switch {
		case strings.Contains(b[1], "func main()"):
			program = b[1]
		case strings.Contains(b[1], "*testing.T"):
			test = b[1]
		}
	}
	require.NotEmpty(t, program, "README has no Quick start program")
	require.NotEmpty(t, test, "README has no test")
	require.LessOrEqual(t, strings.Count(program, "\n"), 25, "the Quick start is at most 25 lines")
	dir := goModule(t, map[string]string{"main.go": program, "main_test.go": test})
	goCmd(t, dir, "test", "-count=1", ".")
}

// limits bounds each package's exported names, as go doc -short lists
// them: os/signal has 6 and errgroup 6.
var limits = map[string]int{".": 30, "pool": 35, "ctrlctest": 18}

// TestLibraryLinksNoC: as docs/production.md says, no package of the
// library brings in cgo or package net on Linux (net links the C resolver),
// so that a program using them links statically; nor log/slog, whose
// handlers bring in encoding/json: half a megabyte that a program which
// logs nothing would carry, and unmap at every exit.
func TestLibraryLinksNoC(t *testing.T) {
	needGo(t)
	libs := []string{"github.com/ctrlc-go/ctrlc", "github.com/ctrlc-go/ctrlc/pool", "github.com/ctrlc-go/ctrlc/service",
		"github.com/ctrlc-go/ctrlc/child", "github.com/ctrlc-go/ctrlc/ctrlctest"}
	for _, lib := range libs {
		cmd := exec.Command("go", "list", "-deps", lib)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=1", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go list -deps %s: %s", lib, out)
		deps := strings.Fields(string(out))
		require.Contains(t, deps, lib)
		for _, bad := range []string{"runtime/cgo", "net", "log/slog", "encoding/json"} {
			require.False(t, slices.Contains(deps, bad), "%s depends on %s", lib, bad)
		}
	}
}

// TestSurface: the packages keep the surface a newcomer can hold.
func TestSurface(t *testing.T) {
	for dir, limit := range limits {
		n := exported(t, filepath.Join(root, dir))
		t.Logf("%s: %d exported names (at most %d)", dir, n, limit)
		require.LessOrEqual(t, n, limit, "exported names of %s", dir)
	}
}

// exported counts the consts, vars, funcs, types and methods go/doc shows
// for the package in dir, as built for linux.
func exported(t *testing.T, dir string) int {
	t.Helper()
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH = "linux", "amd64"
	bp, err := ctx.ImportDir(dir, 0)
	require.NoError(t, err)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, f := range bp.GoFiles {
		af, err := parser.ParseFile(fset, filepath.Join(dir, f), nil, parser.ParseComments)
		require.NoError(t, err)
		files = append(files, af)
	}
	p, err := doc.NewFromFiles(fset, files, bp.ImportPath)
	require.NoError(t, err)
	count := func(vs []*doc.Value) (n int) {
		for _, v := range vs {
			n += len(v.Names)
		}
		return n
	}
	n := count(p.Consts) + count(p.Vars) + len(p.Funcs)
	for _, ty := range p.Types {
		n += 1 + count(ty.Consts) + count(ty.Vars) + len(ty.Funcs) + len(ty.Methods)
	}
	return n
}
