package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/ctrlc-go/ctrlc/service"
)

// supervise runs serve under a supervisor, when there is one: as a Windows
// service (-service NAME), or under systemd with Type=notify (NOTIFY_SOCKET
// set, no flag needed), with the output sent to the -log file if there is
// one. It returns the exit code.
func supervise(cfg *config, stdout, stderr io.Writer, serve func(*config, io.Writer, io.Writer) int) int {
	if cfg.logFile != "" {
		f, err := os.OpenFile(cfg.logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "ctrlc-demo: %v\n", invalid("log", cfg.logFile, err.Error()))
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

// teller returns tell, which reports the first error of the notifications
// to the supervisor (package service does nothing where none listens).
func teller(w io.Writer) (tell func(errs ...error)) {
	var once sync.Once
	return func(errs ...error) {
		if err := errors.Join(errs...); err != nil {
			once.Do(func() { fmt.Fprintf(w, "ctrlc-demo: telling the supervisor: %v\n", err) })
		}
	}
}
