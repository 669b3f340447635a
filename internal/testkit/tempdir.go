// Package testkit holds what this repository's own tests need beside
// ctrlctest: temporary files that Wine 8 can remove, and whether the
// platform can start processes.
package testkit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// CanStart reports whether this platform can start child processes:
// js/wasm and wasip1 cannot.
const CanStart = runtime.GOOS != "js" && runtime.GOOS != "wasip1"

// TempDir returns a new directory that is removed, with the files the test
// put in it, when the test ends; an entry that cannot be removed fails the
// test. It is t.TempDir for tests that also run under Wine: there Go's
// os.RemoveAll, which t.TempDir's clean-up uses, fails on every entry
// ("unlinkat …: Invalid function": Wine 8 lacks NtSetInformationFile's
// FileDispositionInformationEx), while os.Remove, which uses DeleteFile and
// RemoveDirectory, works. TempDir removes each entry with os.Remove, so a
// directory made in it must be empty by the end of the test.
func TempDir(t testing.TB) string {
	t.Helper()
	dir := mkdirTemp(t)
	t.Cleanup(func() {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Errorf("testkit.TempDir: %v", err)
		}
		for _, e := range entries {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				t.Errorf("testkit.TempDir: %v", err)
			}
		}
		if err := os.Remove(dir); err != nil {
			t.Errorf("testkit.TempDir: %v", err)
		}
	})
	return dir
}

// TempFile returns the name of a file, not yet made, in a new directory
// that is removed with the file when the test ends, as TempDir's is. The
// directory is for that file alone: anything else left in it fails the
// test.
func TempFile(t testing.TB, name string) string {
	t.Helper()
	dir := mkdirTemp(t)
	file := filepath.Join(dir, name)
	t.Cleanup(func() {
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("testkit.TempFile: %v", err)
		}
		if err := os.Remove(dir); err != nil {
			t.Errorf("testkit.TempFile: the test left files behind: %v", err)
		}
	})
	return file
}

func mkdirTemp(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctrlc-test-")
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return dir
}
