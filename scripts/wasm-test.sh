#!/usr/bin/env bash
# Runs the main module's tests under WebAssembly:
#   wasip1/wasm  with wazero  (GOWASIRUNTIME=wazero, installed here if missing)
#   js/wasm      with Node    ($(go env GOROOT)/lib/wasm/go_js_wasm_exec)
#
# Usage: scripts/wasm-test.sh [go test flags...]   (default: -count=1)
# Env:   WASM_TARGETS   which targets to run (default "wasip1 js")
#        WASM_TIMEOUT   seconds before a target's run is killed (default 600)
#
# bench/ is a module of its own, so ./... here never reaches it. Packages
# that cannot run under WebAssembly skip their tests themselves, with a reason.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2

WAZERO_VERSION=v1.12.0
targets=${WASM_TARGETS:-wasip1 js}
limit=${WASM_TIMEOUT:-600}
if [ $# -eq 0 ]; then
	set -- -count=1
fi

goroot=$(go env GOROOT) || exit 2
gobin=$(go env GOBIN)
if [ -z "$gobin" ]; then
	gobin="$(go env GOPATH | cut -d: -f1)/bin"
fi
# The exec wrappers (go_js_wasm_exec, go_wasip1_wasm_exec) and wazero.
export PATH="$goroot/lib/wasm:$gobin:$PATH"

# go test's own deadline fires first and prints the stuck goroutines; the
# KILL is the backstop. Node cannot be stopped with SIGTERM once a program
# listens to SIGTERM, hence -s KILL (it reaches the whole process group:
# go, the test binaries and any node they started).
gotimeout=$((limit > 120 ? limit - 60 : limit))s

fail=0
for target in $targets; do
	case $target in
	wasip1)
		if [ "$(wazero version 2>/dev/null)" != "$WAZERO_VERSION" ]; then
			echo "wasm-test: installing wazero $WAZERO_VERSION into $gobin" >&2
			if ! GOBIN="$gobin" GOOS= GOARCH= go install "github.com/tetratelabs/wazero/cmd/wazero@$WAZERO_VERSION"; then
				echo "wasm-test: installing wazero failed" >&2
				fail=1
				continue
			fi
		fi
		echo "== GOOS=wasip1 GOARCH=wasm (wazero $(wazero version)) go test ./... $*"
		timeout -s KILL "$limit" env GOWASIRUNTIME=wazero GOOS=wasip1 GOARCH=wasm \
			go test -timeout="$gotimeout" "$@" ./...
		;;
	js)
		if ! command -v node >/dev/null; then
			echo "wasm-test: node not found: js/wasm tests need Node.js" >&2
			fail=1
			continue
		fi
		echo "== GOOS=js GOARCH=wasm (node $(node --version)) go test ./... $*"
		timeout -s KILL "$limit" env GOOS=js GOARCH=wasm \
			go test -timeout="$gotimeout" "$@" ./...
		;;
	*)
		echo "wasm-test: unknown target $target (want wasip1 or js)" >&2
		false
		;;
	esac
	rc=$?
	if [ $rc -ne 0 ]; then
		[ $rc -eq 137 ] && echo "wasm-test: $target killed after ${limit}s" >&2
		echo "wasm-test: $target FAILED (exit $rc)" >&2
		fail=1
	fi
done
exit $fail
