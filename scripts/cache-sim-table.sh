#!/usr/bin/env bash
# Hit ratios of the L1 policy (fastbreak) and of LRU on every row of the reference table in
# ../shared/traces/README.md, printed as a Markdown table beside the README's numbers
# (docs/performance.md, "L1 cache policy"). The bar: fastbreak within 1 point of the best
# reference policy on every row, and never more than 1 point below LRU. About a minute.
#
# Environment (all optional):
#   FASTBREAK   the binary (default build/release/fastbreak, which must exist)
#   TRACES      the traces folder (default ../shared/traces beside the checkout)
# Exits 1 when a row misses the bar.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FASTBREAK="${FASTBREAK:-$ROOT/build/release/fastbreak}"
TRACES="${TRACES:-$ROOT/../shared/traces}"

log() { printf '[cache-sim-table %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 2; }
[[ -x "$FASTBREAK" ]] || die "$FASTBREAK not found (build it: make release, or set FASTBREAK)"
[[ -d "$TRACES" ]] || die "$TRACES not found (set TRACES)"

# The README's table: file, entries, LRU, ARC, LIRS, W-TinyLFU 1%, W-TinyLFU adaptive ("-":
# not given). Keep in sync with ../shared/traces/README.md and src/cache/cache_sim_test.cpp.
ROWS="
lirs_gli.trace.gz 1000 11.21 21.30 50.72 50.79 50.79
lirs_loop.trace.gz 512 0.00 0.00 50.05 50.03 -
lirs_multi2.trace.gz 1000 47.80 50.75 58.15 55.46 55.66
lirs_multi3.trace.gz 2000 44.59 46.72 62.24 60.50 -
lirs_ps.trace.gz 200 12.19 16.80 49.44 45.45 -
lirs_sprite.trace.gz 1000 90.64 89.84 87.71 83.75 84.50
cache2k_orm-busy.trace.xz 1000 78.78 78.53 73.75 63.49 77.25
cache2k_orm-busy.trace.xz 5000 85.46 85.68 85.13 83.11 85.56
cache2k_orm-night.trace.xz 1000 67.32 67.68 61.17 55.57 65.85
cache2k_web12.trace.xz 500 55.78 58.47 56.36 57.49 60.99
corda_trace_vaultservice.gz 1000 33.33 33.30 0.59 1.30 26.19
lirs_zigzag.trace.gz 500 23.99 23.01 0.19 19.93 -
scarab_scarab-recs.trace.xz 100000 75.91 76.09 74.30 71.57 -
"

# Runs one simulation and prints its hit ratio in percent.
hit_ratio() {
  local file="$1" entries="$2" policy="$3" out err
  err="$(mktemp)"
  if ! out="$("$FASTBREAK" bench cache-sim --trace "$TRACES/$file" --entries "$entries" \
      --policy "$policy" 2>"$err")"; then
    cat "$err" >&2
    rm -f "$err"
    die "cache-sim failed on $file @ $entries ($policy)"
  fi
  rm -f "$err"
  local ratio
  ratio="$(grep -o '"hit_ratio":[0-9.eE+-]*' <<<"$out" | head -n1 | cut -d: -f2)"
  [[ -n "$ratio" ]] || die "no hit_ratio in the output for $file @ $entries ($policy): $out"
  awk -v r="$ratio" 'BEGIN { printf "%.2f", 100 * r }'
}

measured=""
while read -r file entries lru arc lirs w1 wa; do
  [[ -n "$file" ]] || continue
  log "$file @ $entries"
  ours_lru="$(hit_ratio "$file" "$entries" lru)"
  ours="$(hit_ratio "$file" "$entries" fastbreak)"
  measured+="$file $entries $lru $arc $lirs $w1 $wa $ours_lru $ours"$'\n'
done <<<"$ROWS"

awk '
  function num(x) { return x == "-" ? -1 : x + 0 }
  function signed(x) { return sprintf("%+.2f", x) }
  BEGIN {
    print "| trace @ entries | LRU (ref) | ARC | LIRS | W-TinyLFU 1% | W-TinyLFU adaptive | best | fastbreak | fastbreak − best | fastbreak − LRU |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  }
  NF == 9 {
    name = $1
    sub(/^(lirs|cache2k|scarab)_/, "", name)
    sub(/\.(trace\.)?(gz|xz)$/, "", name)
    sub(/\.trace$/, "", name)
    sub(/_trace_vaultservice$/, "", name)
    best = num($3)
    for (i = 4; i <= 7; ++i) if (num($i) > best) best = num($i)
    ours = $9 + 0
    d_best = ours - best
    d_lru = ours - num($3)
    ok = d_best >= -1.0 && d_lru >= -1.0
    if (!ok) failed++
    printf "| %s @ %s | %s (%s) | %s | %s | %s | %s | %.2f | **%s** | %s | %s%s |\n",
           name, $2, $8, $3, $4, $5, $6, $7, best, $9, signed(d_best), signed(d_lru),
           ok ? "" : " ✗"
  }
  END {
    printf "\n%d of %d rows meet the bar (within 1 point of the best and of LRU).\n",
           NR - failed, NR
    exit failed > 0
  }
' <<<"${measured%$'\n'}"
