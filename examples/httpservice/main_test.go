package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/ctrlc-go/ctrlc/examples/internal/proc"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	proc.RunChild(run)
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
