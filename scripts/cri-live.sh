#!/usr/bin/env bash
# make cri-live: the containerd (CRI) gate, live, against a private containerd
# (scripts/private-containerd.sh): the gate must pass against it and leave
# nothing behind; against a broken variant (its sandbox_image names an image
# the node does not hold) it must fail, on sandbox-image. Each private
# containerd is stopped by pid, also when a run fails or is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
images=(conformance/busybox:local conformance/pause:local)
bin=$(mktemp -d /tmp/conformance-cri-bin-XXXXXX)
dirs=()
cleanup() {
  for d in "${dirs[@]}"; do scripts/private-containerd.sh stop "$d"; done
  rm -rf "$bin"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

$GO test -c -o "$bin/conformance.test" .

run_gate() { # endpoint, log
  CONFORMANCE_MODE=live CONFORMANCE_ENGINE=containerd CONTAINER_RUNTIME_ENDPOINT="$1" \
    "$bin/conformance.test" -test.count=1 -test.v -test.run '^TestConformance$' >"$2" 2>&1
}

good=$(mktemp -d /tmp/conformance-containerd-XXXXXX); dirs+=("$good")
endpoint=$(scripts/private-containerd.sh start "$good" "${images[@]}")
echo "private containerd $(cat "$good/containerd.pid") at $endpoint"
if ! run_gate "$endpoint" "$bin/good.log"; then
  grep -E -A8 -- '--- FAIL|fail: ' "$bin/good.log" | head -60
  echo "cri-live: the gate FAILED against the private containerd"; exit 1
fi
grep -E '^(ok|PASS)|required claims:' "$bin/good.log" | head -3
left=$(ctr -a "${endpoint#unix://}" -n k8s.io containers ls -q | wc -l)
if [ "$left" != 0 ]; then
  echo "cri-live: $left container(s) left on the private containerd"; exit 1
fi
echo "cri-live: passed, nothing left on the runtime"

# Interrupted and killed runs: a gate run is stopped while its pods exist
# (polled with ctr); SIGINT must leave none (removed by the handler, or by
# the row itself when its removal was already under way) and exit 130; after
# SIGKILL the next run must sweep them as a dead run's. A run that ends
# before a pod is seen is tried again.
sock=${endpoint#unix://}
pods() { ctr -a "$sock" -n k8s.io containers ls -q 2>/dev/null | wc -l; }
stop_midrun() { # signal, log: 0 once a run was signalled while a pod existed
  local sig=$1 log=$2 pid
  for _ in $(seq 1 10); do
    CONFORMANCE_MODE=live CONFORMANCE_ENGINE=containerd CONTAINER_RUNTIME_ENDPOINT="$endpoint" \
      "$bin/conformance.test" -test.count=1 -test.v -test.run '^TestConformance$' >"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      # two containers: the sandbox and its workload, so the row is mid-way
      if [ "$(pods)" -ge 2 ]; then kill "-$sig" "$pid"; wait "$pid"; return $?; fi
    done
    wait "$pid" || true
  done
  echo "cri-live: no run could be caught with a pod in 10 tries"; exit 1
}
code=0; stop_midrun INT "$bin/int.log" || code=$?
if [ "$code" != 130 ] || ! grep -q 'conformance: interrupted by SIGINT: removed' "$bin/int.log" || [ "$(pods)" != 0 ]; then
  tail -n 20 "$bin/int.log"; echo "cri-live: SIGINT: exit $code, $(pods) container(s) left (want 130, none)"; exit 1
fi
echo "cri-live: SIGINT mid-run: exit 130, $(grep -o 'removed [0-9]* sandbox(es)' "$bin/int.log"), nothing left"
stop_midrun KILL "$bin/kill.log" || true
left=$(pods)
if [ "$left" = 0 ]; then echo "cri-live: SIGKILL left no pod to sweep"; exit 1; fi
if ! run_gate "$endpoint" "$bin/sweep.log" || ! grep -q 'conformance: sweep: removed container' "$bin/sweep.log" || [ "$(pods)" != 0 ]; then
  grep -E 'sweep|--- FAIL' "$bin/sweep.log" | head; echo "cri-live: the run after a SIGKILL did not sweep the dead run's pods"; exit 1
fi
echo "cri-live: SIGKILL mid-run left $left container(s); the next run swept them ($(grep -c 'conformance: sweep: removed' "$bin/sweep.log") sandbox(es)) and passed"

broken=$(mktemp -d /tmp/conformance-containerd-XXXXXX); dirs+=("$broken")
endpoint=$(SANDBOX_IMAGE=conformance/pause:absent scripts/private-containerd.sh start "$broken" "${images[@]}")
if run_gate "$endpoint" "$bin/broken.log"; then
  echo "cri-live: the gate PASSED against a containerd whose sandbox image is absent"; exit 1
fi
if ! grep -q 'sandbox-image fail: the sandbox image docker.io/conformance/pause:absent is not on the node\|sandbox-image fail: the sandbox image conformance/pause:absent is not on the node' "$bin/broken.log"; then
  grep -E -A6 -- '--- FAIL' "$bin/broken.log" | head -40
  echo "cri-live: the broken variant failed, but not on sandbox-image"; exit 1
fi
echo "cri-live: the broken variant (sandbox image absent) fails on sandbox-image"
