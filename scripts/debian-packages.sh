#!/usr/bin/env bash
# Installs the Debian packages Hakobu needs to build, run and test, skipping those present.
# Runs apt-get update first when anything is missing; uses sudo when not root.
set -euo pipefail

packages=(
  pkg-config build-essential python3 python3-pip
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  webkit2gtk-driver xvfb xauth imagemagick fonts-noto-cjk
  dbus-daemon  # a private session bus for the single-instance end-to-end test
  gnome-keyring libsecret-tools  # a real Secret Service (and secret-tool) for tests/keyring.rs
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
