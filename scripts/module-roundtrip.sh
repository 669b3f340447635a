#!/usr/bin/env bash
# The module as a user gets it: HEAD's module zip, built and checked by the
# proxy's own rules (scripts/modcheck), served from a file:// GOPROXY in a
# scratch folder, fetched with `go get` into a new module outside the
# repository (no replace directive), then a small program that imports it is
# built and run, and every package of the module is built from the zip.
#
# Usage: scripts/module-roundtrip.sh
# Tests the committed HEAD only: uncommitted changes are not in the zip.
# Everything it writes goes under $TMPDIR (removed at exit), except the
# module cache entry of HEAD's pseudo-version, which it removes itself.
#
# Before the first release a user depends on the module by commit: once the
# commit is pushed to the public repository, `go get
# github.com/ctrlc-go/ctrlc@<commit hash or branch>` resolves it to a
# pseudo-version (v0.0.0-<time>-<commit12>, the one this script makes for
# HEAD); the public proxy and checksum database fetch it from GitHub on that
# first request, so the user sets nothing (the GONOSUMDB below is only for
# this script's unpublished zip). Before it is pushed, the only way is a
# local clone and, in the user's go.mod,
#   require github.com/ctrlc-go/ctrlc v0.0.0-00010101000000-000000000000
#   replace github.com/ctrlc-go/ctrlc => ../ctrlc
# (or `go work use ../ctrlc`), which is what bench/ and examples/ do.
#
# The environment the round trip needs, and why:
#   GOPROXY=file://<dir>,<the machine's GOPROXY>
#       the unpublished module from the folder, its dependencies as usual.
#   GONOSUMDB=github.com/ctrlc-go/ctrlc
#       the checksum database knows nothing of an unpublished version and
#       would refuse it; the dependencies are still checked. Not GOPRIVATE:
#       it also sets GONOPROXY, and the go command then skips every proxy,
#       the file:// one too, and tries to clone the repository from GitHub.
#       Not GOSUMDB=off: that would stop checking the dependencies too.
#   GOPRIVATE= GONOPROXY= GOWORK=off GOFLAGS=<the machine's>
#       nothing of the caller's may send the module elsewhere or pull in a
#       workspace; no -mod=mod: a user builds with the default -mod=readonly,
#       so the go.sum that `go get` wrote must be enough.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$SECONDS

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	echo "note: the work tree has uncommitted changes; the zip is of HEAD only"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ctrlc-roundtrip.XXXXXX")
gomodcache=$(go env GOMODCACHE)
module=github.com/ctrlc-go/ctrlc
version=
# The module cache is shared with every other build here; the go command
# keeps what it downloads there, read-only. HEAD's pseudo-version is
# removed before (so the go command really takes the zip from the file
# proxy, not from an earlier run) and after (so the cache does not gather
# one copy per commit). Only this script ever puts that module there: the
# module is unpublished, and bench/ and examples/ reach it by replace.
# Two runs of the same commit at once on one machine would remove each
# other's copy: run one at a time.
forget() {
	[ -n "$version" ] || return 0
	local dl=$gomodcache/cache/download/$module/@v
	if [ -e "$gomodcache/$module@$version" ]; then
		chmod -R u+w "$gomodcache/$module@$version"
		rm -rf "$gomodcache/$module@$version"
	fi
	rm -f "$dl/$version."*
	if [ -f "$dl/list" ]; then
		sed -i "/^${version}\$/d" "$dl/list"
		[ -s "$dl/list" ] || rm -f "$dl/list"
	fi
	# The folders the go command made for the module, once empty.
	rmdir "$dl" "${dl%/@v}" "$gomodcache/cache/download/${module%/*}" \
		"$gomodcache/${module%/*}" 2>/dev/null || true
}
trap 'forget; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

echo "- module zip of HEAD (scripts/modcheck)"
version=$(cd scripts/modcheck && go run . -repo "$repo" -rev HEAD -out "$work/proxy")
forget

machine_goproxy=$(go env GOPROXY)
export GOPROXY="file://$work/proxy${machine_goproxy:+,$machine_goproxy}"
export GONOSUMDB=$module GOPRIVATE= GONOPROXY= GOWORK=off
echo "- go get $module@$version in a new module (GOPROXY=$GOPROXY)"
mkdir "$work/user"
cd "$work/user"
go mod init example.com/user >/dev/null 2>&1

# The user's program. It uses only what any reshaping of the API keeps:
# NotifyContext; pool is imported for its side of the build alone.
cat >main.go <<'EOF'
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ctrlc-go/ctrlc"
	_ "github.com/ctrlc-go/ctrlc/pool"
)

func main() {
	ctx, stop, err := ctrlc.NotifyContext(context.Background())
	defer stop()
	if err != nil || ctx.Err() != nil {
		fmt.Println("NotifyContext:", err, context.Cause(ctx))
		os.Exit(1)
	}
	fmt.Println("ok")
}
EOF

go get "$module@$version"
got=$(go list -m -f '{{.Version}} {{with .Replace}}replaced by {{.}}{{end}}' "$module")
if [ "$got" != "$version " ]; then
	echo "go list -m $module: $got, want $version (no replace)"
	cat go.mod
	exit 1
fi

# `go get` of the module path records the checksums the root package needs;
# pool's own dependency (go-multierror) comes with `go mod tidy`, as a user
# runs it after writing the imports (or with `go get $module/pool@...`).
go mod tidy

echo "- go build and run the user's program"
go build -o user .
out=$(./user)
if [ "$out" != ok ]; then
	echo "the user's program printed \"$out\", want \"ok\""
	exit 1
fi
echo "  it printed: $out"

echo "- every package of the module builds from the zip"
go get "$module/...@$version"
go build "$module/..."

echo "module round trip: ok ($version, $((SECONDS - started))s)"
