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
# `make pyvrp-venv`) can be set in the environment. SMOKE=1 proves the harness in about two
# minutes: every run takes one instance of its sample at 2 s (its tables mean nothing).
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

T100=5 T400=30 T1000=60
if [ "${SMOKE:-0}" = 1 ]; then
  T100=2 T400=2 T1000=2
fi
# With SMOKE=1, one instance of each set (all in issue 25's sample).
smoke_only() {
  [ "${SMOKE:-0}" = 1 ] || return 0
  case "$1" in
    gh400) echo "--only rc2_4_6" ;;
    gh1000) echo "--only r1_10_1" ;;
    lilim400) echo "--only LRC1_4_1" ;;
    lilim1000) echo "--only LC2_10_6" ;;
    solomon) echo "--only R109" ;;
    lilim) echo "--only lr101" ;;
  esac
}

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
      run a-gh400 --set gh400 --sample issue25 $(smoke_only gh400) --seconds $T400 "${hier[@]}" --threads 2 "${peer[@]}"
      run a-gh1000 --set gh1000 --sample issue25 $(smoke_only gh1000) --seconds $T1000 "${hier[@]}" --threads 2 "${peer[@]}"
      ;;
    b)
      run b-lilim400 --set lilim400 --sample issue25 $(smoke_only lilim400) --seconds $T400 "${hier[@]}" --threads 2 "${peer[@]}"
      run b-lilim1000 --set lilim1000 --sample issue25 $(smoke_only lilim1000) --seconds $T1000 "${hier[@]}" --threads 2 "${peer[@]}"
      ;;
    c | c1)
      threads=2
      [ "$p" = c1 ] && threads=1
      for set in gh400 lilim400; do
        run "$p-$set" --set $set --sample issue25 $(smoke_only $set) --seconds $T400 "${hier[@]}" --threads 1 --search-threads $threads
      done
      for set in gh1000 lilim1000; do
        run "$p-$set" --set $set --sample issue25 $(smoke_only $set) --seconds $T1000 "${hier[@]}" --threads 1 --search-threads $threads
      done
      ;;
    d)
      run d-solomon-distance --set solomon $(smoke_only solomon) --seconds $T100 --objective distance --threads 2 "${peer[@]}"
      run d-solomon-hierarchical --set solomon $(smoke_only solomon) --seconds $T100 "${hier[@]}" --threads 2 "${peer[@]}"
      run d-lilim-hierarchical --set lilim $(smoke_only lilim) --seconds $T100 "${hier[@]}" --threads 2 "${peer[@]}"
      ;;
  esac
done
echo "done in $(( ($(date +%s) - started) / 60 )) min; tables in $OUT"
