// Command notifyctx is the smallest program that stops cleanly on Ctrl-C
// with the standard library alone: signal.NotifyContext, a ready line, a
// wait, a good-bye line. The process benchmarks compare ctrlc-demo with it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stderr, "notifyctx (pid %d): ready\n", os.Getpid())
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "Good bye!")
}
