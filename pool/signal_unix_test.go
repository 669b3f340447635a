//go:build unix

package pool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() { childScenarios["stream"] = childStream }

type childReport struct {
	Event                                                       string
	Accepted, Submitted, Completed, Failed, Panicked, Abandoned int
	Unprocessed                                                 int
}

// childStream feeds a pool without pause until a real signal stops it, then
// prints its report as JSON.
func childStream() int {
	l, err := ctrlc.Notify()
	if err != nil {
		fmt.Println(err)
		return 3
	}
	defer l.Stop()
	p, err := New(func(_ context.Context, id int) error {
		time.Sleep(time.Millisecond)
		if id%10 == 9 {
			return errors.New("every tenth fails")
		}
		return nil
	}, Options{Workers: 4, QueueSize: 16})
	if err != nil {
		fmt.Println(err)
		return 3
	}
	var accepted atomic.Int64
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		for id := 0; ; id++ {
			if err := p.Submit(context.Background(), id); err != nil {
				return
			}
			if accepted.Add(1) == 50 {
				fmt.Println("ready")
			}
		}
	}()
	r, err := p.Run(l.C())
	<-fed
	out, _ := json.Marshal(childReport{r.Event.String(), int(accepted.Load()), r.Submitted, r.Completed,
		r.Failed, r.Panicked, r.Abandoned, len(r.Unprocessed)})
	fmt.Printf("report %s\n", out)
	if err != nil && !strings.Contains(err.Error(), "every tenth fails") {
		fmt.Println("unexpected:", err)
		return 1
	}
	return 0
}

func TestRealSIGINTDrainsAChildsPool(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	c := ctrlctest.Start(t, ctrlctest.Self("stream"))
	c.WaitFor("ready")
	c.Interrupt()
	line := c.WaitFor("report ")
	code, err := c.Wait()
	require.NoError(t, err, c.Output())
	assert.Equal(t, 0, code)

	var r childReport
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "report ")), &r), line)
	assert.Equal(t, "interrupt (SIGINT)", r.Event)
	assert.GreaterOrEqual(t, r.Accepted, 50)
	assert.Equal(t, r.Accepted, r.Submitted, "every accepted item is counted")
	assert.Equal(t, r.Submitted, r.Completed+r.Failed+r.Panicked+r.Unprocessed+r.Abandoned, "counts balance: %+v", r)
	assert.Zero(t, r.Unprocessed, "policy Finish runs the whole queue")
	assert.Positive(t, r.Failed)
}
