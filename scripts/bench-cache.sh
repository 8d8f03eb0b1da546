#!/usr/bin/env bash
# Cached MCP tools/call over HTTP keep-alive against nginx serving a static file of the same
# size, side by side on this machine (docs/performance.md, "Cache: end to end").
#
#   wrk, 32 connections, 2 threads, HTTP_SECONDS per run; ROUNDS interleaved rounds
#   (nginx, fastbreak, nginx, fastbreak, ...); medians of req/s and p99, and per-round ratios.
#
# nginx gets the same number of worker processes as fastbreak has I/O threads (one per core),
# keep-alive without a request limit, no access log, sendfile: its fastest static setup.
#
# Environment (all optional):
#   BUILD_DIR      build with fastbreak (default build/release, built here)
#   BENCH_DIR      scratch directory (default /tmp/fastbreak-bench-cache)
#   HTTP_SECONDS   duration of each wrk run (default 10)
#   ROUNDS         interleaved rounds (default 3)
#   TOOL, ARGS     the cached call (default standings {"season":2025})
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/release}"
BENCH_DIR="${BENCH_DIR:-/tmp/fastbreak-bench-cache}"
HTTP_SECONDS="${HTTP_SECONDS:-10}"
ROUNDS="${ROUNDS:-3}"
TOOL="${TOOL:-standings}"
ARGS="${ARGS:-{\"season\":2025\}}"
PROTOCOL=2025-06-18

log() { printf '[bench-cache %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
for tool in wrk curl nginx node; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh --test)"
done
# shellcheck source=lib/mcp-http.sh
source "$ROOT/scripts/lib/mcp-http.sh"
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR/www"
chmod 755 "$BENCH_DIR" "$BENCH_DIR/www"

FB="$BUILD_DIR/fastbreak"
if [[ "$BUILD_DIR" == "$ROOT/build/release" ]]; then
  log "building fastbreak (release)"
  (cd "$ROOT" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target fastbreak -j"$(nproc)" >/dev/null)
fi
[[ -x "$FB" ]] || die "$FB missing"

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

DB="$BENCH_DIR/league.db"
log "generating $DB (1 season)"
"$FB" generate --db "$DB" --seasons 1 --start-season 2025 --no-play-by-play -q >&2

CORES="$(nproc)"
FB_PORT="$(free_port)"
NGINX_PORT="$(free_port)"
"$FB" serve --db "$DB" --port "$FB_PORT" --log-level warn 2>"$BENCH_DIR/serve.log" &
FB_PID=$!
cleanup() {
  kill "$FB_PID" 2>/dev/null || true
  [[ -f "$BENCH_DIR/nginx.pid" ]] && kill "$(cat "$BENCH_DIR/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
BASE="http://127.0.0.1:$FB_PORT"
wait_for_serve "$BASE" "$FB_PID" "$BENCH_DIR/serve.log"

# A session, and the call once so that it is cached; its response body becomes nginx's file.
SESSION="$(mcp_session "$BASE" "$PROTOCOL" bench-cache)"
MCP=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'
  -H "Mcp-Session-Id: $SESSION" -H "MCP-Protocol-Version: $PROTOCOL")
CALL="{\"jsonrpc\":\"2.0\",\"id\":100000001,\"method\":\"tools/call\",\"params\":{\"name\":\"$TOOL\",\"arguments\":$ARGS}}"
curl -sS -o "$BENCH_DIR/www/result.json" "$BASE/mcp" "${MCP[@]}" --data "$CALL"
grep -q '"isError":false' "$BENCH_DIR/www/result.json" || die "the call failed: $(head -c 300 "$BENCH_DIR/www/result.json")"
SIZE="$(stat -c %s "$BENCH_DIR/www/result.json")"
chmod 644 "$BENCH_DIR/www/result.json"
log "$TOOL $ARGS: $SIZE-byte response, now cached"

cat >"$BENCH_DIR/nginx.conf" <<CONF
worker_processes $CORES;
pid $BENCH_DIR/nginx.pid;
error_log $BENCH_DIR/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  default_type application/json;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $BENCH_DIR/www;
  }
}
CONF
nginx -p "$BENCH_DIR" -c "$BENCH_DIR/nginx.conf" -g 'daemon on;' || die "nginx did not start"
for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/result.json" && break
  sleep 0.1
done
cmp -s <(curl -sS "http://127.0.0.1:$NGINX_PORT/result.json") "$BENCH_DIR/www/result.json" ||
  die "nginx does not serve the file"

JSON="$BENCH_DIR/results.jsonl"
: >"$JSON"
# run TARGET ROUND WRK_ARGS...
run() {
  local target=$1 round=$2 out rps p50 p99 failures
  shift 2
  out="$(timeout $((HTTP_SECONDS + 30)) wrk -t2 -c32 -d"${HTTP_SECONDS}s" --latency "$@")" ||
    die "wrk failed: $out"
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  failures="$(( $(awk '/^mcp failures:/ { print $3 }' <<<"$out" | head -1) + $(awk '/Non-2xx/ { print $NF }' <<<"$out" | head -1) + 0 ))"
  printf '{"target":"%s","round":%d,"rps":%s,"p50":"%s","p99":"%s","failures":%d}\n' \
    "$target" "$round" "${rps:-0}" "$p50" "$p99" "$failures" >>"$JSON"
  log "round $round $target: ${rps:-?} req/s, p50 $p50, p99 $p99, failures $failures"
}
log "$ROUNDS interleaved rounds of ${HTTP_SECONDS}s, 32 connections"
for round in $(seq "$ROUNDS"); do
  run nginx "$round" "http://127.0.0.1:$NGINX_PORT/result.json"
  MCP_SESSION="$SESSION" MCP_TOOL="$TOOL" MCP_ARGS="$ARGS" MCP_PROTOCOL="$PROTOCOL" \
    run fastbreak "$round" -s "$ROOT/bench/mcp_tools_call.lua" "$BASE/mcp"
done
HITS="$(curl -sS "$BASE/api/mcp/performance/cache-stats" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const t=j.tools.find(t=>t.tool===process.argv[1]);console.log(`${t.hits.l1} L1 hits, ${t.misses} misses`)})' "$TOOL")"
log "fastbreak cache: $HITS for $TOOL"

echo
echo "## Cached tools/call vs nginx static file: $(date -u +%F), $CORES cores, $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "\`$TOOL $ARGS\`, $SIZE-byte body; wrk -t2 -c32 -d${HTTP_SECONDS}s; fastbreak: $HITS."
echo
node "$ROOT/bench/summarize-cache.mjs" "$JSON"
