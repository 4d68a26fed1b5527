#!/usr/bin/env bash
# The OSRM tools the hakobu-osrm tests run (osrm-extract, osrm-contract, osrm-routed and the car
# profile), taken from the PyPI wheel `osrm-bindings`, which ships them as executables that need
# only glibc and libstdc++. The wheel is for CPython 3.12, so pip only downloads it (whatever
# Python runs pip); nothing is installed into a Python environment.
#
# Cached under data/osrm/ (gitignored): a second run does nothing. Prints the bin directory on
# stdout (also reachable as data/osrm/bin); progress goes to stderr.
set -euo pipefail

version=26.10.0
wheel=osrm_bindings-$version-cp312-abi3-manylinux_2_28_x86_64.whl
sha256=840d6f82812eb9f9e17c71eb9083dfa15f3be2bfec4965c32aefa48b00d3a951

root="$(cd "$(dirname "$0")/.." && pwd)/data/osrm"
dir="$root/$version"
bin="$dir/osrm/bin"

runs() { "$bin/osrm-routed" --version >/dev/null 2>&1 && [ -f "$dir/osrm/share/profiles/car.lua" ]; }

if ! runs; then
  arch=$(uname -m)
  [ "$arch" = x86_64 ] || { echo "osrm-tools: the pinned wheel is for x86_64, this machine is $arch" >&2; exit 1; }
  command -v python3 >/dev/null || { echo "osrm-tools: python3 (with pip) is needed to download $wheel" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "osrm-tools: downloading osrm-bindings $version from PyPI" >&2
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --abi abi3 --platform manylinux_2_28_x86_64 \
    --dest "$tmp" "osrm-bindings==$version" >&2
  echo "$sha256  $tmp/$wheel" | sha256sum --check --quiet - >&2 ||
    { echo "osrm-tools: $wheel does not have the pinned SHA-256" >&2; exit 1; }
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 -m zipfile -e "$tmp/$wheel" "$dir"
  chmod +x "$bin"/*
  runs || {
    echo "osrm-tools: $bin/osrm-routed does not run here:" >&2
    "$bin/osrm-routed" --version >&2 || true
    exit 1
  }
fi

ln -sfn "$version/osrm/bin" "$root/bin"
echo "$bin"
