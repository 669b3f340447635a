package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFlagErrorsNameTheValue(t *testing.T) {
	store := []string{"-store", t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "-store is required"},
		{append([]string{"-policy", "later"}, store...), `-policy "later"`},
		{append([]string{"-workers", "0"}, store...), "-workers 0"},
		{append([]string{"-queue", "-3"}, store...), "-queue -3"},
		{append([]string{"-job", "-1ms"}, store...), "-job -1ms"},
		{append([]string{"-announce", "30s", "-budget", "25s"}, store...), "-announce 30s"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFlags(%q) = %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
	if _, err := parseFlags(store, io.Discard); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestPendingRoundTripAndBadLine(t *testing.T) {
	dir := t.TempDir()
	st, pending, err := openStore(dir)
	if err != nil || len(pending) != 0 {
		t.Fatalf("fresh store: %v, %v", pending, err)
	}
	if err := st.SavePending([]job{{3}, {1}, {2}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, pending, err = openStore(dir)
	if err != nil || len(pending) != 3 || pending[0].ID != 3 || pending[2].ID != 2 {
		t.Fatalf("reopened: %v, %v; want jobs 3 1 2 in order", pending, err)
	}
	st.Close()
	if err := os.WriteFile(filepath.Join(dir, "pending.log"), []byte("4\nfour\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openStore(dir); err == nil || !strings.Contains(err.Error(), `"four"`) {
		t.Fatalf("bad pending line: %v, want an error naming \"four\"", err)
	}
}
