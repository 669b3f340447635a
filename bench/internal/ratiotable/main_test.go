package main

import (
	"strings"
	"testing"
)

// A benchmark that runs its peer in its own loop reports the peer's figures
// as "<peer>-<unit>": they land in the peer's column, and the ratio is the
// project's median over the peer's.
func TestPeerMetricsOfOneBenchmark(t *testing.T) {
	csv := `goos: linux
,ctrlc,
,notifyctx-p50-sec,CI
Exit/state=idle-2,0.0008,∞
geomean,0.0008,

,ctrlc,
,p50-sec,CI
Exit/state=idle-2,0.001,∞
geomean,0.001,

,ctrlc,
,peak-rss-KB,CI
Exit/state=idle-2,5400,∞
geomean,5400,

,ctrlc,
,x-notifyctx,CI
Exit/state=idle-2,1.3,∞
geomean,1.3,
`
	medians, err := read(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	p50 := medians[key{"Exit/state=idle", "p50-sec"}]
	if p50["ctrlc"] != 0.001 || p50["notifyctx"] != 0.0008 {
		t.Fatalf("p50 medians = %v, want ctrlc 0.001 and notifyctx 0.0008", p50)
	}
	if rss := medians[key{"Exit/state=idle", "peak-rss-KB"}]; rss["ctrlc"] != 5400 || len(rss) != 1 {
		t.Fatalf("peak-rss-KB = %v, want ctrlc's alone (peak is no peer)", rss)
	}
	if got := medians[key{"Exit/state=idle", "x-notifyctx"}]["ctrlc"]; got != 1.3 {
		t.Fatalf("x-notifyctx = %v, want the paired ratio 1.3 as reported", got)
	}
	var out strings.Builder
	printTable(&out, medians)
	if !strings.Contains(out.String(), "| Exit/state=idle | p50 | 1 ms |  | 1.25× |") {
		t.Fatalf("no 1.25× ratio in the table:\n%s", out.String())
	}
}
