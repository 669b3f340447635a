package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc/service"
)

// Running under a supervisor: as a Windows service (-service NAME), or under
// systemd with Type=notify (NOTIFY_SOCKET set, no flag needed). The demo
// tells the supervisor when it is ready, when it stops, and how the drain
// goes, through package service.

// drainPromise is how soon the supervisor hears from the drain again: the
// draining lines come every second.
const drainPromise = 5 * time.Second

// supervise runs serve under the supervisor, with its output sent to the
// -log file if there is one, and returns the exit code.
func supervise(cfg *config, stdout, stderr io.Writer, serve func(*config, io.Writer, io.Writer) int) int {
	if cfg.logFile != "" {
		f, err := os.OpenFile(cfg.logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "ctrlc-demo: %v\nRun 'ctrlc-demo -h' for the flags.\n", invalid("log", cfg.logFile, err.Error()))
			return 2
		}
		defer f.Close()
		stdout, stderr = f, f
	}
	code, err := service.Run(cfg.service, func() int { return serve(cfg, stdout, stderr) })
	if err != nil {
		fmt.Fprintf(stderr, "ctrlc-demo: -service %s: %v\n", cfg.service, err)
		return 2
	}
	return code
}

// supervisor sends the demo's notifications and reports the first failure.
type supervisor struct {
	w    io.Writer
	once sync.Once
}

func newSupervisor(stderr io.Writer) *supervisor { return &supervisor{w: stderr} }

func (s *supervisor) check(err error) {
	if err != nil {
		s.once.Do(func() { fmt.Fprintf(s.w, "ctrlc-demo: telling the supervisor: %v\n", err) })
	}
}

func (s *supervisor) ready(describe string) {
	s.check(service.Ready())
	s.check(service.Status("running: " + describe))
}

func (s *supervisor) stopping(cause error) {
	s.check(service.Stopping())
	s.check(service.Progress(fmt.Sprintf("received %v, shutting down", cause), drainPromise))
}

func (s *supervisor) status(line string)   { s.check(service.Status(line)) }
func (s *supervisor) progress(line string) { s.check(service.Progress(line, drainPromise)) }
