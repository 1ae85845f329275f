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
