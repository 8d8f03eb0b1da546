#!/usr/bin/env bash
# Uncached tools/call throughput on PostgreSQL against SQLite (docs/performance.md,
# "PostgreSQL"): the same generated league in a SQLite file and in a scratch PostgreSQL 15
# (copied with `fastbreak import sqlite`), one `fastbreak serve` on each (cache off), and wrk
# POSTing the same mix of six tools to /mcp, interleaved (sqlite, postgres, sqlite, ...) for
# ROUNDS rounds at 1 and 8 connections. Prints req/s, p50 and p99 per round and the ratios.
# About 2 minutes on 2 cores; PostgreSQL shares the cores with fastbreak and wrk, as SQLite
# (in process) does.
#
# Environment (all optional):
#   BUILD_DIR      build with fastbreak (default build/release, built here)
#   HTTP_SECONDS   duration of each wrk run (default 10)
#   ROUNDS         interleaved rounds (default 2)
#   SEASONS        generated seasons (default 2)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/release}"
HTTP_SECONDS="${HTTP_SECONDS:-10}"
ROUNDS="${ROUNDS:-2}"
SEASONS="${SEASONS:-2}"
PROTOCOL=2025-06-18
export FASTBREAK_CACHE_ENABLED=false

log() { printf '[bench-pg %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
for tool in wrk curl sqlite3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh)"
done
BENCH_DIR="$(mktemp -d /tmp/fastbreak-bench-pg.XXXXXX)"
# shellcheck source=lib/mcp-http.sh
source "$ROOT/scripts/lib/mcp-http.sh"
# shellcheck source=lib/pg-scratch.sh
source "$ROOT/scripts/lib/pg-scratch.sh"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_scratch_stop "$BENCH_DIR"
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

FB="$BUILD_DIR/fastbreak"
if [[ "$BUILD_DIR" == "$ROOT/build/release" ]]; then
  log "building fastbreak (release)"
  (cd "$ROOT" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target fastbreak -j"$(nproc)" >/dev/null)
fi
[[ -x "$FB" ]] || die "$FB missing"

DB="$BENCH_DIR/league.db"
log "generating $SEASONS season(s) into $DB"
"$FB" generate --db "$DB" --seasons "$SEASONS" -q >/dev/null
log "starting PostgreSQL and copying the league into it"
pg_scratch_start "$BENCH_DIR"
"$FB" import sqlite "$DB" --pg "$PG_DSN" -q >/dev/null

PLAYER_ID="$(sqlite3 "$DB" "SELECT player_id FROM player_game_stats GROUP BY player_id ORDER BY SUM(pts) DESC LIMIT 1")"
GAME_ID="$(sqlite3 "$DB" "SELECT game_id FROM games WHERE status = 'final' ORDER BY game_date DESC, game_id LIMIT 1")"
MIX="$(printf '%s\t%s\n' \
  standings '{}' \
  league_leaders '{"stat":"points"}' \
  player_season_stats "{\"player\":$PLAYER_ID}" \
  team_season_stats '{"team":"BOS"}' \
  box_score "{\"game_id\":\"$GAME_ID\"}" \
  schedule '{"team":"LAL","limit":20}')"

# serve NAME PORT ARGS...: starts it, waits for /healthz, opens a session (sets SESSION_NAME).
declare -A SESSIONS
serve() {
  local name=$1 port=$2
  shift 2
  "$FB" serve --port "$port" --log-level warn "$@" 2>"$BENCH_DIR/$name.log" &
  PIDS+=($!)
  wait_for_serve "http://127.0.0.1:$port" "$!" "$BENCH_DIR/$name.log"
  SESSIONS[$name]="$(mcp_session "http://127.0.0.1:$port" "$PROTOCOL" bench-pg)"
}
free_port() {
  local candidate
  for candidate in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  die "no free port found"
}
SQLITE_PORT=$(free_port)
serve sqlite "$SQLITE_PORT" --db "$DB"
PG_SERVE_PORT=$(free_port)
serve postgres "$PG_SERVE_PORT" --pg "$PG_DSN"
declare -A PORTS=([sqlite]=$SQLITE_PORT [postgres]=$PG_SERVE_PORT)

RESULTS="$BENCH_DIR/results.txt"
: >"$RESULTS"
# run BACKEND CONNECTIONS ROUND
run() {
  local backend=$1 c=$2 round=$3 threads=2 out rps p50 p99 failures
  ((c < 2)) && threads=1
  out="$(MCP_SESSION="${SESSIONS[$backend]}" MCP_MIX="$MIX" MCP_PROTOCOL="$PROTOCOL" \
    timeout $((HTTP_SECONDS + 30)) wrk -t"$threads" -c"$c" -d"${HTTP_SECONDS}s" --latency \
    -s "$ROOT/bench/mcp_tools_call.lua" "http://127.0.0.1:${PORTS[$backend]}/mcp")" ||
    die "wrk failed: $out"
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  failures="$(awk '/^mcp failures:/ { print $3 }' <<<"$out")"
  log "round $round, $backend, $c connections: $rps req/s, p50 $p50, p99 $p99, failures $failures"
  echo "$c $round $backend $rps $p50 $p99 $failures" >>"$RESULTS"
}
for round in $(seq "$ROUNDS"); do
  for c in 1 8; do
    run sqlite "$c" "$round"
    run postgres "$c" "$round"
  done
done

echo
echo "## tools/call, PostgreSQL vs SQLite (uncached): $(date -u +%F), $(nproc) cores, $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "Mix: $(cut -f1 <<<"$MIX" | paste -sd, -), $SEASONS generated seasons; wrk ${HTTP_SECONDS}s per run."
echo
echo "| connections | round | SQLite req/s | PostgreSQL req/s | PostgreSQL / SQLite | SQLite p99 | PostgreSQL p99 | failures |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
awk '
  $3 == "sqlite"   { s[$1" "$2] = $4; sp[$1" "$2] = $6; f[$1" "$2] += $7 }
  $3 == "postgres" { p[$1" "$2] = $4; pp[$1" "$2] = $6; f[$1" "$2] += $7 }
  END {
    for (k in s) {
      split(k, parts, " ")
      printf "| %d | %d | %.0f | %.0f | %.2fx | %s | %s | %d |\n", parts[1], parts[2], s[k], p[k], p[k] / s[k], sp[k], pp[k], f[k]
    }
  }' "$RESULTS" | sort -t'|' -k2,2n -k3,3n
