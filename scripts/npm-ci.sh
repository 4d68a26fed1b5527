#!/usr/bin/env bash
# `npm ci` in a folder, only when its lockfile changed since the last install.
set -euo pipefail
dir=$1
stamp="$dir/node_modules/.hakobu-lock-stamp"
if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
  exit 0
fi
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
cp "$dir/package-lock.json" "$stamp"
