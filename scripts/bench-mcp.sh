#!/usr/bin/env bash
# Benchmarks of the uncached MCP tools/call path (docs/performance.md, "MCP tools/call").
#
#   1. stdio driver alone: mcp_stdio_bench against its own --echo server, 1 and 32 in flight.
#   2. stdio: fastbreak vs mcp-sqlite (Node, from npm) answering the same SQL on the same file,
#      1 and 32 requests in flight, interleaved (fastbreak, mcp-sqlite, fastbreak, ...) for
#      ROUNDS rounds; medians and per-round ratios.
#   3. HTTP: wrk POSTing tools/call to /mcp at 1, 8 and 32 connections, for a cheap tool
#      (player_season_stats) and the same run_sql query; GET /healthz as the HTTP floor.
# Prints Markdown tables at the end. About 3 minutes on 2 cores.
#
# Environment (all optional):
#   BUILD_DIR      build with fastbreak and mcp_stdio_bench (default build/release, built here)
#   BENCH_DIR      scratch directory for the database and results (default /tmp/fastbreak-bench)
#   HTTP_SECONDS   duration of each wrk run (default 10)
#   ROUNDS         interleaved stdio rounds (default 3)
#   PORT           HTTP port (default 18089)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/release}"
BENCH_DIR="${BENCH_DIR:-/tmp/fastbreak-bench}"
HTTP_SECONDS="${HTTP_SECONDS:-10}"
ROUNDS="${ROUNDS:-3}"
PORT="${PORT:-18089}"
PROTOCOL=2025-06-18
# The uncached path is what this script measures (scripts/bench-cache.sh measures the cache).
export FASTBREAK_CACHE_ENABLED=false

log() { printf '[bench-mcp %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
for tool in node npm wrk curl cmake; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh)"
done
mkdir -p "$BENCH_DIR"
# shellcheck source=lib/mcp-http.sh
source "$ROOT/scripts/lib/mcp-http.sh"

# --- build ---------------------------------------------------------------------------------
FB="$BUILD_DIR/fastbreak"
DRIVER="$BUILD_DIR/src/loadgen/mcp_stdio_bench"
if [[ "$BUILD_DIR" == "$ROOT/build/release" ]]; then
  log "building fastbreak and mcp_stdio_bench (release)"
  (cd "$ROOT" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target fastbreak mcp_stdio_bench -j"$(nproc)" >/dev/null)
fi
[[ -x "$FB" && -x "$DRIVER" ]] || die "$FB or $DRIVER missing"

# --- database ------------------------------------------------------------------------------
DB="$BENCH_DIR/league.db"
if [[ ! -s "$DB" ]]; then
  log "generating $DB (3 seasons with play-by-play)"
  "$FB" generate --db "$DB" --seasons 3 -q
fi

# --- mcp-sqlite ----------------------------------------------------------------------------
# bench/package.json pins it; node_modules is gitignored. Install scripts stay blocked (npm
# default), so nothing is downloaded outside the registry; sqlite3's native module must then
# come from the registry tarball or a local build (see the check below).
if [[ ! -f "$ROOT/bench/node_modules/mcp-sqlite/mcp-sqlite-server.js" ]]; then
  log "installing mcp-sqlite from npm into bench/node_modules"
  (cd "$ROOT/bench" && npm ci --no-audit --no-fund >/dev/null 2>&1)
fi
MCP_SQLITE="$ROOT/bench/node_modules/mcp-sqlite/mcp-sqlite-server.js"
if ! (cd "$ROOT/bench" && node -e "require('sqlite3')" 2>/dev/null); then
  log "sqlite3's native module is missing: building it from source against the system SQLite"
  NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  (cd "$ROOT/bench/node_modules/sqlite3" && node "$NODE_GYP" rebuild --sqlite=/usr >/dev/null 2>&1) ||
    die "cannot build sqlite3 for Node (needs node-gyp, Node headers, libsqlite3-dev)"
fi
NODE_SQLITE_VERSION="$(cd "$ROOT/bench" && node -e "console.log(require('sqlite3').VERSION)")"

# A player with a full season of games: the SQL reads his last 10 through an index.
PLAYER_ID="$(cd "$ROOT/bench" && node -e '
  const s = require("sqlite3");
  const db = new s.Database(process.argv[1], s.OPEN_READONLY);
  db.get("SELECT player_id FROM player_game_stats GROUP BY player_id ORDER BY SUM(pts) DESC LIMIT 1",
         (e, r) => { if (e) { console.error(e.message); process.exit(1); } console.log(r.player_id); });
' "$DB")"
SQL="SELECT game_id, pts, reb, ast, fgm, fga FROM player_game_stats WHERE player_id = $PLAYER_ID ORDER BY game_id DESC LIMIT 10"
SQL_ARGS="{\"sql\":\"$SQL\"}"
log "database $DB, player $PLAYER_ID; node $(node --version), sqlite3 module on SQLite $NODE_SQLITE_VERSION"
log "SQL: $SQL"

STDIO_JSON="$BENCH_DIR/stdio.jsonl"
HTTP_JSON="$BENCH_DIR/http.jsonl"
: >"$STDIO_JSON"
: >"$HTTP_JSON"
QUIET=()
[[ -t 2 ]] || QUIET=(-q)

# stdio_run LABEL IN_FLIGHT REQUESTS TOOL ARGS -- COMMAND...
stdio_run() {
  local label=$1 k=$2 n=$3 tool=$4 args=$5
  shift 6
  timeout 120 "$DRIVER" --label "$label" --in-flight "$k" --requests "$n" --warmup 500 \
    --timeout-s 60 --tool "$tool" --arguments "$args" --json "$STDIO_JSON" "${QUIET[@]}" \
    -- "$@" || die "stdio run '$label' at $k in flight failed"
}

# --- 1. the driver alone -------------------------------------------------------------------
log "stdio driver alone (echo server, answers padded to 1 KB)"
for k in 1 32; do
  for _ in 1 2; do
    stdio_run "driver alone (echo)" "$k" 100000 run_sql "$SQL_ARGS" -- \
      "$DRIVER" --echo --echo-pad 1000
  done
done

# --- 2. stdio: fastbreak vs mcp-sqlite -----------------------------------------------------
log "stdio: fastbreak vs mcp-sqlite, $ROUNDS interleaved rounds at 1 and 32 in flight"
for round in $(seq "$ROUNDS"); do
  for k in 1 32; do
    log "round $round/$ROUNDS, $k in flight"
    stdio_run fastbreak "$k" 20000 run_sql "$SQL_ARGS" -- "$FB" stdio --db "$DB"
    stdio_run mcp-sqlite "$k" 5000 query "$SQL_ARGS" -- node "$MCP_SQLITE" "$DB"
  done
done

# --- 3. HTTP -------------------------------------------------------------------------------
log "HTTP: starting fastbreak serve on port $PORT"
"$FB" serve --db "$DB" --port "$PORT" --log-level warn 2>"$BENCH_DIR/serve.log" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
BASE="http://127.0.0.1:$PORT"
wait_for_serve "$BASE" "$SERVER_PID" "$BENCH_DIR/serve.log"
SESSION="$(mcp_session "$BASE" "$PROTOCOL" bench-mcp)"
CORES="$(nproc)"
log "session $SESSION; io_threads and mcp.workers at their defaults (one per core: $CORES)"

# http_run TARGET CONNECTIONS TOOL ARGS
http_run() {
  local target=$1 c=$2 tool=$3 args=$4 threads=2 out
  ((c < 2)) && threads=1
  out="$(MCP_SESSION="$SESSION" MCP_TOOL="$tool" MCP_ARGS="$args" MCP_PROTOCOL="$PROTOCOL" \
    timeout $((HTTP_SECONDS + 30)) wrk -t"$threads" -c"$c" -d"${HTTP_SECONDS}s" --latency \
    -s "$ROOT/bench/mcp_tools_call.lua" "$BASE/mcp")" || die "wrk failed: $out"
  record_wrk "$target" "$c" "$threads" "$out" "$(awk '/^mcp failures:/ { print $3 }' <<<"$out")"
}
# record_wrk TARGET CONNECTIONS THREADS WRK_OUTPUT FAILURES
record_wrk() {
  local rps p50 p99 non2xx
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$4")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$4")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$4")"
  non2xx="$(awk '/Non-2xx/ { print $NF }' <<<"$4")"
  printf '{"target":"%s","connections":%d,"threads":%d,"rps":%s,"p50":"%s","p99":"%s","failures":%d}\n' \
    "$1" "$2" "$3" "${rps:-0}" "$p50" "$p99" "$(( ${5:-0} + ${non2xx:-0} ))" >>"$HTTP_JSON"
  log "$1, $2 connections: ${rps:-?} req/s, p50 $p50, p99 $p99, failures $(( ${5:-0} + ${non2xx:-0} ))"
}

PSS_ARGS="{\"player\":$PLAYER_ID}"
for c in 1 8 32; do
  http_run "player_season_stats" "$c" player_season_stats "$PSS_ARGS"
  http_run "run_sql (same SQL as stdio)" "$c" run_sql "$SQL_ARGS"
done
out="$(timeout $((HTTP_SECONDS + 30)) wrk -t2 -c32 -d"${HTTP_SECONDS}s" --latency "$BASE/healthz")"
record_wrk "GET /healthz (HTTP floor, no MCP)" 32 2 "$out" 0

# --- report --------------------------------------------------------------------------------
echo
echo "## MCP tools/call (uncached): $(date -u +%F), $(nproc) cores, $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "Database: $DB (3 generated seasons). SQL: \`$SQL\`"
echo "HTTP server: io_threads = mcp.workers = $CORES (defaults). Raw results: $STDIO_JSON, $HTTP_JSON"
echo
node "$ROOT/bench/summarize.mjs" "$STDIO_JSON" "$HTTP_JSON"
