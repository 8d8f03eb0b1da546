#include "app/options.hpp"

#include "nba/catalog.hpp"

namespace fastbreak::app {

void BindOptions(ConfigLoader& loader, AppOptions& options) {
  auto& server = options.server;
  loader.Bind("server.host", &server.host, "address to listen on (127.0.0.1 keeps it local)");
  loader.Bind("server.port", &server.port, "TCP port; 0 picks a free one");
  loader.Bind("server.io_threads", &server.io_threads, "I/O threads; 0 = one per core");
  loader.Bind("server.body_limit_bytes", &server.body_limit_bytes,
              "largest request body accepted (413 beyond)");
  loader.Bind("server.header_limit_bytes", &server.header_limit_bytes,
              "largest request line + headers accepted (431 beyond)");
  loader.Bind("server.max_connections", &server.max_connections,
              "open connections beyond this are closed at accept");
  loader.Bind("server.request_timeout_ms", &server.request_timeout_ms,
              "time a client has to send a request and take the response");
  loader.Bind("server.keep_alive_timeout_ms", &server.keep_alive_timeout_ms,
              "idle keep-alive connections are closed after this");
  loader.Bind("server.shutdown_grace_ms", &server.shutdown_grace_ms,
              "time in-flight requests get to finish on shutdown");
  auto& sqlite = options.sqlite;
  loader.Bind("db.path", &sqlite.path, "SQLite database file");
  loader.Bind("db.busy_timeout_ms", &sqlite.busy_timeout_ms,
              "how long a statement waits for a lock before failing as busy");
  loader.Bind("db.cache_size_kib", &sqlite.cache_size_kib, "SQLite page cache per connection");
  loader.Bind("db.mmap_size_bytes", &sqlite.mmap_size_bytes,
              "bytes of the database file mapped for reads (0 disables)");
  loader.Bind("db.statement_cache_capacity", &sqlite.statement_cache_capacity,
              "prepared statements kept per connection");
  auto& pg = options.postgres;
  loader.Bind("postgres.dsn", &pg.dsn, "PostgreSQL primary (libpq DSN or URI); empty = SQLite");
  loader.Bind("postgres.replicas", &pg.replicas, "read replicas: DSNs separated by ';'");
  loader.Bind("postgres.connect_timeout_ms", &pg.connect_timeout_ms,
              "a connection attempt slower than this fails");
  loader.Bind("postgres.statement_timeout_ms", &pg.statement_timeout_ms,
              "default limit of one statement (tool calls: the time the call has left)");
  loader.Bind("postgres.statement_cache_capacity", &pg.statement_cache_capacity,
              "prepared statements kept per connection");
  loader.Bind("postgres.application_name", &pg.application_name,
              "application_name shown in pg_stat_activity");
  auto& pool = options.pool;
  loader.Bind("pool.min_size", &pool.min_size, "connections kept open per read pool when idle");
  loader.Bind("pool.max_size", &pool.max_size,
              "most connections per read pool; 0 = one per worker (mcp.workers)");
  loader.Bind("pool.write_max_size", &pool.write_max_size,
              "most connections of the primary's write pool (SQLite: 1)");
  loader.Bind("pool.acquire_timeout_ms", &pool.acquire_timeout_ms,
              "longest wait for a connection before 'pool exhausted'");
  loader.Bind("pool.validate_after_idle_ms", &pool.validate_after_idle_ms,
              "connections idle longer than this are pinged before use");
  loader.Bind("pool.keepalive_interval_ms", &pool.keepalive_interval_ms,
              "idle connections are pinged this often");
  loader.Bind("pool.max_lifetime_ms", &pool.max_lifetime_ms,
              "connections are replaced after this long; 0 = never");
  loader.Bind("pool.lifetime_jitter", &pool.lifetime_jitter,
              "share of max_lifetime taken off at random per connection (0..1)");
  loader.Bind("pool.idle_timeout_ms", &pool.idle_timeout_ms,
              "idle connections above min_size are closed after this; 0 = never");
  loader.Bind("pool.leak_threshold_ms", &pool.leak_threshold_ms,
              "connections held longer are reported with holder and SQL; 0 = off");
  auto& replica = options.replica;
  loader.Bind("replica.max_lag_ms", &replica.max_lag_ms,
              "replicas further behind the primary are taken out of rotation");
  loader.Bind("replica.check_interval_ms", &replica.check_interval_ms,
              "how often each replica's lag and health are checked");
  loader.Bind("replica.failures_to_remove", &replica.failures_to_remove,
              "failed checks before a replica is taken out");
  loader.Bind("replica.successes_to_restore", &replica.successes_to_restore,
              "good checks before a replica is put back");
  auto& query = options.query;
  loader.Bind("query.enabled", &query.enabled,
              "fingerprint and time every statement (the query tools' statistics)");
  loader.Bind("query.slow_threshold_ms", &query.slow_threshold_ms,
              "statements at or over this go to the slow-query log; 0 = all");
  loader.Bind("query.slow_log_capacity", &query.slow_log_capacity,
              "slow statements kept in memory (the newest)");
  loader.Bind("query.slow_log_file", &query.slow_log_file,
              "also append slow statements to this JSON-lines file; empty = no file");
  loader.Bind("query.max_fingerprints", &query.max_fingerprints,
              "distinct queries kept; the least costly are dropped beyond it");
  loader.Bind("query.metrics_top", &query.metrics_top,
              "queries exported on /metrics, the top by total time; 0 = none");
  auto& mcp = options.mcp;
  loader.Bind("mcp.workers", &mcp.workers, "threads running tool calls; 0 = one per core");
  loader.Bind("mcp.queue_capacity", &mcp.queue_capacity,
              "tool calls waiting beyond this are refused as busy (503)");
  loader.Bind("mcp.call_timeout_ms", &mcp.call_timeout_ms,
              "longest a tool call runs before its query is interrupted");
  loader.Bind("mcp.allowed_origins", &mcp.allowed_origins,
              "Origin values allowed on /mcp, comma-separated; ':*' = any port");
  loader.Bind("mcp.session_idle_timeout_ms", &mcp.session_idle_timeout_ms,
              "MCP sessions unused this long are ended");
  loader.Bind("mcp.max_sessions", &mcp.max_sessions, "MCP sessions open at once, at most");
  auto& cache = options.cache;
  loader.Bind("cache.enabled", &cache.enabled, "cache tool results (L1, and L2 with redis.url)");
  loader.Bind("cache.l1_max_entries", &cache.l1_max_entries, "L1 entries, at most");
  loader.Bind("cache.l1_max_bytes", &cache.l1_max_bytes, "L1 bytes (keys + results), at most");
  loader.Bind("cache.l1_shards", &cache.l1_shards, "L1 shards (locks); a power of two");
  loader.Bind("cache.l1_policy", &cache.l1_policy, "fastbreak (adaptive) or lru");
  loader.Bind("cache.ttl_current_ms", &cache.ttl_current_ms,
              "fresh lifetime of results about the current season or no season");
  loader.Bind("cache.ttl_historical_ms", &cache.ttl_historical_ms,
              "fresh lifetime of results about finished seasons only");
  loader.Bind("cache.negative_ttl_ms", &cache.negative_ttl_ms,
              "lifetime of cached not-found results; 0 = not cached");
  loader.Bind("cache.idempotency_ttl_ms", &cache.idempotency_ttl_ms,
              "REST POSTs with Idempotency-Key replay their first response this long");
  loader.Bind("cache.warm_file", &cache.warm_file,
              "JSON lines {\"tool\",\"arguments\"} to warm at start-up");
  loader.Bind("cache.hot_keys_file", &cache.hot_keys_file,
              "most requested keys, saved at shutdown and warmed at start; off = none");
  loader.Bind("cache.hot_keys", &cache.hot_keys, "how many most requested keys to keep");
  auto& redis = options.redis;
  loader.Bind("redis.url", &redis.url, "redis://HOST:PORT/DB for the L2 cache and bus");
  loader.Bind("redis.pool_size", &redis.pool_size, "connections for cache commands");
  loader.Bind("redis.command_timeout_ms", &redis.command_timeout_ms,
              "slower commands count as failures; the call goes on without Redis");
  loader.Bind("redis.connect_timeout_ms", &redis.connect_timeout_ms, "connect timeout");
  loader.Bind("redis.failure_threshold", &redis.failure_threshold,
              "consecutive failures that open the circuit");
  loader.Bind("redis.probe_interval_ms", &redis.probe_interval_ms,
              "how often an open circuit probes Redis");
  loader.Bind("redis.compress_min_bytes", &redis.compress_min_bytes,
              "values this large or larger are LZ4-compressed");
  for (const auto& tool : nba::NbaCatalog().tools) {
    loader.Bind("ttl." + tool.name, &options.tool_ttl_ms[tool.name],
                "fresh lifetime of " + tool.name + " results (ms); 0 = cache.ttl_*");
    loader.Bind("stale." + tool.name, &options.tool_stale_ms[tool.name],
                "serve stale " + tool.name + " results this long while refreshing (ms)");
  }
  loader.Bind("log.level", &options.log_level, "trace, debug, info, warn, error or off");
}

}  // namespace fastbreak::app
