//go:build unix

package child

import (
	"context"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The children that live tracks for ctrlc.Exit are forgotten: those that
// ended by themselves at the next Start, those whose context ended once
// their forced stop has run. A long-lived program that starts children by
// the thousand keeps none of them.
func TestLiveForgetsEndedChildren(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			script := "exit 0"
			if i%2 == 1 {
				script = "sleep 30"
			}
			cmd := Command(ctx, sh, "-c", script)
			cmd.WaitDelay = 10 * time.Millisecond
			if err := Start(cmd); err != nil {
				t.Error(err)
				return
			}
			if i%2 == 1 {
				cancel()
			}
			_ = cmd.Wait()
		}()
	}
	wg.Wait()
	tracked := func() int {
		live.Lock()
		defer live.Unlock()
		return len(live.groups)
	}
	require.Positive(t, tracked(), "the children are tracked until something forgets them")
	// Each Start forgets the children that ended by themselves; the forced
	// stops, 10 ms after each cancel, forget the others. What is left is the
	// last child started, which only the next Start can forget.
	require.Eventually(t, func() bool {
		cmd := Command(context.Background(), sh, "-c", "exit 0")
		require.NoError(t, Start(cmd))
		require.NoError(t, cmd.Wait())
		return tracked() == 1
	}, 10*time.Second, 20*time.Millisecond, "tracked: %d", tracked())
}
