#!/usr/bin/env bash
# Issue 25's benchmark campaign (see crates/solver/BENCHMARKS.md, "Issue 25 campaign").
# Run on a quiet machine: every table it writes is timed.
#
#   crates/solver/bench/campaign.sh [PART ...]     (default: a b c d)
#
#   a  ours 1 thread beside PyVRP 1 thread, Gehring-Homberger 400 (30 s) and 1,000 (60 s)
#   b  ours 1 thread beside PyVRP 1 thread, Li & Lim 400 (30 s) and 1,000 (60 s)
#   c  ours with --search-threads 2, one instance at a time, on all four samples
#   c1 (optional, not in the default) ours 1 thread alone, one instance at a time, all four
#      samples: the 1-thread baseline without a neighbour on the other core
#   d  the 100-stop re-measure at 5 s with PyVRP: Solomon distance-only and hierarchical,
#      Li & Lim 100 hierarchical
#
# Every run writes its own file in target/bench/scale/ (never BENCHMARKS.md), a log with the
# per-instance lines and /usr/bin/time's peak RSS of the whole process beside it; the lead
# merges the tables. `--threads 2` in a and b runs two instances at once, each worker solving
# with ours and then PyVRP on the same instance for the same time, so two single-threaded
# solvers share the two cores throughout. SEED (default 1) and PYTHON (default the venv of
# `make pyvrp-venv`) can be set in the environment.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
OUT="$ROOT/target/bench/scale"
PYTHON="${PYTHON:-$HOME/.cache/hakobu/pyvrp-venv/bin/python}"
SEED="${SEED:-1}"
BENCH="${CARGO_TARGET_DIR:-$ROOT/target}/release/bench"

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(a b c d)

for p in "${parts[@]}"; do
  case "$p" in
    a | b | c | c1 | d) ;;
    *) echo "unknown part '$p' (a, b, c, c1 or d)" >&2; exit 2 ;;
  esac
done
needs_peer=0
for p in "${parts[@]}"; do
  case "$p" in a | b | d) needs_peer=1 ;; esac
done
if [ $needs_peer -eq 1 ] && ! "$PYTHON" -c 'import pyvrp' 2>/dev/null; then
  echo "no PyVRP at $PYTHON: run 'make pyvrp-venv' or set PYTHON" >&2
  exit 2
fi

mkdir -p "$OUT"
(cd "$ROOT" && cargo build --release -p hakobu-solver --bin bench)

# run NAME ARGS...: one bench run, its table in $OUT/NAME.md, its log in $OUT/NAME.log.
run() {
  local name="$1"
  shift
  echo "== $name: bench $* ($(date -u +%H:%M:%S) UTC)"
  rm -f "$OUT/$name.md"
  /usr/bin/time -v -o "$OUT/$name.time" "$BENCH" --seed "$SEED" --out "$OUT/$name.md" "$@" \
    >/dev/null 2>"$OUT/$name.log"
  grep -h "Maximum resident set size" "$OUT/$name.time" | sed "s/^\s*/   /"
  grep -h "^\*\*" "$OUT/$name.md" | sed "s/^/   /"
}

peer=(--peer pyvrp --python "$PYTHON")
hier=(--objective hierarchical)
started=$(date +%s)
for p in "${parts[@]}"; do
  case "$p" in
    a)
      run a-gh400 --set gh400 --sample issue25 --seconds 30 "${hier[@]}" --threads 2 "${peer[@]}"
      run a-gh1000 --set gh1000 --sample issue25 --seconds 60 "${hier[@]}" --threads 2 "${peer[@]}"
      ;;
    b)
      run b-lilim400 --set lilim400 --sample issue25 --seconds 30 "${hier[@]}" --threads 2 "${peer[@]}"
      run b-lilim1000 --set lilim1000 --sample issue25 --seconds 60 "${hier[@]}" --threads 2 "${peer[@]}"
      ;;
    c | c1)
      threads=2
      [ "$p" = c1 ] && threads=1
      for set in gh400 lilim400; do
        run "$p-$set" --set $set --sample issue25 --seconds 30 "${hier[@]}" --threads 1 --search-threads $threads
      done
      for set in gh1000 lilim1000; do
        run "$p-$set" --set $set --sample issue25 --seconds 60 "${hier[@]}" --threads 1 --search-threads $threads
      done
      ;;
    d)
      run d-solomon-distance --set solomon --seconds 5 --objective distance --threads 2 "${peer[@]}"
      run d-solomon-hierarchical --set solomon --seconds 5 "${hier[@]}" --threads 2 "${peer[@]}"
      run d-lilim-hierarchical --set lilim --seconds 5 "${hier[@]}" --threads 2 "${peer[@]}"
      ;;
  esac
done
echo "done in $(( ($(date +%s) - started) / 60 )) min; tables in $OUT"
