#!/usr/bin/env bash
# Runs every fuzz target for a while each (default 30s): FUZZTIME=2m scripts/fuzz.sh
# New failing inputs land in testdata/fuzz/ of their package: commit them with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${FUZZTIME:-30s}
for pkg in ./dingtalk ./watch ./config; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "== $pkg $target ($time)"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time"
  done
done
