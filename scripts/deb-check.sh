#!/usr/bin/env bash
# The installed package, checked end to end: what the .deb holds, whether the libraries the
# binary links are covered by its Depends, and the unpacked app started on a fresh profile under
# Xvfb through tauri-driver (tests/e2e/release/installed.check.js): the embedded sandbox, a
# postal lookup from the packaged gazetteer and the basemap.
#
# Unpacked with `dpkg-deb -x` into a throwaway root, not installed with `dpkg -i`: the files
# land in the same layout (usr/bin/hakobu, usr/lib/Hakobu/…), and the app finds its resources
# relative to its executable, so the check needs no root and leaves the machine as it was,
# locally and in CI alike (docs/decisions.md, "The shipped build").
#
# usage: scripts/deb-check.sh path/to/Hakobu_<version>_amd64.deb
set -euo pipefail
deb=$(realpath "${1:?usage: $0 path/to/package.deb}")
repo=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/hakobu-deb-XXXXXX")
trap 'rm -rf "$root"' EXIT
fail() { echo "deb-check: $*" >&2; exit 1; }

# 1. What the package holds.
dpkg-deb --contents "$deb" | awk '{sub(/^\.\//, "", $NF); print $NF}' >"$root/contents"
for f in usr/bin/hakobu usr/lib/Hakobu/geo/gazetteer.tsv usr/share/applications/Hakobu.desktop; do
  grep -qxF "$f" "$root/contents" || fail "the package has no $f"
done
grep -q '^usr/share/icons/hicolor/.*/apps/hakobu\.png$' "$root/contents" || fail "the package has no icon"

# 2. Every library the binary links directly comes from a package its Depends bring in
# (the Depends and, recursively, what they depend on as installed here), or from libc6.
# Read from dpkg's own database, not apt's lists, which a machine may not have fetched.
dpkg-deb -x "$deb" "$root/fs"
deps_of() { dpkg-query -W -f='${Depends},${Pre-Depends}\n' "$1" 2>/dev/null |
  tr ',' '\n' | sed -E 's/\(.*\)//; s/\|.*//; s/:any//; s/^ +| +$//g' | grep -v '^$' || true; }
depends=$(dpkg-deb --field "$deb" Depends | tr ',' '\n' | sed -E 's/\(.*\)//; s/\|.*//; s/^ +| +$//g' | grep -v '^$' || true)
[ -n "$depends" ] || fail "the package declares no Depends"
declare -A closure=()
queue=($depends)
while [ ${#queue[@]} -gt 0 ]; do
  p=${queue[0]}; queue=("${queue[@]:1}")
  [ -z "${closure[$p]:-}" ] || continue
  closure[$p]=1
  # shellcheck disable=SC2207
  queue+=($(deps_of "$p"))
done
missing=()
while read -r lib; do
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}' || true)
  [ -n "$path" ] || fail "$lib (linked by hakobu) is not on this machine"
  # dpkg knows a library by the path its package installed (merged /usr: either spelling).
  pkg=$(dpkg -S "$(realpath "$path")" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
  [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
  [ -n "$pkg" ] || fail "no package owns $path"
  [ "$pkg" = libc6 ] || [ -n "${closure[$pkg]:-}" ] || missing+=("$lib ($pkg)")
done < <(objdump -p "$root/fs/usr/bin/hakobu" | awk '/NEEDED/ {print $2}')
[ ${#missing[@]} -eq 0 ] || fail "linked but not brought in by Depends ($(echo $depends)): ${missing[*]}"
cmp -s "$root/fs/usr/lib/Hakobu/geo/gazetteer.tsv" "$repo/data/geo/gazetteer.tsv" ||
  fail "the packaged gazetteer is not data/geo/gazetteer.tsv"

# 3. The unpacked app, started as an installed one: no HAKOBU_GEO_DATA, the working directory
# outside the checkout; it must say it read the gazetteer from its own resource directory.
# xvfb-run sends the command's stderr (the app's log) to stdout: both go to the log, shown after.
log="$root/app.log"
status=0
(
  cd "$root"
  env -u HAKOBU_GEO_DATA HAKOBU_APP="$root/fs/usr/bin/hakobu" PATH="$HOME/.cargo/bin:$PATH" \
    xvfb-run -a -s "-screen 0 1280x800x24" \
    node --test --test-concurrency=1 --test-reporter=spec "$repo/tests/e2e/release/installed.check.js"
) >"$log" 2>&1 || status=$?
cat "$log"
[ "$status" -eq 0 ] || fail "the installed app's end-to-end check failed ($status)"
grep -qF "gazetteer: $root/fs/usr/lib/Hakobu/geo/gazetteer.tsv" "$log" ||
  fail "the app did not read the gazetteer from its resource directory (its log is above)"

# Last, so a run shows the app working before this: the package ships the app and nothing
# else of ours (a bench or tool binary in src-tauri/src/bin would be bundled by tauri too).
extra=$(grep '^usr/bin/.' "$root/contents" | grep -vxF usr/bin/hakobu || true)
[ -z "$extra" ] || fail "the package ships binaries besides hakobu: $(echo $extra)"
echo "deb-check: $(basename "$deb") holds the app, the gazetteer and the basemap; its Depends cover what it links; installed, it opened on the sandbox with geocoding and the basemap"
