package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/service"
)

// Running under a supervisor: as a Windows service (-service NAME), or under
// systemd with Type=notify (NOTIFY_SOCKET set, no flag needed). The demo
// tells the supervisor when it is ready, when it stops, and how the drain
// goes, through package service.

// supervisorFlags are the flags for running under a supervisor.
type supervisorFlags struct {
	service string // the Windows service name; "" detects
	logFile string // where the output goes instead of the console
}

func (f *supervisorFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.service, "service", "",
		"run as the Windows service `NAME`, as registered with sc.exe or New-Service\n"+
			"(ignored elsewhere: under systemd the demo reports through NOTIFY_SOCKET by itself)")
	fs.StringVar(&f.logFile, "log", "",
		"append standard output and standard error to `FILE`: a service has no console")
}

// drainReportEvery is how often the drain reports progress (the draining
// lines); the supervisor hears from it again within drainPromise.
const (
	drainReportEvery = time.Second
	drainPromise     = 5 * drainReportEvery
)

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
	if cfg.service != "" && slices.Equal(cfg.kinds, ctrlc.DefaultKinds()) {
		// A service gets CTRL_LOGOFF_EVENT whenever any user logs off.
		cfg.kinds = slices.DeleteFunc(cfg.kinds, func(k ctrlc.Kind) bool { return k == ctrlc.Logoff })
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

// ready says the demo listens and runs.
func (s *supervisor) ready(describe string) {
	s.check(service.Ready())
	s.check(service.Status("running: " + describe))
}

// stopping says the demo took up event and drains.
func (s *supervisor) stopping(event ctrlc.Event) {
	s.check(service.Stopping())
	s.check(service.Progress(fmt.Sprintf("received %v, shutting down", event), drainPromise))
}

// running passes each running line on as the status.
func (s *supervisor) running(line func(time.Duration) string) func(time.Duration) string {
	return func(elapsed time.Duration) string {
		l := line(elapsed)
		s.check(service.Status(l))
		return l
	}
}

// draining passes each draining line on as progress.
func (s *supervisor) draining(line func(time.Duration) string) func(time.Duration) string {
	return func(elapsed time.Duration) string {
		l := line(elapsed)
		s.check(service.Progress(l, drainPromise))
		return l
	}
}
