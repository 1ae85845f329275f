#!/usr/bin/env bash
# make release-check: what a release must be, shown on the committed HEAD.
#  1. make release in a fresh clone (no tags unless the repository has them;
#     in CI's clone there are none, so the version is a pseudo-version);
#  2. make release again in a second clone in another folder: the targets of
#     RELEASE_CHECK_COLD (default: all; none: no cold build) with an empty Go build cache (with
#     -trimpath the folder is not in the cache's keys, so a cache hit would
#     prove nothing), the others from the shared cache (their archives, SBOMs
#     and checksums still rebuilt): every artifact must be byte-identical;
#  3. checksums.txt passes sha256sum -c; no binary holds a local path (the
#     clone's folder, the module cache, GOPATH, GOCACHE, GOROOT);
#  4. the Linux binary's -version names the version and commit
#     scripts/version.sh gives, and the report it writes (a replay of one
#     fixture) carries them as harness_version and harness_commit.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
head=$(git -C "$root" rev-parse HEAD)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

clone() { # a clone of HEAD with the repository's tags, in folder $1
  git clone -q --no-checkout "$root" "$1"
  git -C "$1" checkout -q --detach "$head"
  # RELEASE_CHECK_TAG=v0.1.0: check a tagged release (the tag only in the clones)
  [ -z "${RELEASE_CHECK_TAG:-}" ] || git -C "$1" tag "$RELEASE_CHECK_TAG"
}

start=$SECONDS
clone "$work/first"
make -s -C "$work/first" release
echo "first release: $((SECONDS - start)) s"

a=$work/first/dist/release
second=$work/second-folder/elsewhere
b=$second/dist/release
clone "$second"
cold=${RELEASE_CHECK_COLD:-$(make -s -C "$second" --no-print-directory print-release-targets)}
if [ "$cold" != none ]; then
  start=$SECONDS
  GOCACHE="$work/empty-gocache" make -s -C "$second" release RELEASE_TARGETS="$cold"
  echo "second release of $cold, empty build cache: $((SECONDS - start)) s"
  for f in "$b"/*; do
    [ "$(basename "$f")" = checksums.txt ] && continue
    cmp "$a/$(basename "$f")" "$f" || { echo "$(basename "$f") differs between the two folders"; exit 1; }
  done
  rm -rf "$work/empty-gocache"
fi
start=$SECONDS
make -s -C "$second" release
echo "second release of every target, shared build cache: $((SECONDS - start)) s"
if ! diff -r "$a" "$b"; then
  echo "the two releases of $head differ"
  exit 1
fi
echo "the two releases are byte-identical: $(cd "$a" && ls | tr '\n' ' ')"

(cd "$a" && sha256sum -c --quiet checksums.txt) && echo "checksums.txt: sha256sum -c accepts every line"

want_version=$(cd "$work/first" && scripts/version.sh version)
unzip=(unzip -o -q)
command -v unzip >/dev/null || unzip=(/bin/busybox unzip -o -q) # CI installs busybox-static
unpacked=$work/unpacked
mkdir -p "$unpacked"
for archive in "$a"/*.tar.gz "$a"/*.zip; do
  case $archive in
  *.tar.gz) tar -xzf "$archive" -C "$unpacked" ;;
  *.zip) (cd "$unpacked" && "${unzip[@]}" "$archive") ;;
  esac
  for f in README.md LICENSE CHANGELOG.md; do
    [ -f "$unpacked/$f" ] || { echo "$(basename "$archive") has no $f"; exit 1; }
  done
  for bin in "$unpacked"/conformance-gate "$unpacked"/conformance-gate.exe; do
    [ -f "$bin" ] || continue
    # (not $HOME: for root that is /root, a literal of the redaction code)
    for p in "$work" "$(go env GOMODCACHE)" "$(go env GOROOT)" "$(go env GOPATH)" "$(go env GOCACHE)"; do
      if grep -q -F -- "$p" "$bin"; then
        echo "$(basename "$archive"): the binary holds the local path $p"
        exit 1
      fi
    done
  done
  rm -f "$unpacked"/conformance-gate "$unpacked"/conformance-gate.exe
done
echo "every archive has the binary, README.md, LICENSE and CHANGELOG.md; no binary holds a local path"

tar -xzf "$a"/conformance-gate_*_linux_amd64.tar.gz -C "$unpacked"
out=$("$unpacked/conformance-gate" -version)
echo "$out"
grep -q -x -F "conformance-gate $want_version" <<<"$out" || { echo "-version does not name $want_version"; exit 1; }
grep -q -x -F "commit: $head" <<<"$out" || { echo "-version does not name commit $head"; exit 1; }

# The gate outside the repository, replaying one recorded host: its report
# names the build.
fixtures=$work/first/fixtures
(cd "$unpacked" && env -u GITHUB_STEP_SUMMARY CONFORMANCE_MODE=replay CONFORMANCE_FIXTURES="$fixtures" CONFORMANCE_REPORT="$unpacked/report.json" \
  CONFORMANCE_JUNIT=off ./conformance-gate -test.run '^TestConformance$/^linux-debian12-docker.io-20.10$' >"$unpacked/run.log" 2>&1) ||
  { cat "$unpacked/run.log"; exit 1; }
grep -q "\"harness_version\": \"$want_version\"" "$unpacked/report.json" &&
  grep -q "\"harness_commit\": \"$head\"" "$unpacked/report.json" ||
  { echo "the report does not name $want_version and $head:"; head -8 "$unpacked/report.json"; exit 1; }
echo "the report's harness_version is $want_version, its harness_commit $head"
