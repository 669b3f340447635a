package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/ctrlc-go/ctrlc/service"
)

// serve runs the service until the first stop event, then shuts it down in
// order within cfg.budget.
func serve(cfg config) error {
	st, pending, err := openStore(cfg.store)
	if err != nil {
		return err
	}
	jobs, err := pool.New(func(ctx context.Context, j job) error {
		select {
		case <-time.After(cfg.job): // the work
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		return st.Done(j)
	}, pool.Options{
		Workers: cfg.workers, QueueSize: cfg.queue, Policy: cfg.policy,
		// One budget for every stage; the announce delay is a stage's
		// whole content, so no per-hook timeout shorter than the budget.
		ShutdownTimeout: cfg.budget, HookTimeout: cfg.budget,
		// The drain ends early enough for the store to close even when
		// jobs overrun: the pool's drain may otherwise take all that is
		// left of the budget, and the OnStop hooks then do not run.
		DrainTimeout: cfg.drainTimeout(),
	})
	if err != nil {
		return err
	}

	// Catch SIGTERM and Ctrl-C before serving. A second one during the
	// drain ends the process at once, after a last word that saves every
	// job not done yet.
	opts := []ctrlc.Option{ctrlc.WithLastWord(time.Second, func(context.Context, ctrlc.Event) {
		back := jobs.TakePending()
		if err := st.SavePending(back); err != nil {
			fmt.Printf("forced exit: saving %d jobs: %v\n", len(back), err)
			return
		}
		fmt.Printf("forced exit: handed back %d jobs to pending.log\n", len(back))
	})}
	if cfg.grace > 0 {
		opts = append(opts, ctrlc.WithGracePeriod(cfg.grace))
	}
	listener, err := ctrlc.Notify(opts...)
	if err != nil {
		return err
	}
	defer listener.Stop()

	// What the last run handed back runs first.
	for _, j := range pending {
		if err := jobs.Submit(context.Background(), j); err != nil {
			return err
		}
	}

	var ready atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("POST /jobs", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.URL.Query().Get("id"))
		if err != nil {
			http.Error(w, "bad id: "+err.Error(), http.StatusBadRequest)
			return
		}
		// Submit waits while the queue is full: back-pressure on the client.
		if err := jobs.Submit(r.Context(), job{id}); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, "accepted %d\n", id)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	// The shutdown, in the pool's stages. announce (BeforeStop, while
	// Submit still accepts): readiness off, the delay, then
	// http.Server.Shutdown, which waits for the handlers and so for their
	// Submits. Then intake, queue and in-flight drain the jobs, and the
	// hooks (OnStop) close the store.
	if err := jobs.BeforeStop("readiness off", func(ctx context.Context) error {
		ready.Store(false)
		fmt.Printf("readiness off at %s\n", time.Now().Format(time.RFC3339Nano))
		if err := service.Stopping(); err != nil {
			fmt.Printf("service manager: %v\n", err)
		}
		select {
		case <-time.After(cfg.announce):
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}); err != nil {
		return err
	}
	if err := jobs.BeforeStop("http shutdown", func(ctx context.Context) error {
		if err := srv.Shutdown(ctx); err != nil {
			return err
		}
		fmt.Println("http server stopped")
		return nil
	}); err != nil {
		return err
	}
	if err := jobs.OnStop("close store", func(context.Context) error { return st.Close() }); err != nil {
		return err
	}

	served := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) {
			// The server failed on its own: shut down as if stopped.
			served <- err
			_, _ = jobs.Shutdown(context.Background())
		}
		close(served)
	}()
	ready.Store(true)
	if err := service.Ready(); err != nil {
		fmt.Printf("service manager: %v\n", err)
	}
	fmt.Printf("listening on http://%s (pid %d, %d pending jobs resumed)\n", ln.Addr(), os.Getpid(), len(pending))

	report, err := jobs.Run(listener.C())
	// When the budget ran out before the "http shutdown" stop function
	// (an announce longer than the grace period), the server still serves:
	// close it, or waiting for Serve below would never end.
	_ = srv.Close()
	if report == nil {
		return err
	}
	fmt.Printf("shutdown: %v, budget %v\n", report.Event, cfg.budget)
	for _, s := range report.Stages {
		fmt.Printf("stage %s: %v\n", s.Name, s.Duration.Round(time.Millisecond))
	}
	// Failed jobs (the store refused them) and the jobs the pool did not
	// finish are kept for the next start.
	back := slices.Concat(report.Failed, report.Unprocessed, report.Interrupted, report.Abandoned)
	fmt.Printf("report: submitted %d completed %d failed %d panicked %d unprocessed %d interrupted %d abandoned %d balanced %t\n",
		report.Submitted, report.Completed, len(report.Failed), len(report.Panicked), len(report.Unprocessed),
		len(report.Interrupted), len(report.Abandoned), report.Balanced())
	if serr := st.SavePending(back); serr != nil {
		return errors.Join(err, fmt.Errorf("saving %d jobs handed back: %w", len(back), serr))
	}
	fmt.Printf("handed back %d jobs to pending.log\n", len(back))
	if serr := <-served; serr != nil {
		err = errors.Join(fmt.Errorf("http server: %w", serr), err)
	}
	return err
}
