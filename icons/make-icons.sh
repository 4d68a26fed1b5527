#!/usr/bin/env bash
# Regenerates the app icons (committed; run by hand when the design changes).
# Needs imagemagick and fonts-noto-cjk. Tauri wants RGBA PNGs.
set -euo pipefail
cd "$(dirname "$0")"
font=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
convert -size 512x512 xc:none \
  -fill '#1f4e8c' -draw 'roundrectangle 24,24 488,488 96,96' \
  -fill '#f2a93b' -draw 'roundrectangle 120,420 392,446 13,13' \
  -font "$font" -pointsize 280 -fill white -gravity center -annotate +0-36 '運' \
  PNG32:icon.png
for size in 32 128 256; do
  convert icon.png -resize ${size}x${size} PNG32:${size}x${size}.png
done
