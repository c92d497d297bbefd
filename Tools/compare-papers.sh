#!/usr/bin/env bash
# Tools/compare-papers.sh BASE [Target ...]  (make compare BASE=<commit> [PAPERS="A B"] [ROUNDS=2])
#
# A speed-up measured the only fair way on a shared machine: each paper's full run by the binary of
# commit BASE and by this checkout's, one after the other (base, this, base, this, ...), on 1 and on 2
# threads, ROUNDS times; then the median wall times and their ratio. The base is built in a
# temporary worktree with this Makefile's flags. Both runs write their reports to a scratch
# directory, and their claims.json files are compared: when they differ, the two binaries did not
# run the same experiment and the ratio is marked as comparing different work.
set -euo pipefail
if [ $# -lt 1 ]; then echo "usage: Tools/compare-papers.sh BASE [Target ...]" >&2; exit 2; fi
base=$1; shift
root=$(git rev-parse --show-toplevel)
git -C "$root" rev-parse --verify --quiet "$base^{commit}" >/dev/null || { echo "unknown commit '$base'" >&2; exit 2; }
rounds=${ROUNDS:-2}
scratch=$(mktemp -d)
wt="$scratch/base"
cleanup() { git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true; rm -rf "$scratch"; }
trap cleanup EXIT

papers=("$@")
if [ ${#papers[@]} -eq 0 ]; then
  for f in "$root"/Papers/*/main.swift; do papers+=("$(basename "$(dirname "$f")")"); done
fi

echo "building this checkout and $base (in $wt) ..." >&2
make -s -C "$root" build >&2
git -C "$root" worktree add --detach --quiet "$wt" "$base"
make -s -C "$wt" -f "$root/Makefile" build >&2

now() { date +%s%N; }
declare -A times
for r in $(seq 1 "$rounds"); do
  for p in "${papers[@]}"; do
    if [ ! -x "$wt/.build/release/$p" ]; then echo "$p: not in $base, skipped" >&2; continue; fi
    for t in 1 2; do
      for which in base this; do
        bin="$root/.build/release/$p"; [ "$which" = base ] && bin="$wt/.build/release/$p"
        out="$scratch/$which-$t"; mkdir -p "$out"
        t0=$(now)
        "$bin" --threads "$t" --out "$out" >/dev/null 2>"$out/run.log" || { cat "$out/run.log" >&2; exit 1; }
        t1=$(now)
        s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
        times["$p,$t,$which"]="${times["$p,$t,$which"]:-} $s"
        echo "round $r: $p, $t thread(s), $which: $s s" >&2
      done
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "Full runs, $base against $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (with local changes)'), medians of $rounds alternating runs:"
echo
echo "| paper | threads | $base (s) | this (s) | speed-up | same experiment |"
echo "|---|---|---|---|---|---|"
for p in "${papers[@]}"; do
  [ -x "$wt/.build/release/$p" ] || continue
  slug=$("$root/.build/release/$p" --slug)
  for t in 1 2; do
    b=$(echo "${times["$p,$t,base"]}" | median); n=$(echo "${times["$p,$t,this"]}" | median)
    same=yes; cmp -s "$scratch/base-$t/$slug.claims.json" "$scratch/this-$t/$slug.claims.json" || same="no: claims.json differ"
    echo "| $p | $t | $b | $n | $(awk -v a="$b" -v b="$n" 'BEGIN { printf "%.2fx", a / b }') | $same |"
  done
done
