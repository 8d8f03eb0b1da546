#!/usr/bin/env bash
# End-to-end: drives the real fastbreak binary the way a user does. Usage: cli_test.sh BINARY
set -uo pipefail
bin=${1:?usage: cli_test.sh path/to/fastbreak}
shared=${FASTBREAK_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name" >&2
  fi
}

# --- help and usage errors ---------------------------------------------------------------
"$bin" --help >"$work/help" 2>&1
check "--help exits 0" test $? -eq 0
check "--help lists the commands" grep -q "generate" "$work/help"
for cmd in serve generate import; do
  "$bin" "$cmd" --help >"$work/h" 2>&1
  check "$cmd --help exits 0" test $? -eq 0
  check "$cmd --help shows options" grep -q -- "--db" "$work/h"
done
"$bin" generate --db "$work/x.db" --seasons 0 >"$work/out" 2>"$work/err"
check "bad --seasons exits 2" test $? -eq 2
check "bad --seasons names the flag" grep -q -- "--seasons" "$work/err"
"$bin" generate --db "$work/x.db" --start-season 2044 --seasons 3 >"$work/out" 2>"$work/err"
check "seasons past the generator's range exit 2" test $? -eq 2
"$bin" generate --db "$work/no/such/dir/x.db" -q >"$work/out" 2>"$work/err"
check "generate into a missing directory exits 1" test $? -eq 1
check "generate into a missing directory names it" grep -q "no/such/dir" "$work/err"
FASTBREAK_SEVRER_PORT=1 "$bin" serve --db "$work/x.db" >"$work/out" 2>"$work/err"
check "a misspelled FASTBREAK_ variable exits 2" test $? -eq 2
check "a misspelled FASTBREAK_ variable is named" grep -q "FASTBREAK_SEVRER_PORT" "$work/err"
"$bin" serve --bogus >"$work/out" 2>"$work/err"
check "unknown flag exits 2" test $? -eq 2
check "unknown flag: one-line reason" test "$(grep -c 'fastbreak:' "$work/err")" -eq 1
"$bin" >"$work/out" 2>"$work/err"
check "no command exits 2" test $? -eq 2
"$bin" import parquet "$work/help" --db "$work/x.db" >"$work/out" 2>"$work/err"
check "unknown import format exits 2" test $? -eq 2
# Writing commands need exactly one target: --db PATH or --pg DSN.
for cmd in "generate" "import 538 $work/help" "import sqlite $work/help"; do
  # shellcheck disable=SC2086
  "$bin" $cmd -q >"$work/out" 2>"$work/err"
  check "$cmd without --db or --pg exits 2" test $? -eq 2
  check "$cmd without --db or --pg: one line naming both" \
    test "$(grep -c 'fastbreak:.*--db.*--pg' "$work/err")" -eq 1
  # shellcheck disable=SC2086
  "$bin" $cmd --db "$work/refused.db" --pg "host=127.0.0.1 port=1" -q >"$work/out" 2>"$work/err"
  check "$cmd with both --db and --pg exits 2" test $? -eq 2
  check "$cmd with both --db and --pg: one-line reason" \
    test "$(grep -c 'fastbreak:' "$work/err")" -eq 1
done
"$bin" generate --db "$work/refused.db" --replace -q >"$work/out" 2>"$work/err"
check "generate --replace without --pg exits 2" test $? -eq 2
"$bin" import 538 "$work/help" --db "$work/refused.db" --replace -q >"$work/out" 2>"$work/err"
check "import 538 --replace exits 2" test $? -eq 2
check "nothing was written by refused commands" test ! -e "$work/refused.db"
printf 'server:\n  prot: 1\n' >"$work/bad.yaml"
"$bin" serve --config "$work/bad.yaml" >"$work/out" 2>"$work/err"
check "unknown config key exits 2" test $? -eq 2
check "unknown config key is named" grep -q "server.prot" "$work/err"
"$bin" serve --db "$work/missing.db" --port 0 >"$work/out" 2>"$work/err"
check "serve on a missing database exits 1" test $? -eq 1
check "serve on a missing database says how to create one" grep -q "fastbreak generate" "$work/err"

# --- generate ----------------------------------------------------------------------------
"$bin" generate --db "$work/league.db" --seasons 1 --start-season 2023 --seed 7 \
  --no-play-by-play -q >"$work/gen.out" 2>"$work/gen.err"
check "generate exits 0" test $? -eq 0
check "generate reports rows/s" grep -q "rows/s" "$work/gen.out"
"$bin" generate --db "$work/league.db" --seasons 1 --start-season 2023 -q >"$work/out" 2>"$work/err"
check "generating a season twice fails" test $? -eq 1

# --- advise ------------------------------------------------------------------------------
"$bin" advise --workload "$work/help" >"$work/out" 2>"$work/err"
check "advise without --db or --pg exits 2" test $? -eq 2
"$bin" advise --db "$work/league.db" >"$work/out" 2>"$work/err"
check "advise on SQLite without --workload exits 2" test $? -eq 2
check "advise without a workload says what to give" grep -q -- "--workload FILE" "$work/err"
printf -- '-- only a comment\n' >"$work/empty.sql"
"$bin" advise --db "$work/league.db" --workload "$work/empty.sql" >"$work/out" 2>"$work/err"
check "an empty workload exits 2" test $? -eq 2
check "an empty workload names the file" grep -q "empty.sql" "$work/err"
printf -- '-- calls: 50\nSELECT game_id FROM games WHERE attendance = 18000;\nSELECT nonsense FROM nowhere;\n' \
  >"$work/workload.sql"
before_indexes=$(sqlite3 "$work/league.db" "SELECT count(*) FROM sqlite_schema WHERE type = 'index'")
"$bin" advise --db "$work/league.db" --workload "$work/workload.sql" -q >"$work/advice" 2>"$work/err"
check "advise exits 0" test $? -eq 0
check "advise recommends the attendance index" \
  grep -q "CREATE INDEX idx_games_attendance ON games (attendance)" "$work/advice"
check "advise lists the query it could not use" grep -q "nowhere" "$work/advice"
check "advise creates nothing without --apply" test "$before_indexes" = \
  "$(sqlite3 "$work/league.db" "SELECT count(*) FROM sqlite_schema WHERE type = 'index'")"
"$bin" advise --db "$work/league.db" --workload "$work/workload.sql" --apply --format json -q \
  >"$work/applied.json" 2>"$work/err"
check "advise --apply exits 0" test $? -eq 0
check "advise --apply created the index" test "$(sqlite3 "$work/league.db" \
  "SELECT count(*) FROM sqlite_schema WHERE name = 'idx_games_attendance'")" -eq 1
check "advise --apply reports the workload time before and after" \
  grep -q '"workload_ms_after"' "$work/applied.json"
"$bin" advise --db "$work/league.db" --workload "$work/workload.sql" -q >"$work/again" 2>"$work/err"
check "advise after --apply recommends nothing more" \
  test "$(grep -c 'CREATE INDEX' "$work/again")" -eq 0

# --- serve ---------------------------------------------------------------------------------
"$bin" serve --db "$work/league.db" --port 0 --io-threads 2 2>"$work/serve.err" &
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*serving http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.err" | head -1)
  [[ -n $port ]] && break
  sleep 0.1
done
check "serve prints its URL" test -n "$port"
if [[ -n $port ]]; then
  code=$(curl -s -o "$work/health" -w '%{http_code}' "http://127.0.0.1:$port/healthz")
  check "/healthz is 200" test "$code" = 200
  check "/healthz says ok" grep -q '"ok"' "$work/health"
  curl -s -o "$work/metrics" "http://127.0.0.1:$port/metrics"
  check "/metrics counts requests" grep -q '^fastbreak_http_requests_total{' "$work/metrics"
  check "/metrics has db statements" grep -q '^fastbreak_db_statements_total{' "$work/metrics"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")
  check "unknown path is 404" test "$code" = 404
fi
kill -INT "$server_pid"
for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
wait "$server_pid"
rc=$?
server_pid=""
check "Ctrl-C stops the server cleanly (exit 0)" test "$rc" -eq 0

# --- import --------------------------------------------------------------------------------
if [[ -d $shared ]]; then
  "$bin" import 538 "$shared/fivethirtyeight/nba_elo_2022-23.csv" --db "$work/real.db" -q \
    >"$work/imp.out" 2>"$work/imp.err"
  check "import 538 exits 0" test $? -eq 0
  check "import 538 prints a summary" grep -q "^games .* 1315 " "$work/imp.out"
  before=$(sqlite3 "$work/real.db" "SELECT count(*) FROM games")
  printf 'date,season\n2023-01-01\n' >"$work/bad.csv"
  "$bin" import 538 "$work/bad.csv" --db "$work/real.db" -q >"$work/out" 2>"$work/err"
  check "malformed import exits 1" test $? -eq 1
  check "malformed import names the file" grep -q "bad.csv" "$work/err"
  after=$(sqlite3 "$work/real.db" "SELECT count(*) FROM games")
  check "malformed import changes nothing" test "$before" = "$after"
else
  echo "skipping import checks: shared data not found at $shared" >&2
fi

echo "cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
