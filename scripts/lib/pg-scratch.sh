# Shared by the benchmark scripts: a scratch PostgreSQL 15 in a directory, on a free loopback
# port, trust authentication, C locale; as the `postgres` user when run as root (PostgreSQL
# refuses root). Source it after defining log() and die().
#
#   pg_scratch_start DIR [EXTRA_POSTGRES_OPTIONS]  initdb DIR/pgdata, start, create database
#                                                  fastbreak; sets PG_PORT and PG_DSN
#   pg_scratch_stop DIR                            stop it (immediate); safe to call twice

PG_BINDIR="${PG_BINDIR:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"
PG_AS=()
if [[ $(id -u) -eq 0 ]]; then PG_AS=(runuser -u postgres --); fi
pg_bin() { "${PG_AS[@]}" "$PG_BINDIR/$1" "${@:2}"; }

pg_scratch_start() {
  local dir=$1 extra=${2:-} candidate
  [[ -x "$PG_BINDIR/initdb" ]] || die "PostgreSQL not found in $PG_BINDIR (set PG_BINDIR)"
  mkdir -p "$dir"
  if [[ ${#PG_AS[@]} -gt 0 ]]; then
    chmod 755 "$dir"
    chown postgres "$dir"
  fi
  PG_PORT=""
  for candidate in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      PG_PORT=$candidate
      break
    fi
  done
  [[ -n $PG_PORT ]] || die "no free port found"
  pg_bin initdb -D "$dir/pgdata" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$dir/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$dir/initdb.log")"
  pg_bin pg_ctl -D "$dir/pgdata" -l "$dir/pgdata/server.log" -w -t 30 start \
    -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 $extra" >/dev/null ||
    die "PostgreSQL did not start: $(tail -5 "$dir/pgdata/server.log")"
  pg_bin createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres fastbreak
  PG_DSN="host=127.0.0.1 port=$PG_PORT dbname=fastbreak user=postgres"
}

pg_scratch_stop() {
  local dir=$1
  if [[ -f "$dir/pgdata/postmaster.pid" ]]; then
    pg_bin pg_ctl -D "$dir/pgdata" stop -m immediate -w -t 20 >/dev/null 2>&1 || true
  fi
}
