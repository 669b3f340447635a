package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// runNaive is the program httpservice replaces, kept for comparison (the
// end-to-end test measures what it loses): the usual signal.NotifyContext,
// a channel of jobs and a few goroutines, and no http.Server.Shutdown. On
// SIGTERM main returns: requests in flight are cut, /readyz never fails
// before the port closes, and every queued or running job is lost.
func runNaive(cfg config) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, _, err := openStore(cfg.store)
	if err != nil {
		fmt.Fprintf(os.Stderr, "httpservice: %v\n", err)
		return 1
	}
	queue := make(chan job, cfg.queue)
	for range cfg.workers {
		go func() {
			for j := range queue {
				time.Sleep(cfg.job)
				_ = st.Done(j)
			}
		}()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /jobs", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.URL.Query().Get("id"))
		if err != nil {
			http.Error(w, "bad id: "+err.Error(), http.StatusBadRequest)
			return
		}
		queue <- job{id}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, "accepted %d\n", id)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "httpservice: %v\n", err)
		return 1
	}
	go http.Serve(ln, mux)
	fmt.Printf("listening on http://%s (pid %d, naive)\n", ln.Addr(), os.Getpid())
	<-ctx.Done()
	fmt.Println("shutdown: signal received, exiting")
	return 0
}
