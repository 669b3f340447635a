package ctrlctest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

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
			t.Errorf("ctrlctest.TempDir: %v", err)
		}
		for _, e := range entries {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				t.Errorf("ctrlctest.TempDir: %v", err)
			}
		}
		if err := os.Remove(dir); err != nil {
			t.Errorf("ctrlctest.TempDir: %v", err)
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
			t.Errorf("ctrlctest.TempFile: %v", err)
		}
		if err := os.Remove(dir); err != nil {
			t.Errorf("ctrlctest.TempFile: the test left files behind: %v", err)
		}
	})
	return file
}

func mkdirTemp(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ctrlctest-")
	if err != nil {
		t.Fatalf("ctrlctest: %v", err)
	}
	return dir
}
