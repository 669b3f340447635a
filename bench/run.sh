#!/usr/bin/env bash
# Runs the side-by-side benchmarks (issue 4) and prints one table: this
# project's medians and their ratio to each peer's, then the targets.
#
#   bench/run.sh             # COUNT rounds (default 8), about a minute each
#   COUNT=10 bench/run.sh    # more rounds
#   ONLY=Submit bench/run.sh   # only the groups (Submit, Drain, SignalLatency,
#                              # Exit, Load) matching a regexp
#   bench/run.sh -quick      # what CI runs: build, and each benchmark once
#
# Each round runs every benchmark once (-count=1), and the rounds follow one
# another, so a burst of noise on a shared machine hits every peer instead of
# all the samples of one. benchstat takes the median over the rounds. Raw
# results, benchstat's full output and the table land in bench/out/.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "-quick" ]; then
	exec go test -run '^$' -bench . -benchtime=1x ./...
fi

COUNT=${COUNT:-8}
ONLY=${ONLY:-.}
export PATH="$(go env GOPATH)/bin:$PATH"
if ! command -v benchstat >/dev/null; then
	go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
fi

mkdir -p out
raw=out/raw.txt
: >"$raw"
go test -c -o out/bench.test .

# -benchtime per group: time-based for the per-item loops, a fixed number of
# ops for the rest (one op is one drain, one signal, one child process).
groups=(
	"Submit 300ms"
	"Drain 8x"
	"SignalLatency 300x" # 20 ms apart (see signal_unix_test.go): 6 s an impl
	"Exit 30x"
	"Load 5x"
)
started=$SECONDS
for round in $(seq "$COUNT"); do
	printf 'round %d/%d (at %ds)\n' "$round" "$COUNT" $((SECONDS - started)) >&2
	for g in "${groups[@]}"; do
		name=${g% *} benchtime=${g#* }
		[[ $name =~ $ONLY ]] || continue
		./out/bench.test -test.run '^$' -test.bench "^Benchmark$name\$" -test.benchtime="$benchtime" \
			-test.count=1 -test.benchmem >>"$raw"
	done
done

benchstat -col /impl "$raw" >out/benchstat.txt 2>&1 || true
benchstat -format csv -col /impl "$raw" 2>/dev/null >out/benchstat.csv
go run ./internal/ratiotable <out/benchstat.csv | tee out/table.md

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(go version | cut -d' ' -f3-)"
echo "command: COUNT=$COUNT bench/run.sh  ($COUNT rounds, $((SECONDS - started))s; raw: bench/$raw, benchstat: bench/out/benchstat.txt)"
