#!/usr/bin/env bash
# Applies each mutation of scripts/mutants.txt to a scratch copy of the
# repository and runs the self-tests there (replay: no daemon needed). Every
# listed mutation must be killed (some test fails); the script lists each
# one's fate and exits non-zero when one survived or no longer applies.
set -uo pipefail
cd "$(dirname "$0")/.."
list=${1:-scripts/mutants.txt}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$scratch"

mutate() { # file from to: replace the one occurrence of from in file
  local path=$scratch/$1 from=$2 to=$3 text n
  text=$(<"$path")
  n=$(grep -cF -- "$from" "$path")
  if [ "$n" != 1 ]; then
    echo "does not apply: \"$from\" occurs $n times in $1; update $list"
    return 1
  fi
  printf '%s\n' "${text/"$from"/"$to"}" >"$path"
}

killed=0 survived=0 stale=0 total=0 what="" file="" from=""
run() { # one mutation, then the scratch copy is restored
  total=$((total + 1))
  cp "$1" "$scratch/$1.orig"
  if ! mutate "$1" "$2" "$3"; then
    stale=$((stale + 1)); echo "STALE     $what"
  elif (cd "$scratch" && CONFORMANCE_MODE=replay GOFLAGS=-count=1 go test -failfast ./... >"$scratch/out.log" 2>&1); then
    survived=$((survived + 1)); echo "SURVIVED  $what ($1)"
  else
    killed=$((killed + 1))
    first=$(grep -m1 -oE -e '--- FAIL: [^ ]+' "$scratch/out.log" | sed 's/--- FAIL: //')
    echo "killed    $what: ${first:-the build or vet failed}"
  fi
  mv "$scratch/$1.orig" "$scratch/$1"
}

while IFS= read -r line; do
  case "$line" in
    "# "*) what=${line#"# "} ;;
    "file: "*) file=${line#"file: "} ;;
    "from: "*) from=${line#"from: "} ;;
    "to:   "*) run "$file" "$from" "${line#"to:   "}" ;;
  esac
done <"$list"

echo "mutants: $total listed, $killed killed, $survived survived, $stale no longer apply"
[ "$survived" -eq 0 ] && [ "$stale" -eq 0 ]
