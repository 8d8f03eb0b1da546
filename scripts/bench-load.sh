#!/usr/bin/env bash
# Bulk loading into PostgreSQL (docs/performance.md, "Loading data"): a scratch PostgreSQL 15 on
# a free loopback port, a generated league of SEASONS seasons in SQLite, then
#   1. fastbreak import sqlite league.db --pg DSN            (CopyDatabase: COPY per table)
#   2. fastbreak import sqlite league.db --pg DSN --replace  (TRUNCATE, then the same)
#   3. fastbreak generate --pg DSN --replace                 (generate into a temporary SQLite
#                                                             file, then the same copy)
# Prints rows and rows/s of each (the command's own figure, and wall time of the whole process:
# connect, migrate, copy, commit, ANALYZE), then stops the server and removes everything.
#
# The server runs with the settings a bulk load wants and durability kept: fsync on,
# synchronous_commit on, max_wal_size 4GB (no checkpoint in the middle of the load).
# When run as root, initdb and the server run as the `postgres` user (PostgreSQL refuses root).
#
# Environment (all optional):
#   BUILD_DIR  build with fastbreak (default build/release, built here)
#   BENCH_DIR  scratch directory (default: a new one under /tmp)
#   SEASONS    seasons to generate (default 2; ~600k rows each with play-by-play)
#   PG_BINDIR  PostgreSQL binaries (default: pg_config --bindir, else /usr/lib/postgresql/15/bin)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/release}"
SEASONS="${SEASONS:-2}"

log() { printf '[bench-load %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

FB="$BUILD_DIR/fastbreak"
if [[ "$BUILD_DIR" == "$ROOT/build/release" ]]; then
  log "building fastbreak (release)"
  (cd "$ROOT" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target fastbreak -j"$(nproc)" >/dev/null)
fi
[[ -x "$FB" ]] || die "$FB missing"

BENCH_DIR="${BENCH_DIR:-$(mktemp -d /tmp/fastbreak-bench-load.XXXXXX)}"
# shellcheck source=lib/pg-scratch.sh
source "$ROOT/scripts/lib/pg-scratch.sh"
cleanup() {
  pg_scratch_stop "$BENCH_DIR"
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

log "initdb and start PostgreSQL"
pg_scratch_start "$BENCH_DIR" "-c max_wal_size=4GB"
DSN="$PG_DSN"
log "PostgreSQL on 127.0.0.1:$PG_PORT"

now() { date +%s.%N; }
# run LABEL COMMAND...: runs it, keeps its stdout in $BENCH_DIR/LABEL.out, sets WALL (seconds).
run() {
  local label=$1 start
  shift
  start=$(now)
  "$@" >"$BENCH_DIR/$label.out" 2>"$BENCH_DIR/$label.err" ||
    die "$label failed: $(cat "$BENCH_DIR/$label.err")"
  WALL=$(echo "$(now) - $start" | bc -l)
}

log "generating $SEASONS season(s) into SQLite"
run generate "$FB" generate --db "$BENCH_DIR/league.db" --seasons "$SEASONS" -q
GEN_LINE=$(grep "rows/s" "$BENCH_DIR/generate.out")

results=()
# report LABEL ROWS COMMAND_SECONDS
report() {
  local line
  line=$(printf '%-30s %9d rows %7.2f s %8.0f rows/s   wall %6.2f s %8.0f rows/s' \
    "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)" "$WALL" "$(echo "$2 / $WALL" | bc -l)")
  results+=("$line")
}

log "import sqlite --pg (empty database)"
run import "$FB" import sqlite "$BENCH_DIR/league.db" --pg "$DSN" -q
read -r _ rows seconds _ < <(grep '^total ' "$BENCH_DIR/import.out")
report "import sqlite --pg" "$rows" "$seconds"
TABLES=$(grep -v '^total ' "$BENCH_DIR/import.out" | tail -n +3)

log "import sqlite --pg --replace"
run replace "$FB" import sqlite "$BENCH_DIR/league.db" --pg "$DSN" --replace -q
read -r _ rows seconds _ < <(grep '^total ' "$BENCH_DIR/replace.out")
report "import sqlite --pg --replace" "$rows" "$seconds"

log "generate --pg --replace"
run genpg "$FB" generate --pg "$DSN" --replace --seasons "$SEASONS" -q
# "copied N rows into ... with COPY in S s (R rows/s)"
line=$(grep '^copied ' "$BENCH_DIR/genpg.out")
rows=$(sed -E 's/^copied ([0-9]+) rows.*/\1/' <<<"$line")
seconds=$(sed -E 's/.* in ([0-9.]+) s \(.*/\1/' <<<"$line")
report "generate --pg (copy phase)" "$rows" "$seconds"

psql_value() { pg psql -h 127.0.0.1 -p "$PORT" -U postgres -d fastbreak -Atc "$1"; }
TOTAL_SQL="SELECT 0"
for table in teams players seasons games game_periods team_game_stats player_game_stats \
  play_by_play imports; do
  TOTAL_SQL+=" + (SELECT count(*) FROM $table)"
done
COUNT=$(psql_value "$TOTAL_SQL")
VERSION=$("$PG_BINDIR/postgres" --version | awk '{print $3}')
BUFFERS=$(psql_value "SHOW shared_buffers")

cat <<EOF

bulk load into PostgreSQL $VERSION: $SEASONS season(s), $(nproc) cores, $(uname -m)
server: fsync on, synchronous_commit on, max_wal_size 4GB, shared_buffers $BUFFERS
SQLite source: $GEN_LINE

$(printf '%s\n' "${results[@]}")

per table (first import):
$TABLES

check: rows in PostgreSQL after generate --pg: $COUNT (copied: $rows)
EOF
