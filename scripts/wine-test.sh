#!/usr/bin/env bash
# wine-test.sh runs the GOOS=windows tests of every package of the main module
# on this Linux machine, under Wine, inside a pseudo-terminal so that Wine
# delivers console control events (GenerateConsoleCtrlEvent) to the tests;
# the tests of child programs inject real console events with ctrlctest,
# which needs no terminal.
#
#   scripts/wine-test.sh                  all packages; fails unless REQUIRED passed
#   scripts/wine-test.sh -run Close .     extra arguments go to go test instead of ./...
#
# On a fresh Debian machine it installs wine64 and the MinGW cross compiler,
# makes a Wine prefix in $CTRLC_WINE_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/ctrlc-wine, never in the repository), builds
# the ProcessPrng shim (internal/winetest/processprng.c: Wine 8 has no
# bcryptprimitives.dll, which Go >= 1.22 programs need) into the prefix, and
# puts an exec wrapper named go_windows_amd64_exec on PATH. All of that is
# reused by the next run. It prints which tests passed and which were skipped
# (with the reason), and exits non-zero when a test failed or when one of the
# tests that must run here (REQUIRED) did not pass.
set -euo pipefail

# Tests that must PASS under Wine, not merely compile or skip: the console
# handler in process, real console events (ctrlctest injects them) to child
# programs and to the demo, and the hidden window: its messages in process,
# taskkill and wineboot --end-session to child programs, and the same to a
# GUI-subsystem build. Only the console's own paths skip here:
# TestChildBreakConsole (Wine refuses GenerateConsoleCtrlEvent to a process
# group), TestChildCloseWindow (left out: see skip below),
# TestCtrlRoutineFromHelper (Windows' way of finding CtrlRoutine), and the
# child package's TestCancelAsksTheGroupToStop and TestCancelWithCallersSignal
# (the same refusal: CTRL_BREAK_EVENT to a child's process group).
REQUIRED=(
	TestConsoleCtrlC TestCloseHoldUntilStop TestCloseHoldUntilGrace TestCallbackUnwantedEvent TestCallbackGoexitInLogger
	TestSendEachKind TestSendUnsupportedKind TestSendToExitedProcess TestSendEndsAHoldAtWindowsLimit
	TestChildBreak TestChildBreakAfterStop TestChildWaitsOnTheChannelAlone TestChildClose TestChildLogoff TestChildShutdown
	TestChildCloseGrace TestChildCloseExit
	TestCtrlBreak TestSecondCtrlBreakHurries TestCloseDrainsInsideTheHold
	TestExitStatusControlCExit TestForcedExitStatusControlCExit TestSecondCloseIsTheSameStop TestCtrlCIgnoredAtStart
	TestServiceStopDrains TestBridgeStop TestBridgeShutdown TestBridgeStorm
	TestRunReturnsExitStatus TestBadInputIsNamedError TestCancelKillsTheTree TestCtrlCSparesChildren
	TestParentTerminatedTakesTree TestCallerSysProcAttrKept TestSignalUnsupportedOnWindows
	TestWindowLifetime TestWindowClose TestWindowEndSession TestWindowEndSessionGrace TestWindowOneEventPerStop
	TestWindowClosesWhileAMessageWaits TestWindowStopRightAfterTheEvent
	TestWindowTaskkill TestWindowTaskkillImage TestWindowTaskkillForce
	TestWindowEndSessionWineboot TestWindowEndSessionGraceWineboot TestWindowGUISubsystem
	TestServiceIgnoresLogoff
)

# Tests left out here (go test -skip), with the reason. With the null
# graphics driver (step 2), a console made with CREATE_NEW_CONSOLE has a
# window, and closing it ends the processes attached to it with exit code 0,
# calling no handler (as with an X display): TestChildCloseWindow cannot pass
# under Wine. Windows runs it.
skip='^TestChildCloseWindow$'
skipWhy="Wine's console windows (null driver) end their processes with exit code 0 when closed, calling no handler; Windows runs this test"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${CTRLC_WINE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ctrlc-wine}
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver64
export WINEDEBUG=-all
# The prefix has Wine's null graphics driver (step 2), which the versions of
# this script before it did not set, and with which one of their tests fails
# (TestChildCloseWindow, left out below): a name of its own keeps the two
# apart in one cache.
export WINEPREFIX=$cache/prefix-null
# With an X display Wine gives consoles real windows, and closing one of them
# kills the processes attached to it with exit code 0: the tests want none.
unset DISPLAY WAYLAND_DISPLAY
command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin

log() { printf 'wine-test: %s\n' "$*" >&2; }
t0=$(date +%s)

# --- 1. packages ---------------------------------------------------------------
if [[ ! -x $wine || ! -x $wineserver ]] || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
	sudo=()
	if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
	export DEBIAN_FRONTEND=noninteractive
	pkgs=(wine64 gcc-mingw-w64-x86-64-win32)
	# apt-get update only when the package lists do not know the packages.
	if [[ $(apt-cache policy "${pkgs[@]}" 2>/dev/null | grep -c 'Candidate: [0-9]') != "${#pkgs[@]}" ]]; then
		log "apt-get update"
		"${sudo[@]}" apt-get update -qq
	fi
	log "installing ${pkgs[*]}"
	if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; then
		log "install failed: refreshing the package lists and trying again"
		"${sudo[@]}" apt-get update -qq
		"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
	fi
fi
command -v script >/dev/null || { log "script(1) missing (Debian package bsdutils)"; exit 1; }

mkdir -p "$cache/bin"
exec 9>"$cache/lock"
flock 9 # one run at a time per cache: runs share the prefix

# --- 2. the Wine prefix ----------------------------------------------------------
if [[ ! -f $WINEPREFIX/.ctrlc-ready ]]; then
	log "creating the Wine prefix $WINEPREFIX"
	rm -rf "$WINEPREFIX"
	# No Mono, no Gecko: the tests need neither, and installing them is slow.
	WINEDLLOVERRIDES="mscoree,mshtml=" "$wine" wineboot --init </dev/null >/dev/null 2>&1
	"$wineserver" -w
	# With no display Wine can make no window ("no driver could be loaded"),
	# nor the package's hidden window, which gets taskkill's WM_CLOSE and the
	# end of the session. Wine's null graphics driver makes windows that are
	# never shown. The desktop process reads the setting when it starts: the
	# server is waited for before the prefix is used.
	"$wine" reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f </dev/null >/dev/null 2>&1
	"$wineserver" -w
	touch "$WINEPREFIX/.ctrlc-ready"
fi

# --- 3. the ProcessPrng shim -------------------------------------------------------
src=$repo/internal/winetest/processprng.c
cflags=(-O2 -shared -s)
key=$( (cat "$src"; echo "${cflags[*]}"; x86_64-w64-mingw32-gcc --version | head -1) | sha256sum | cut -c1-16)
dll=$cache/processprng-$key.dll
if [[ ! -f $dll ]]; then
	log "building $dll"
	x86_64-w64-mingw32-gcc "${cflags[@]}" -o "$dll.tmp" "$src" -ladvapi32
	mv "$dll.tmp" "$dll"
fi
sys32=$WINEPREFIX/drive_c/windows/system32
cmp -s "$dll" "$sys32/bcryptprimitives.dll" || cp "$dll" "$sys32/bcryptprimitives.dll"

# --- 4. the exec wrapper ------------------------------------------------------------
# go test runs GOOS=windows test binaries through go_windows_amd64_exec when
# it is on PATH. Wine gives a process a console that gets control events only
# when one of its standard handles is a terminal, and go test hands the test
# binary /dev/null and a pipe: the wrapper passes the run's terminal (made by
# script(1) below) as standard input instead of /dev/null. No test reads it.
cat >"$cache/bin/go_windows_amd64_exec.tmp" <<EOF
#!/bin/sh
# Made by scripts/wine-test.sh: runs a Windows test binary under Wine.
export WINEPREFIX="\${WINEPREFIX:-$WINEPREFIX}" WINEDEBUG="\${WINEDEBUG:--all}"
if ! [ -t 0 ] && { : </dev/tty; } 2>/dev/null; then exec </dev/tty; fi
exec $wine "\$@"
EOF
chmod +x "$cache/bin/go_windows_amd64_exec.tmp"
mv "$cache/bin/go_windows_amd64_exec.tmp" "$cache/bin/go_windows_amd64_exec"
export PATH=$cache/bin:$PATH

# A persistent wineserver saves starting one per test binary. Wine's
# background processes (services.exe, explorer.exe, ...) are started now,
# with /dev/null as their output: started by the first test binary, they
# would inherit its output pipe and keep it open, and go test would wait for
# it in vain ("Test I/O incomplete 30s after exiting").
# (wineserver -p fails when a server for the prefix already runs: use that one.
# "-p60" keeps it 60 s after the last client; "-p 60" would mean "forever".)
if "$wineserver" -p60 2>/dev/null; then
	trap '"$wineserver" -k 2>/dev/null || true' EXIT
fi
"$wine" cmd /c exit </dev/null >/dev/null 2>&1 || true

log "setup took $(($(date +%s) - t0)) s"

# --- 5. the tests, in a pseudo-terminal -----------------------------------------------
pkgs=(./...)
if (($#)); then pkgs=("$@"); fi
out=$cache/last-run.txt
# The demo's tests build the demo with go, which Wine doesn't have: hand them a
# prebuilt Windows binary instead.
demo=$cache/ctrlc-demo.exe
# A demo that does not build fails its own tests, not the other packages' run.
if ! (cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -o "$demo" ./cmd/ctrlc-demo); then
	log "cannot build ./cmd/ctrlc-demo for Windows: its tests will fail"
	rm -f "$demo"
fi
# The root package's tests of a GUI-subsystem program run this package's test
# binary built with -H=windowsgui (no console), which they cannot build
# themselves either.
gui=$cache/ctrlc-gui.test.exe
if ! (cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -ldflags=-H=windowsgui -o "$gui" .); then
	log "cannot build the root package's test binary with -H=windowsgui: TestWindowGUISubsystem will skip"
	rm -f "$gui"
	gui=
fi
cmd=$(printf '%q ' env GOOS=windows GOARCH=amd64 CGO_ENABLED=0 CTRLC_DEMO_BIN="$demo" CTRLC_GUI_TEST_BIN="$gui" \
	go test -count=1 -timeout=5m -v -skip "$skip" "${pkgs[@]}")
t1=$(date +%s)
set +e
(cd "$repo" && SHELL=/bin/bash timeout -k 10 600 script -qec "$cmd" /dev/null </dev/null) |
	tr -d '\r' | sed -u 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b\][^\x07]*\x07//g' | tee "$out"
rc=${PIPESTATUS[0]}
set -e
log "go test under Wine took $(($(date +%s) - t1)) s (exit $rc); output in $out"

# --- 6. the summary --------------------------------------------------------------------
# go test -v prints "=== RUN Name", the test's log lines, "--- PASS|FAIL|SKIP:
# Name", and "ok|FAIL <package>" at the end of each package. A skip's reason
# is its last log line, a failure's its first (or testify's "Error:" line).
awk '
	function flush(pkg,   i, s) {
		for (i = 1; i <= n; i++) {
			if (res[i] == "PASS" && index(name[i], "/")) continue # counted below
			s = subs[name[i]] ? " (" subs[name[i]] " subtests)" : ""
			if (res[i] == "SKIP" && last[name[i]] != "") s = s "  -- " last[name[i]]
			if (res[i] == "FAIL" && first[name[i]] != "") s = s "  -- " first[name[i]]
			if (length(s) > 200) s = substr(s, 1, 200) "..."
			printf "%s  %s  %s%s\n", res[i], pkg, name[i], s
		}
		if (failed && !nfail) printf "FAIL  %s  (the package)  -- %s\n", pkg, (pkgwhy != "" ? pkgwhy : "see the output")
		n = 0; nfail = 0; pkgwhy = ""; split("", subs); split("", first); split("", last); split("", err)
	}
	/^(panic: |fatal error: |goleak: |\*\*\* |# )/ && pkgwhy == "" { pkgwhy = $0 }
	/^=== (RUN|CONT) / { cur = $3; next }
	/^ +[^ ]+\.go:[0-9]+: / && cur != "" {
		r = $0; sub(/^ +/, "", r); last[cur] = r
		if (!(cur in first)) first[cur] = r
		next
	}
	/^[ \t]+Error:/ && cur != "" && !(cur in err) && first[cur] ~ /: *$/ { r = $0; gsub(/[ \t]+/, " ", r); sub(/^ /, "", r); first[cur] = first[cur] r; err[cur] = 1; next }
	/^ *--- (PASS|FAIL|SKIP): / {
		n++; res[n] = substr($2, 1, 4); name[n] = $3
		if (res[n] == "FAIL") nfail++
		if (index($3, "/")) { p = $3; sub(/\/.*/, "", p); subs[p]++ }
		next
	}
	/^(ok|FAIL)[ \t]+[^ \t]+[ \t]/ { failed = ($1 == "FAIL"); flush($2); cur = ""; next }
	END { if (n) flush("?") }
' "$out" >"$cache/summary.txt"
if grep -Eq '^(ok|FAIL)[[:space:]]+github.com/ctrlc-go/ctrlc[[:space:]]' "$out"; then
	printf 'SKIP  github.com/ctrlc-go/ctrlc  TestChildCloseWindow  -- left out by wine-test.sh: %s\n' "$skipWhy" >>"$cache/summary.txt"
fi

count() { grep -c "^$1" "$cache/summary.txt" || true; }
echo
echo "=== Windows tests under Wine: $(count PASS) passed, $(count SKIP) skipped, $(count FAIL) failed"
sort -s -k1,1r "$cache/summary.txt" | sed 's/^/  /'

status=0
if [[ $rc != 0 ]]; then
	log "FAIL: go test exited with $rc"
	status=1
fi
if grep -q '^FAIL' "$cache/summary.txt"; then status=1; fi
if (($# == 0)); then
	for t in "${REQUIRED[@]}"; do
		if ! grep -Eq "^PASS +[^ ]+ +$t( |\$)" "$cache/summary.txt"; then
			log "FAIL: $t did not run and pass under Wine (see $out)"
			status=1
		fi
	done
fi
log "total $(($(date +%s) - t0)) s"
exit $status
