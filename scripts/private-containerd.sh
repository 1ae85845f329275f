#!/usr/bin/env bash
# A private containerd for the CRI live gate: its own root, state, gRPC,
# ttrpc and debug addresses, runc root and config, inside a network namespace
# of its own (unshare --net), tracked by pid. It never touches the system
# containerd (the one dockerd runs). Usage:
#   private-containerd.sh start DIR IMAGE... # start it in DIR, import the images (docker save | ctr import)
#   private-containerd.sh stop DIR           # stop it and its shims by pid, remove DIR
# start prints the CRI endpoint (unix://DIR/containerd.sock).
# Two settings are required on a host like CI's (see docs/containerd.md):
# restrict_oom_score_adj (root without CAP_SYS_RESOURCE cannot lower the
# sandbox's oom_score_adj) and sandbox_image naming a local image.
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?folder}
sock=$dir/containerd.sock

stop() {
  local pid
  if [ -s "$dir/containerd.pid" ]; then
    pid=$(cat "$dir/containerd.pid")
    if [ -d "/proc/$pid" ] && grep -qa -- "$dir/config.toml" "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
      [ -d "/proc/$pid" ] && kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  # Shims outlive containerd by design: end those started for this socket
  # (their command line names it), by pid.
  for p in /proc/[0-9]*; do
    if grep -qa -- "$sock" "$p/cmdline" 2>/dev/null; then
      kill -9 "${p#/proc/}" 2>/dev/null || true
    fi
  done
  # Mounts a killed task may leave under the private root and state.
  if [ -d "$dir" ]; then
    awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$dir"
  fi
}

case $cmd in
start)
  shift 2
  mkdir -p "$dir"
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = "$dir/debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${SANDBOX_IMAGE:-conformance/pause:local}"
  restrict_oom_score_adj = ${RESTRICT_OOM_SCORE_ADJ:-true}
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$dir/runc"
TOML
  # The namespace's loopback is brought up as on a node (the workload pings
  # localhost); unshare and sh exec, so $! is containerd's pid.
  unshare --net sh -c '/bin/busybox ip link set lo up && exec containerd --config "$1"' sh "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  echo $! >"$dir/containerd.pid"
  for _ in $(seq 1 100); do
    ctr -a "$sock" version >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! ctr -a "$sock" version >/dev/null 2>&1; then
    echo "private containerd did not answer within 10 s; the tail of its log:" >&2
    tail -n 30 "$dir/containerd.log" >&2 || true
    stop
    exit 1
  fi
  for image in "$@"; do
    docker save "$image" | ctr -a "$sock" -n k8s.io images import - >/dev/null
  done
  echo "unix://$sock"
  ;;
stop) stop ;;
*) echo "usage: $0 start DIR IMAGE... | stop DIR" >&2; exit 2 ;;
esac
