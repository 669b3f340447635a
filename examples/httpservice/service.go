package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
	"github.com/ctrlc-go/ctrlc/service"
)

// serve runs the service until the first stop event, then shuts it down in
// order within cfg.budget, and saves the jobs not done for the next start.
func serve(cfg config) error {
	// Catch SIGTERM, Ctrl-C and SIGHUP from here on. The context ends at
	// the first; a second hurries the shutdown (Run hands back the jobs not
	// done within about a second); a third ends the process.
	var opts []ctrlc.Option
	if cfg.grace > 0 {
		opts = append(opts, ctrlc.WithGracePeriod(cfg.grace))
	}
	ctx, stop, err := ctrlc.NotifyContext(context.Background(), opts...)
	defer stop()
	if err != nil {
		return err
	}

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
		// The drain ends early enough for the store to close even when
		// jobs overrun: the pool keeps HookTimeout per OnStop hook, at
		// most half of what is left when the drain begins, for them.
		ShutdownTimeout: cfg.budget, HookTimeout: cfg.budget,
	})
	if err != nil {
		return err
	}

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

	// The shutdown, in the pool's stages. before-stop (while Submit still
	// accepts): readiness off, the announce delay, then
	// http.Server.Shutdown, which waits for the handlers and so for their
	// Submits. Then the queue and in-flight stages drain the jobs, and
	// on-stop closes the store.
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

	// A server that fails on its own shuts the service down as a stop
	// event would.
	runCtx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	served := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) {
			served <- err
			fail(fmt.Errorf("http server: %w", err))
		}
		close(served)
	}()
	ready.Store(true)
	if err := service.Ready(); err != nil {
		fmt.Printf("service manager: %v\n", err)
	}
	fmt.Printf("listening on http://%s (pid %d, %d pending jobs resumed)\n", ln.Addr(), os.Getpid(), len(pending))

	report, err := jobs.Run(runCtx)
	// When the budget ran out before the "http shutdown" stop function
	// (an announce longer than the grace period, a hurry), the server may
	// still serve: close it, or waiting for Serve below would never end.
	_ = srv.Close()
	fmt.Printf("shutdown: %v, budget %v, hurried %t\n", report.Event, cfg.budget, errors.Is(err, pool.ErrHurried))
	for _, s := range report.Stages {
		fmt.Printf("stage %s: %v\n", s.Name, s.Duration.Round(time.Millisecond))
	}
	fmt.Printf("report: accepted %d completed %d failed %d panicked %d queued %d interrupted %d abandoned %d balanced %t\n",
		report.Accepted, report.Completed, report.Failed, report.Panicked, len(report.Queued),
		len(report.Interrupted), len(report.Abandoned), report.Balanced())
	// The jobs the pool did not finish (never started, interrupted, or
	// abandoned) and those whose result the store refused run at the next
	// start.
	back := append(report.Unprocessed(), st.Refused()...)
	if serr := st.SavePending(back); serr != nil {
		return errors.Join(err, fmt.Errorf("saving %d jobs handed back: %w", len(back), serr))
	}
	fmt.Printf("handed back %d jobs to pending.log\n", len(back))
	if serr := <-served; serr != nil {
		err = errors.Join(fmt.Errorf("http server: %w", serr), err)
	}
	return err
}
