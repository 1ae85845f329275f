#!/usr/bin/env bash
# `make wine`: the Windows code of the gate, run under Wine (docs/wine.md).
#   1. a private Wine prefix under $WINE_BUILD (never $HOME), with the
#      bcryptprimitives.dll shim built from scripts/wine/ (Go needs ProcessPrng);
#   2. the Windows test binaries of the helpers, counted: ran, passed, skipped (and why);
#   3. dist/conformance-gate.exe (make windows-exe) replays every fixture: its
#      report, written beside it, must equal the Linux build's claim by claim;
#      exit codes 0 (a passing run), 1 (a broken host: no daemon), 2 (an unknown flag);
#   4. the same .exe, live with its defaults, against a described Windows host
#      served on \.\pipe\docker_engine by stand-in services (helpers/fixturegen's
#      Windows build): its verdicts must be scripts/wine/host's expected ones.
# The prefix's wineserver is killed at the end, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
build=$(realpath -m "${WINE_BUILD:-build/wine}")
dist=$(realpath -m "${DIST:-dist}")
exe=$dist/conformance-gate.exe
export WINEPREFIX=$build/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
mkdir -p "$build/bin"

for tool in wine wineserver x86_64-w64-mingw32-gcc; do
  command -v "$tool" >/dev/null || { echo "no $tool: apt-get install wine64 wine gcc-mingw-w64-x86-64-win32 (.ci/run does)"; exit 1; }
done
[ -f "$exe" ] || { echo "no $exe: run make windows-exe first"; exit 1; }

host=$build/host
holder=
stop_wine() {
  # The live host's services and processes go first (and are checked gone),
  # then the session holder, then everything else of the prefix.
  if [ -n "$holder" ]; then
    wine "$host/fixturegen.exe" wine teardown "$host" || echo "the live Windows host was not torn down cleanly"
    kill "$holder" 2>/dev/null || true
  fi
  wineserver -k 2>/dev/null || true
}
trap stop_wine EXIT
started=$(date +%s)

# 1. The prefix and the shim.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "creating the Wine prefix $WINEPREFIX"
  wine wineboot --init >/dev/null 2>&1 || true
  wineserver -w
fi
# Windows 10 (build 18362): the live host's daemon describes that build.
wine winecfg -v win10 >/dev/null 2>&1
shim=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
x86_64-w64-mingw32-gcc -O2 -shared -o "$build/bcryptprimitives.dll" scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32
cp "$build/bcryptprimitives.dll" "$shim"
echo "wine: $(wine --version), prefix $WINEPREFIX ($(($(date +%s) - started)) s)"

# 2. The Windows test binaries of every helper package with tests but the
# Linux-side tools (benchgate, release: they run on the CI host), each run in
# its package folder. A test whose only failure is t.TempDir's cleanup is
# counted apart (Wine 8 cannot delete the way Go 1.26 does: docs/wine.md).
$GO build -o "$build/bin/winecheck" ./helpers/winecheck
specs=()
for dir in $(GOOS=windows $GO list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.Dir}}{{end}}' ./helpers/...); do
  pkg=$(realpath --relative-to=. "$dir")
  case $pkg in helpers/benchgate | helpers/release) continue ;; esac
  bin=$build/bin/${pkg//\//_}.test.exe
  GOOS=windows GOARCH=amd64 $GO test -c -o "$bin" "./$pkg"
  specs+=("$pkg=$bin")
done
log=$build/tests.log
if ! "$build/bin/winecheck" tests "${specs[@]}" >"$log"; then
  grep -E -- '--- FAIL|FAILED|Windows-binary tests' "$log" | tail -40
  echo "the Windows test binaries failed under Wine (log: $log)"
  exit 1
fi
sed -n '/^Windows-binary tests under Wine/,$p' "$log"

# 3. The shipped .exe replays every fixture; its report must equal the Linux build's.
rm -f "$dist/conformance-report.json" "$dist/conformance-junit.xml"
linux_report=$build/linux-report.json
CONFORMANCE_MODE=replay CONFORMANCE_REPORT="$linux_report" CONFORMANCE_JUNIT= \
  $GO test -count=1 -tags gatebinary -run '^TestConformance$' . >"$build/linux-replay.log" 2>&1 ||
  { tail -40 "$build/linux-replay.log"; echo "the Linux replay failed"; exit 1; }
status=0
CONFORMANCE_MODE=replay CONFORMANCE_FIXTURES="$(realpath fixtures)" wine "$exe" >"$build/exe-replay.log" 2>&1 || status=$?
[ "$status" = 0 ] || { tail -40 "$build/exe-replay.log"; echo "conformance-gate.exe replay: exit code $status, want 0"; exit 1; }
for f in conformance-report.json conformance-junit.xml; do
  [ -s "$dist/$f" ] || { echo "conformance-gate.exe wrote no $f beside itself in $dist"; exit 1; }
done
"$build/bin/winecheck" compare "$linux_report" "$dist/conformance-report.json"
grep -q '<testcase' "$dist/conformance-junit.xml" || { echo "$dist/conformance-junit.xml has no test case"; exit 1; }

# Exit codes as the README documents them: 1 for a broken host (here: no
# daemon on the default pipe), 2 for an unknown flag.
status=0
CONFORMANCE_MODE=live wine "$exe" >"$build/exe-unreachable.log" 2>&1 || status=$?
[ "$status" = 1 ] || { tail -20 "$build/exe-unreachable.log"; echo "conformance-gate.exe with no daemon: exit code $status, want 1"; exit 1; }
grep -q 'daemon-reachable' "$build/exe-unreachable.log" || { echo "the unreachable run does not name daemon-reachable"; exit 1; }
# The host's own facts are reported even though the daemon did not answer.
grep -Eq '^host: windows [0-9]+( \([a-z, ]+ unknown\))?; daemon did not answer' "$build/exe-unreachable.log" ||
  { grep '^host:' "$build/exe-unreachable.log"; echo "the unreachable run does not report the host's own OS and build"; exit 1; }
status=0
wine "$exe" -no-such-flag >"$build/exe-flag.log" 2>&1 || status=$?
[ "$status" = 2 ] || { cat "$build/exe-flag.log"; echo "conformance-gate.exe -no-such-flag: exit code $status, want 2"; exit 1; }
echo "conformance-gate.exe exit codes: 0 replaying every fixture, 1 with no daemon on the default pipe, 2 for an unknown flag"

# 4. The live Windows path: the gate with its defaults (live, no DOCKER_HOST)
# against the described host served on \\.\pipe\docker_engine by a docker
# service in Wine's service manager, beside vmcompute and vmms stand-ins.
# The gate's verdicts on it must be the description's expected ones.
rm -rf "$host" && mkdir -p "$host"
GOOS=windows GOARCH=amd64 $GO build -o "$host/fixturegen.exe" ./helpers/fixturegen
wine "$host/fixturegen.exe" wine teardown "$host" >/dev/null 2>&1 || true # what a killed earlier run left
# wineserver stops the service manager and its services once the last
# ordinary process exits: wine-session.exe keeps the session until teardown.
cp "$host/fixturegen.exe" "$host/wine-session.exe"
wine "$host/wine-session.exe" &
holder=$!
wine "$host/fixturegen.exe" wine setup "$host" fixtures ../scripts/wine/host
status=0
( unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH ${!CONFORMANCE_*}; timeout 600 wine "$exe" -test.v ) >"$build/exe-live.log" 2>&1 || status=$?
cp "$dist/conformance-report.json" "$build/live-report.json"
sed -n '/^conformance gate: live/,/^required claims/p' "$build/exe-live.log"
wine "$host/fixturegen.exe" wine teardown "$host"
echo "teardown: the services docker, vmcompute and vmms are deleted and no stand-in or container process runs"
"$build/bin/winecheck" expect "$build/live-report.json" scripts/wine/host/description.yaml "$status"
echo "make wine: $(($(date +%s) - started)) s"
