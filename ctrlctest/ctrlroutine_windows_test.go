//go:build windows

package ctrlctest

import (
	"testing"

	"github.com/ctrlc-go/ctrlc/internal/wine"
)

// TestCtrlRoutineFromHelper: the way of finding CtrlRoutine that Windows
// needs (it exports it from neither kernel32 nor kernelbase) finds the
// routine that Wine exports.
func TestCtrlRoutineFromHelper(t *testing.T) {
	exported, eerr := exportedCtrlRoutine()
	found, err := ctrlRoutineFromHelper()
	if v, underWine := wine.Version(); underWine && err != nil {
		// Wine gives a console made with CREATE_NEW_CONSOLE no terminal, and
		// delivers no GenerateConsoleCtrlEvent there.
		t.Skipf("Wine %s: %v; Windows, which needs this way, runs this test (kernel32 exports CtrlRoutine at %#x here)", v, err, exported)
	}
	if err != nil {
		t.Fatalf("the helper process: %v (exported: %#x, %v)", err, exported, eerr)
	}
	t.Logf("helper: CtrlRoutine at %#x; exported: %#x (%v)", found, exported, eerr)
	if eerr == nil && found != exported {
		t.Fatalf("the helper found CtrlRoutine at %#x; kernel32 exports it at %#x", found, exported)
	}
}
