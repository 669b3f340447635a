//go:build !unix && !windows

package child_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/ctrlc-go/ctrlc/child"
	"github.com/stretchr/testify/assert"
)

// TestUnsupported: where no child program can run (js/wasm, wasip1) or the
// platform has no process groups (plan9), every function returns an error
// that names the platform and wraps errors.ErrUnsupported.
func TestUnsupported(t *testing.T) {
	cmd := child.Command(context.Background(), "true")
	for name, err := range map[string]error{
		"Start":      child.Start(cmd),
		"Run":        child.Run(cmd),
		"Signal":     child.Signal(cmd, os.Interrupt),
		"Start(nil)": child.Start(nil),
	} {
		assert.ErrorIs(t, err, errors.ErrUnsupported, name)
		assert.ErrorContains(t, err, runtime.GOOS+"/"+runtime.GOARCH, name)
	}
	assert.Nil(t, cmd.Process, "nothing started")
}
