package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctrlc-go/ctrlc"
	"github.com/ctrlc-go/ctrlc/ctrlctest"
)

// TestSystemdNotify: under systemd (Type=notify) the service says READY=1
// once it serves and STOPPING=1 when the stop begins, before it exits 0.
func TestSystemdNotify(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := make(chan string, 16)
	go func() {
		defer close(got)
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			got <- string(buf[:n])
		}
	}()
	want := func(field string) {
		t.Helper()
		timeout := time.After(waitTimeout)
		for {
			select {
			case msg := <-got:
				if strings.Contains(msg, field) {
					return
				}
			case <-timeout:
				t.Fatalf("no %s on $NOTIFY_SOCKET after %v", field, waitTimeout)
			}
		}
	}

	cmd := command("-addr", "127.0.0.1:0", "-store", t.TempDir(), "-announce", "100ms")
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock)
	p := ctrlctest.Start(t, cmd)
	p.WaitFor("listening on ")
	want("READY=1")
	p.Send(ctrlc.Terminate)
	want("STOPPING=1")
	if st := p.Wait(); !st.Success() {
		t.Fatalf("%v; output:\n%s", st, p.Output())
	}
	conn.Close()
	for range got {
	}
}
