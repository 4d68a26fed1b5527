#!/usr/bin/env bash
# The toolchains the machine must already have (they cannot be fetched from the registries):
# cargo from rustup (rust-toolchain.toml pins the version) and Node.js 20.19+ with npm.
set -euo pipefail
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "node/npm not found: install Node.js 20.19 or newer" >&2; exit 1; }
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  if (maj < 20 || (maj === 20 && min < 19)) {
    console.error(`Node.js ${process.versions.node} is too old: Vite 8 needs 20.19 or newer`);
    process.exit(1);
  }'
