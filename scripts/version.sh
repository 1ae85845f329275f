#!/usr/bin/env bash
# The build's identity from git, for the Makefile's GATE_LDFLAGS (the one
# place the gate's version, commit and date are set; see docs/releases.md).
#   scripts/version.sh version   v0.4.0 on a tagged commit; a Go pseudo-version
#                                otherwise (v0.0.0-20261203073000-0123456789ab
#                                with no tag before it, v0.4.1-0.<time>-<commit>
#                                after v0.4.0); "+dirty" when tracked files changed
#   scripts/version.sh commit    the full commit hash
#   scripts/version.sh date      the commit's time, RFC 3339 UTC (the build date:
#                                the clock would make every build differ)
#   scripts/version.sh ldflags   the three as the linker's -X flags for
#                                helpers/version: what the Makefile and action.yml link in
# Outside a git work tree (a source archive): devel, unknown, unknown.
set -euo pipefail
what=${1:-version}
if [ "$what" = ldflags ]; then
  here=$(dirname "$0")
  pkg=github.com/wincontainer-gate/conformance/helpers/version
  echo "-X $pkg.version=$("$here/version.sh" version) -X $pkg.commit=$("$here/version.sh" commit) -X $pkg.date=$("$here/version.sh" date)"
  exit 0
fi
semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$'

if ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  case $what in version) echo devel ;; *) echo unknown ;; esac
  exit 0
fi

commit=$(git rev-parse HEAD)
case $what in
commit) echo "$commit"; exit 0 ;;
date) TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD; exit 0 ;;
version) ;;
*) echo "scripts/version.sh: unknown argument $what (version, commit, date or ldflags)" >&2; exit 2 ;;
esac

dirty=
[ -z "$(git status --porcelain 2>/dev/null)" ] || dirty=+dirty

# The highest semantic-version tag on HEAD itself is the version.
exact=$(git tag --points-at HEAD --list 'v[0-9]*' | grep -E "$semver" | sort -V | tail -n1 || true)
if [ -n "$exact" ]; then
  echo "$exact$dirty"
  exit 0
fi

# Otherwise a pseudo-version as the go command forms them
# (golang.org/x/mod/module.PseudoVersion): the commit's UTC time and the
# first 12 hex digits of its hash, after the nearest semantic-version tag.
stamp=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S HEAD)
short=${commit:0:12}
base=$(git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD 2>/dev/null || true)
if [ -z "$base" ] || ! [[ $base =~ $semver ]]; then
  echo "v0.0.0-$stamp-$short$dirty"
elif [[ $base == *-* ]]; then
  echo "$base.0.$stamp-$short$dirty" # after a pre-release: v1.0.0-rc.1.0.<time>-<commit>
else
  IFS=. read -r major minor patch <<<"${base#v}"
  echo "v$major.$minor.$((patch + 1))-0.$stamp-$short$dirty"
fi
