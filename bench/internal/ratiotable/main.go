// Command ratiotable turns the CSV of `benchstat -format csv -col /impl`
// into one Markdown table: for each benchmark and metric, this project's
// median (impl=ctrlc) and its ratio to each peer's median, and then the
// issues' targets, met or missed. A benchmark that runs a peer in its own
// loop (BenchmarkExit) reports the peer's figures as metrics named
// "<peer>-<unit>": they count as that peer's.
//
//	benchstat -format csv -col /impl raw.txt | go run ./internal/ratiotable
package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

const self = "ctrlc"

// peerOrder is the order of the ratio columns; peers not listed come after.
var peerOrder = []string{"pond", "chan", "ants", "conc", "errgroup", "goroutine", "os-signal", "notifyctx"}

var peerTitles = map[string]string{
	"pond":      "pond v2",
	"chan":      "chan pool",
	"ants":      "ants v2",
	"conc":      "conc pool",
	"errgroup":  "errgroup",
	"goroutine": "go per item",
	"os-signal": "os/signal",
	"notifyctx": "NotifyContext",
}

// units shown in the table, in this order for a benchmark's rows.
var shownUnits = []string{"sec/op", "p50-sec", "p99-sec", "peak-rss-KB"}

type key struct{ bench, unit string }

// significance holds benchstat's verdict on a peer against this project:
// its "vs base" cell ("~" when the difference is not significant) and P.
var significance = map[key]map[string][2]string{}

func main() {
	medians, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratiotable:", err)
		os.Exit(1)
	}
	if len(medians) == 0 {
		fmt.Fprintln(os.Stderr, "ratiotable: no benchmarks in the input")
		os.Exit(1)
	}
	printTable(os.Stdout, medians)
	printTargets(os.Stdout, medians)
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// read parses benchstat's CSV: blocks of a header row naming the columns'
// impls, a row of units, and rows of medians.
func read(r io.Reader) (map[key]map[string]float64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	out := map[key]map[string]float64{}
	var names []string // impl per column, "" for non-value columns
	var units []string
	state := "start"
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case len(rec) == 1: // goos:, pkg:, cpu: lines
			continue
		case rec[0] == "" && state != "names":
			names, state = rec, "names"
		case rec[0] == "" && state == "names":
			units, state = rec, "rows"
		case rec[0] == "geomean":
			state = "rows"
		default:
			bench := procSuffix.ReplaceAllString(rec[0], "")
			for i := 1; i < len(rec) && i < len(names) && i < len(units); i++ {
				if names[i] == "" || rec[i] == "" {
					continue
				}
				v, err := strconv.ParseFloat(rec[i], 64)
				if err != nil {
					continue
				}
				impl, unit := names[i], units[i]
				if p, u, ok := strings.Cut(unit, "-"); ok && impl == self && peerTitles[p] != "" {
					impl, unit = p, u
				}
				k := key{bench, unit}
				if out[k] == nil {
					out[k] = map[string]float64{}
				}
				out[k][impl] = v
				if i+3 < len(rec) && impl != self {
					if significance[k] == nil {
						significance[k] = map[string][2]string{}
					}
					significance[k][impl] = [2]string{rec[i+2], rec[i+3]}
				}
			}
			state = "rows"
		}
	}
}

func peersOf(medians map[key]map[string]float64) []string {
	seen := map[string]bool{}
	for _, m := range medians {
		for impl := range m {
			if impl != self {
				seen[impl] = true
			}
		}
	}
	var peers []string
	for _, p := range peerOrder {
		if seen[p] {
			peers = append(peers, p)
			delete(seen, p)
		}
	}
	var rest []string
	for p := range seen {
		rest = append(rest, p)
	}
	slices.Sort(rest)
	return append(peers, rest...)
}

// benchOrder sorts benchmarks as the suite runs them: Submit, Drain,
// SignalLatency, Exit, Load; within Submit by handler, workers, submitters.
func benchOrder(a, b string) int {
	rank := func(s string) int {
		for i, p := range []string{"Submit/", "Drain/", "SignalLatency", "Exit/", "Load/"} {
			if strings.HasPrefix(s, p) {
				return i
			}
		}
		return 9
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	fa, fb := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(fa) && i < len(fb); i++ {
		if fa[i] == fb[i] {
			continue
		}
		na, ea := strconv.Atoi(fa[i][strings.IndexByte(fa[i], '=')+1:])
		nb, eb := strconv.Atoi(fb[i][strings.IndexByte(fb[i], '=')+1:])
		if ea == nil && eb == nil {
			return na - nb
		}
		// handler=noop before handler=cpu1us
		if strings.HasPrefix(fa[i], "handler=") {
			return -strings.Compare(fa[i], fb[i])
		}
		return strings.Compare(fa[i], fb[i])
	}
	return len(fa) - len(fb)
}

func printTable(w io.Writer, medians map[key]map[string]float64) {
	peers := peersOf(medians)
	var benches []string
	seen := map[string]bool{}
	for k := range medians {
		if !seen[k.bench] {
			seen[k.bench] = true
			benches = append(benches, k.bench)
		}
	}
	slices.SortFunc(benches, benchOrder)

	head := []string{"benchmark", "metric", self, "allocs/op"}
	for _, p := range peers {
		head = append(head, "÷ "+title(p))
	}
	fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat(" --- |", 2)+strings.Repeat(" ---: |", len(head)-2))
	for _, b := range benches {
		first := false // allocs/op goes on a benchmark's first row
		for _, u := range shownUnits {
			m := medians[key{b, u}]
			v, ok := m[self]
			if !ok {
				continue
			}
			if _, median := medians[key{b, "p50-sec"}]; u == "sec/op" && median {
				continue // the median (p50) tells more than the mean here
			}
			allocs := ""
			// The child-process benchmarks' allocations are the parent's.
			childProcess := strings.HasPrefix(b, "Exit/") || strings.HasPrefix(b, "Load/")
			if !first && !childProcess {
				if a, ok := medians[key{b, "allocs/op"}][self]; ok {
					allocs = trim(a)
				}
				first = true
			}
			row := []string{b, metricName(u), format(v, u), allocs}
			for _, p := range peers {
				cell := ""
				if pv, ok := m[p]; ok && pv > 0 {
					cell = fmt.Sprintf("%.2f×", v/pv)
				}
				row = append(row, cell)
			}
			fmt.Fprintln(w, "| "+strings.Join(row, " | ")+" |")
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%s: this project's median; ÷ peer: %s's median divided by the peer's (below 1: %s is faster or smaller).\n", self, self, self)
}

func title(p string) string {
	if t, ok := peerTitles[p]; ok {
		return t
	}
	return p
}

func metricName(unit string) string {
	switch unit {
	case "sec/op":
		return "time/op"
	case "p50-sec":
		return "p50"
	case "p99-sec":
		return "p99"
	case "peak-rss-KB":
		return "peak RSS"
	}
	return unit
}

func format(v float64, unit string) string {
	switch unit {
	case "sec/op", "p50-sec", "p99-sec":
		switch {
		case v >= 1:
			return fmt.Sprintf("%.3g s", v)
		case v >= 1e-3:
			return fmt.Sprintf("%.3g ms", v*1e3)
		case v >= 1e-6:
			return fmt.Sprintf("%.3g µs", v*1e6)
		default:
			return fmt.Sprintf("%.3g ns", v*1e9)
		}
	case "peak-rss-KB":
		return fmt.Sprintf("%.1f MB", v/1024)
	}
	return trim(v)
}

func trim(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// printTargets checks issue 4's targets, and issue 16's bound on the idle
// exit, against the medians.
func printTargets(w io.Writer, medians map[key]map[string]float64) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Targets (issues 4 and 16):")
	check := func(what string, got, limit float64, unitWord string, sig ...[2]string) {
		if math.IsNaN(got) {
			fmt.Fprintf(w, "  - %s: not measured\n", what)
			return
		}
		verdict := "met"
		if got > limit {
			verdict = "MISSED"
		}
		if len(sig) > 0 && sig[0][0] == "~" && limit == 1 {
			verdict += fmt.Sprintf(" on the medians; benchstat finds no significant difference (%s)", sig[0][1])
		}
		fmt.Fprintf(w, "  - %s: %.2f%s (target ≤ %.2f%s): %s\n", what, got, unitWord, limit, unitWord, verdict)
	}
	ratio := func(bench, unit, peer string) float64 {
		m := medians[key{bench, unit}]
		s, ok1 := m[self]
		p, ok2 := m[peer]
		if !ok1 || !ok2 || p == 0 {
			return math.NaN()
		}
		return s / p
	}
	for _, s := range []int{1, 8} {
		b := fmt.Sprintf("Submit/handler=noop/workers=8/submitters=%d", s)
		check(fmt.Sprintf("per item, no-op, 8 workers, %d submitter(s), vs pond v2", s), ratio(b, "sec/op", "pond"), 0.7, "×")
		check(fmt.Sprintf("per item, no-op, 8 workers, %d submitter(s), vs chan pool", s), ratio(b, "sec/op", "chan"), 1.3, "×")
		allocs := math.NaN()
		if a, ok := medians[key{b, "allocs/op"}][self]; ok {
			allocs = a
		}
		check(fmt.Sprintf("allocs per item, no-op, 8 workers, %d submitter(s)", s), allocs, 0, "")
	}
	check("signal latency p50 vs os/signal", ratio("SignalLatency", "p50-sec", "os-signal"), 1.1, "×")
	check("signal latency p99 vs os/signal", ratio("SignalLatency", "p99-sec", "os-signal"), 1.1, "×")
	check("idle demo's SIGINT to exit vs NotifyContext (issue 16), ratio of the medians", ratio("Exit/state=idle", "p50-sec", "notifyctx"), 1.2, "×")
	paired := math.NaN()
	if v, ok := medians[key{"Exit/state=idle", "x-notifyctx"}][self]; ok {
		paired = v
	}
	check("idle demo's SIGINT to exit vs NotifyContext (issue 16), median of each round's ratio", paired, 1.2, "×")

	drain := ""
	for k := range medians {
		if strings.HasPrefix(k.bench, "Drain/") && k.unit == "sec/op" {
			drain = k.bench
		}
	}
	best, bestPeer := math.Inf(1), ""
	for p, v := range medians[key{drain, "sec/op"}] {
		if p != self && v < best {
			best, bestPeer = v, p
		}
	}
	if bestPeer == "" {
		check("drain of 100k vs the fastest peer", math.NaN(), 1, "×")
	} else {
		check("drain of 100k vs the fastest peer ("+title(bestPeer)+")", ratio(drain, "sec/op", bestPeer), 1, "×",
			significance[key{drain, "sec/op"}][bestPeer])
	}
}
