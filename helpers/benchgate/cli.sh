#!/usr/bin/env bash
# The gate's steps on a Linux daemon done by hand with the docker CLI, as a
# platform engineer's script would: daemon facts, the containers earlier runs
# left, the base image, the workload
# (create, host process table before the start, start, inspect, host process
# table after, top, force-remove, inspect until gone), the two Windows modes
# the daemon must refuse, and the list of leftovers. benchgate times it.
#   cli.sh <image> <name>
set -euo pipefail
image=$1 name=$2
label=io.github.wincontainer-gate.conformance.bench=$name

docker version --format '{{.Server.Version}} {{.Server.APIVersion}}' >/dev/null
docker info --format '{{.OSType}} {{.Isolation}} {{.KernelVersion}}' >/dev/null
docker ps -a -q --filter label=io.github.wincontainer-gate.conformance.bench >/dev/null
docker image inspect --format '{{.Os}}' "$image" >/dev/null
id=$(docker create --label "$label" --name "$name-default" "$image" ping localhost)
trap 'docker rm -f "$id" >/dev/null 2>&1 || true' EXIT
ps -e -o pid=,comm= >/dev/null
docker start "$id" >/dev/null
read -r running pid isolation < <(docker inspect --format '{{.State.Running}} {{.State.Pid}} {{.HostConfig.Isolation}}' "$id")
[ "$running" = true ] && [ "${isolation:-default}" = default ]
ps -e -o pid=,comm= | grep -q "^ *$pid ping$"
docker top "$id" | grep -q ping
docker rm -f "$id" >/dev/null
! docker inspect "$id" >/dev/null 2>&1
for mode in process hyperv; do
  ! docker create --label "$label" --name "$name-$mode" --isolation "$mode" "$image" ping localhost >/dev/null 2>&1
done
[ -z "$(docker ps -a -q --filter "label=$label")" ]
