// Command modcheck builds the module zip of one commit of the ctrlc
// repository the way the Go module proxy would, checks it, and lays it out
// as a GOPROXY in a folder, so that scripts/module-roundtrip.sh can fetch the
// module with `go get` the way a user does.
//
//	go run . -repo /path/to/ctrlc -rev HEAD -out /tmp/proxy
//
// It prints the module's pseudo-version (v0.0.0-<commit time>-<commit12>)
// alone on standard output and everything else on standard error.
//
// The zip is made by golang.org/x/mod/zip from `git archive` of the commit,
// as zip.CreateFromVCS makes it, so it holds only committed files, and the
// proxy's rules apply: file names, sizes, case collisions; nested modules
// (bench/, examples/, this folder) and vendor directories are left out. A violation
// fails with the list of offending files. The LICENSE at the module root is
// then scanned as pkg.go.dev scans it (github.com/google/licensecheck, at
// least 75% of the text covered), and it must be BSD-3-Clause.
//
// The folder gets, per the GOPROXY protocol (go help goproxy):
//
//	<module>/@v/list           the version
//	<module>/@v/<version>.info {"Version": ..., "Time": ...}
//	<module>/@v/<version>.mod  the commit's go.mod
//	<module>/@v/<version>.zip  the module zip
//
// This is a module of its own so that its requirements stay out of the
// library's go.mod and the library's module zip.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/licensecheck"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

// wantLicense is the license pkg.go.dev must detect in the module's LICENSE.
const wantLicense = "BSD-3-Clause"

// licenseCoverage is pkg.go.dev's threshold (pkgsite's
// internal/licenses.coverageThreshold): below it a license file is UNKNOWN
// and the docs are not shown.
const licenseCoverage = 75

func main() {
	repo := flag.String("repo", ".", "the repository's work tree")
	rev := flag.String("rev", "HEAD", "the commit to build the module zip of")
	out := flag.String("out", "", "the folder to lay the GOPROXY out in (required)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	version, err := run(*repo, *rev, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "modcheck:", err)
		os.Exit(1)
	}
	fmt.Println(version)
}

func run(repo, rev, out string) (string, error) {
	repo, err := filepath.Abs(repo)
	if err != nil {
		return "", err
	}

	// The commit and its time, as the go command derives a pseudo-version
	// from them: the committer time in UTC and the first 12 hex digits.
	line, err := git(repo, "log", "-1", "--format=%H %ct", rev)
	if err != nil {
		return "", err
	}
	hash, unix, ok := strings.Cut(strings.TrimSpace(string(line)), " ")
	secs, err := strconv.ParseInt(unix, 10, 64)
	if !ok || err != nil || len(hash) < 12 {
		return "", fmt.Errorf("git log %s: unexpected output %q", rev, line)
	}
	when := time.Unix(secs, 0).UTC()

	gomod, err := git(repo, "show", hash+":go.mod")
	if err != nil {
		return "", err
	}
	modPath := modfile.ModulePath(gomod)
	if modPath == "" {
		return "", errors.New("go.mod at " + hash[:12] + " names no module")
	}
	if _, major, _ := module.SplitPathVersion(modPath); major != "" {
		return "", fmt.Errorf("module %s: a major version suffix needs a tag-based version, not handled here", modPath)
	}
	mv := module.Version{Path: modPath, Version: module.PseudoVersion("", "", when, hash[:12])}
	fmt.Fprintf(os.Stderr, "module %s at commit %s (%s): %s\n", modPath, hash[:12], when.Format(time.RFC3339), mv.Version)

	// The files of the commit as `git archive` gives them, which is what
	// CreateFromVCS zips (with the same git flags). CreateFromVCS itself is not
	// called: it refuses a linked work tree (git worktree add), whose git
	// directory is not <repo>/.git.
	files, err := archive(repo, hash)
	if err != nil {
		return "", err
	}
	if err := report(files); err != nil {
		return "", err
	}
	var zbuf bytes.Buffer
	if err := modzip.Create(&zbuf, mv, files); err != nil {
		return "", fmt.Errorf("the module zip breaks the proxy's rules:\n%v", err)
	}

	dir, err := layout(out, mv)
	if err != nil {
		return "", err
	}
	zipFile := filepath.Join(dir, mv.Version+".zip")
	if err := os.WriteFile(zipFile, zbuf.Bytes(), 0o644); err != nil {
		return "", err
	}
	// CheckZip reads the zip back as the go command will when it extracts it.
	cf, err := modzip.CheckZip(mv, zipFile)
	if err != nil {
		return "", fmt.Errorf("the written zip does not check:\n%v", err)
	}
	fmt.Fprintf(os.Stderr, "zip: %d files, %d bytes\n", len(cf.Valid), zbuf.Len())

	if err := checkLicense(zbuf.Bytes(), mv); err != nil {
		return "", err
	}

	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{mv.Version, when})
	if err != nil {
		return "", err
	}
	for name, data := range map[string][]byte{
		"list":               []byte(mv.Version + "\n"),
		mv.Version + ".info": append(info, '\n'),
		mv.Version + ".mod":  gomod,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return mv.Version, nil
}

// layout makes <out>/<escaped module path>/@v and returns it.
func layout(out string, mv module.Version) (string, error) {
	ep, err := module.EscapePath(mv.Path)
	if err != nil {
		return "", err
	}
	if _, err := module.EscapeVersion(mv.Version); err != nil {
		return "", err
	}
	dir := filepath.Join(out, filepath.FromSlash(ep), "@v")
	return dir, os.MkdirAll(dir, 0o755)
}

// archive returns the files of `git archive` of the commit.
func archive(repo, hash string) ([]modzip.File, error) {
	data, err := git(repo, "-c", "core.autocrlf=input", "-c", "core.eol=lf", "archive", "--format=zip", hash)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("git archive: %v", err)
	}
	var files []modzip.File
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") {
			files = append(files, archived{f})
		}
	}
	return files, nil
}

// report prints what the module zip leaves out, a line per folder or file,
// and every file that breaks the proxy's rules, then fails if there is one.
func report(files []modzip.File) error {
	cf, cerr := modzip.CheckFiles(files)

	// A nested module is omitted file by file; say it once per folder.
	omitted := map[string]string{}
	for _, fe := range cf.Omitted {
		key := fe.Path
		if d := moduleRoot(fe.Path, files); d != "" {
			key = d + "/"
		}
		omitted[key] = fe.Err.Error()
	}
	keys := make([]string, 0, len(omitted))
	for k := range omitted {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(os.Stderr, "left out of the zip: %s (%s)\n", k, omitted[k])
	}
	if cerr != nil {
		var b strings.Builder
		for _, fe := range cf.Invalid {
			fmt.Fprintf(&b, "\n  %s: %v", fe.Path, fe.Err)
		}
		if cf.SizeError != nil {
			fmt.Fprintf(&b, "\n  %v", cf.SizeError)
		}
		return fmt.Errorf("the module zip breaks the proxy's rules:%s", b.String())
	}
	return nil
}

// moduleRoot returns the innermost folder above p that has a go.mod of its
// own, or "" if p is in the root module.
func moduleRoot(p string, files []modzip.File) string {
	have := map[string]bool{}
	for _, f := range files {
		if path.Base(f.Path()) == "go.mod" {
			have[path.Dir(f.Path())] = true
		}
	}
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		if have[d] {
			return d
		}
	}
	return ""
}

// checkLicense scans the zip's root LICENSE as pkg.go.dev does.
func checkLicense(zipData []byte, mv module.Version) error {
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return err
	}
	name := mv.Path + "@" + mv.Version + "/LICENSE"
	var text []byte
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return err
		}
		text, err = io.ReadAll(r)
		r.Close()
		if err != nil {
			return err
		}
	}
	if text == nil {
		return errors.New("the module zip has no LICENSE at its root: pkg.go.dev would show no documentation")
	}
	cov := licensecheck.Scan(text)
	var ids []string
	for _, m := range cov.Match {
		ids = append(ids, m.ID)
	}
	fmt.Fprintf(os.Stderr, "LICENSE: %s, %.1f%% of the text\n", strings.Join(ids, " + "), cov.Percent)
	if cov.Percent < licenseCoverage || len(ids) != 1 || ids[0] != wantLicense {
		return fmt.Errorf("pkg.go.dev would not detect LICENSE as %s alone with at least %d%% of the text covered: it finds %v at %.1f%%",
			wantLicense, licenseCoverage, ids, cov.Percent)
	}
	return nil
}

// archived is a file of `git archive --format=zip`, as modzip.CheckFiles
// wants it.
type archived struct{ f *zip.File }

func (a archived) Path() string                 { return a.f.Name }
func (a archived) Lstat() (os.FileInfo, error)  { return a.f.FileInfo(), nil }
func (a archived) Open() (io.ReadCloser, error) { return a.f.Open() }

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}
