#!/usr/bin/env bash
# Build dingwatch release binaries: static (CGO_ENABLED=0), reproducible
# (-trimpath), with the version, commit and build date that
# `dingwatch --version` prints.
#
#   scripts/release.sh [VERSION]              # all targets into dist/
#   TARGETS="linux/arm64" scripts/release.sh  # only some targets
#   OUT=/tmp/rel scripts/release.sh v1.2.3    # elsewhere
#
# VERSION defaults to `git describe --tags --always --dirty`. Each binary is
# dist/dingwatch-VERSION-GOOS-GOARCH[.exe]; SHA256SUMS lists them.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# The commit's time, not the clock: the same commit builds the same binary.
date=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || TZ=UTC date +%Y-%m-%dT%H:%M:%SZ)
targets=${TARGETS:-"linux/amd64 linux/arm64 darwin/arm64 windows/amd64"}
out=${OUT:-dist}
pkg=github.com/dingwatch/dingwatch/cli
ldflags="-s -w -X $pkg.version=$version -X $pkg.commit=$commit -X $pkg.date=$date"

mkdir -p "$out"
for target in $targets; do
  goos=${target%/*}
  goarch=${target#*/}
  name="dingwatch-$version-$goos-$goarch"
  [ "$goos" = windows ] && name="$name.exe"
  echo "building $out/$name"
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch \
    go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out/$name" .
done
(cd "$out" && sha256sum dingwatch-"$version"-* > SHA256SUMS)
echo "done: $out/SHA256SUMS"
