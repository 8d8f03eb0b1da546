# Shared by the benchmark scripts: wait for a started `fastbreak serve`, and open an MCP session
# on it with curl. Source it after defining die() and BENCH_DIR.

# wait_for_serve BASE PID LOG: until /healthz answers (10 s at most); dies if the server exits.
wait_for_serve() {
  local base=$1 pid=$2 log=$3
  for _ in $(seq 100); do
    curl -sf "$base/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || die "fastbreak serve exited: $(tail -3 "$log")"
    sleep 0.1
  done
  die "fastbreak serve did not answer /healthz within 10 s"
}

# mcp_session BASE PROTOCOL CLIENT_NAME: initialize + notifications/initialized; prints the
# Mcp-Session-Id.
mcp_session() {
  local base=$1 protocol=$2 name=$3 headers="$BENCH_DIR/init.headers" session
  curl -sS -D "$headers" -o /dev/null "$base/mcp" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    --data "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"$protocol\",\"capabilities\":{},\"clientInfo\":{\"name\":\"$name\",\"version\":\"1\"}}}"
  session="$(awk 'tolower($1) == "mcp-session-id:" { print $2 }' "$headers" | tr -d '\r')"
  [[ -n "$session" ]] || die "initialize returned no Mcp-Session-Id"
  curl -sS -o /dev/null "$base/mcp" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $session" \
    -H "MCP-Protocol-Version: $protocol" \
    --data '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  printf '%s\n' "$session"
}
