package testkit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctrlc-go/ctrlc/internal/testkit"
)

// recorder is a testing.TB whose clean-ups run when the test says and
// whose errors are kept.
type recorder struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (r *recorder) Helper()          {}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Errorf(f string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(f, a...))
}

func (r *recorder) cleanUp() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func write(t *testing.T, name string) {
	t.Helper()
	if err := os.WriteFile(name, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// removeAll removes names in order, with os.Remove since os.RemoveAll
// fails under Wine (see TempDir).
func removeAll(t *testing.T, names ...string) {
	for _, name := range names {
		if err := os.Remove(name); err != nil {
			t.Error(err)
		}
	}
}

func wantGone(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("after the clean-up, Stat(%s) = %v; want it gone", dir, err)
	}
}

func TestTempDirRemovedWithFiles(t *testing.T) {
	r := &recorder{TB: t}
	dir := testkit.TempDir(r)
	write(t, filepath.Join(dir, "a"))
	write(t, filepath.Join(dir, "b"))
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o700); err != nil {
		t.Fatal(err)
	}
	r.cleanUp()
	if len(r.errors) != 0 {
		t.Errorf("clean-up errors: %q", r.errors)
	}
	wantGone(t, dir)
}

func TestTempDirReportsWhatItCannotRemove(t *testing.T) {
	r := &recorder{TB: t}
	dir := testkit.TempDir(r)
	sub := filepath.Join(dir, "full")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(sub, "c"))
	r.cleanUp()
	t.Cleanup(func() { removeAll(t, filepath.Join(sub, "c"), sub, dir) })
	if len(r.errors) == 0 {
		t.Fatal("the clean-up of a directory holding a full one reported nothing")
	}
	if !strings.Contains(r.errors[0], sub) {
		t.Errorf("first error %q does not name %s", r.errors[0], sub)
	}
}

func TestTempFileRemoved(t *testing.T) {
	for _, made := range []bool{true, false} {
		r := &recorder{TB: t}
		file := testkit.TempFile(r, "f.txt")
		if made {
			write(t, file)
		}
		r.cleanUp()
		if len(r.errors) != 0 {
			t.Errorf("file made %v: clean-up errors: %q", made, r.errors)
		}
		wantGone(t, filepath.Dir(file))
	}
}

func TestTempFileReportsOtherFiles(t *testing.T) {
	r := &recorder{TB: t}
	file := testkit.TempFile(r, "f.txt")
	write(t, file)
	other := file + ".tmp"
	write(t, other)
	r.cleanUp()
	t.Cleanup(func() { removeAll(t, other, filepath.Dir(file)) })
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "left files behind") {
		t.Fatalf("clean-up errors %q; want one saying the test left files behind", r.errors)
	}
}
