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
)

// serve runs the service until the first stop event, then shuts it down in
// order within cfg.budget.
func serve(cfg config) error {
	// Catch SIGTERM and Ctrl-C from the start: a signal that arrives while
	// the service starts must not kill it half-way.
	listener, err := ctrlc.Notify()
	if err != nil {
		return err
	}
	defer listener.Stop()

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
	}, pool.Options{Workers: cfg.workers, QueueSize: cfg.queue, Policy: cfg.policy})
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
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	ready.Store(true)
	fmt.Printf("listening on http://%s (pid %d, %d pending jobs resumed)\n", ln.Addr(), os.Getpid(), len(pending))

	var e ctrlc.Event
	select {
	case e = <-listener.C():
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	}
	fmt.Printf("shutdown: %v, budget %v\n", e, cfg.budget)
	ctx, cancel := context.WithTimeout(context.Background(), cfg.budget)
	defer cancel()

	// 1. announce: not ready, still serving.
	ready.Store(false)
	fmt.Printf("readiness off at %s\n", time.Now().Format(time.RFC3339Nano))
	select {
	case <-time.After(cfg.announce):
	case <-ctx.Done():
	}
	// 2. stop the server: in-flight requests (and so their Submits) finish.
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Printf("http shutdown: %v\n", err)
	} else {
		fmt.Println("http server stopped")
	}
	// 3. and 4. drain the pool, then close the store.
	if err := jobs.OnStop("close store", func(context.Context) error { return st.Close() }); err != nil {
		return err
	}
	report, err := jobs.Shutdown(ctx)
	back := report.Unprocessed
	fmt.Printf("report: submitted %d completed %d failed %d unprocessed %d abandoned %d balanced %t\n",
		report.Submitted, report.Completed, report.Failed, len(report.Unprocessed), report.Abandoned, report.Balanced())
	if serr := st.SavePending(back); serr != nil {
		return errors.Join(err, fmt.Errorf("saving %d jobs handed back: %w", len(back), serr))
	}
	fmt.Printf("handed back %d jobs to pending.log\n", len(back))
	return err
}
