// Command poolidle is the Quick start's program with no jobs: a context
// from ctrlc.NotifyContext, a pool with the default options, Run until the
// stop, a good-bye line and ctrlc.Exit. The process benchmarks time it
// against notifyctx: what the library adds to a program's exit, without
// the demo's own stop work (its hook's line, its source and receiver loop,
// its report).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/pool"
)

func main() {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "poolidle:", err)
		os.Exit(2)
	}
	defer stop()
	p, err := pool.New(func(context.Context, int) error { return nil }, pool.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "poolidle:", err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "poolidle (pid %d): ready\n", os.Getpid())
	report, err := p.Run(ctx)
	fmt.Fprintln(os.Stderr, "Good bye!", report.Completed, err)
	ctrlc.Exit(report.Event)
}
