#!/usr/bin/env bash
# Regenerate the man pages in docs/man from the commands' own help
# (cobra/doc). Run it after changing a command or flag; the test
# TestManPagesAreCurrent fails until then.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf docs/man
go run . man docs/man
ls docs/man
