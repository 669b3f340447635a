package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// job is the background work a request asks for.
type job struct{ ID int }

func (j job) String() string { return "job " + strconv.Itoa(j.ID) }

// store is where jobs leave their results (done.log, one "done ID" line per
// job) and where jobs handed back at shutdown wait for the next start
// (pending.log, one ID a line). A real service would use its database.
type store struct {
	dir     string
	mu      sync.Mutex
	done    *os.File
	refused []job // jobs whose result could not be written (Done failed)
}

// openStore opens the store in dir, creating it, and returns the jobs a
// previous run handed back. They stay in pending.log until this run's
// shutdown rewrites it, so a crash in between runs them again rather than
// losing them.
func openStore(dir string) (*store, []job, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	pending, err := readPending(filepath.Join(dir, "pending.log"))
	if err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "done.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	return &store{dir: dir, done: f}, pending, nil
}

func readPending(path string) ([]job, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var jobs []job
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		id, err := strconv.Atoi(line)
		if err != nil {
			return nil, fmt.Errorf("%s: bad job id %q", path, line)
		}
		jobs = append(jobs, job{id})
	}
	return jobs, sc.Err()
}

// Done records that j finished. When that fails, j is kept for Refused,
// so that it runs again at the next start rather than being lost.
func (s *store) Done(j job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.done, "done %d\n", j.ID); err != nil {
		s.refused = append(s.refused, j)
		return err
	}
	return nil
}

// Refused returns the jobs whose Done failed.
func (s *store) Refused() []job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refused)
}

// Close closes done.log.
func (s *store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done.Close()
}

// SavePending replaces pending.log with jobs, atomically.
func (s *store) SavePending(jobs []job) error {
	path := filepath.Join(s.dir, "pending.log")
	tmp := path + ".tmp"
	var b strings.Builder
	for _, j := range jobs {
		fmt.Fprintf(&b, "%d\n", j.ID)
	}
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
