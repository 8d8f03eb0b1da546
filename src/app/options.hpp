// Every setting of the fastbreak binary, as plain structs with their defaults, and the one
// function that binds them to config keys (file, FASTBREAK_* environment, flags).
#pragma once

#include <map>
#include <string>

#include "core/config.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "http/server.hpp"

namespace fastbreak::app {

// The MCP server and the workers that run tool calls.
struct McpSettings {
  // Threads running tool calls, each with its own read-only connection; 0 = one per core.
  int workers = 0;
  // Calls waiting for a worker beyond this are refused at once as busy (HTTP 503).
  size_t queue_capacity = 1024;
  // Longest a tool call may run before its query is interrupted (the agent gets an error).
  int call_timeout_ms = 10000;
  // Origin header values allowed on /mcp, comma-separated; a trailing ":*" allows any port.
  // Requests without Origin (non-browser clients) are allowed. Protects a local server from
  // DNS-rebinding attacks by web pages.
  std::string allowed_origins = "http://localhost:*,http://127.0.0.1:*,http://[::1]:*";
  // An MCP session unused for this long is ended (its id then gets 404).
  int session_idle_timeout_ms = 30 * 60 * 1000;
  // Sessions beyond this are refused at initialize (HTTP 503) after idle ones are expired.
  size_t max_sessions = 10000;
};

// The tool-result cache: L1 in process, L2 in Redis (when redis.url is set).
struct CacheSettings {
  // Off: every call runs its queries (and cache tools report the cache as disabled).
  bool enabled = true;
  // L1 bounds: entries, and bytes of keys + results + tags. Whichever is reached first evicts.
  size_t l1_max_entries = 100'000;
  size_t l1_max_bytes = size_t{256} << 20;
  // L1 shards (rounded up to a power of two); more shards, less lock contention.
  int l1_shards = 16;
  // Admission/eviction policy: "fastbreak" (adaptive) or "lru".
  std::string l1_policy = "fastbreak";
  // Fresh lifetime of results that name the current season or no season (ms). Short: the
  // current season changes with every import.
  int ttl_current_ms = 60'000;
  // Fresh lifetime of results about finished seasons only (ms). Long: they change only when
  // data is corrected, and imports invalidate them anyway.
  int ttl_historical_ms = 24 * 3600 * 1000;
  // Lifetime of cached "not found" and bad-argument results (ms); 0 disables negative caching.
  int negative_ttl_ms = 30'000;
  // REST POSTs with an Idempotency-Key header replay their first response this long (ms).
  int idempotency_ttl_ms = 24 * 3600 * 1000;
  // Tool calls to warm at start-up: a file of JSON lines {"tool": "...", "arguments": {...}}.
  std::string warm_file;
  // Where the most requested keys are saved at shutdown and read back to warm the next start;
  // "" = next to the database (<db>.hot-keys). "off" disables.
  std::string hot_keys_file;
  // How many of the most requested keys are saved and warmed.
  size_t hot_keys = 500;
};

// The Redis second level and invalidation bus.
struct RedisSettings {
  // redis://HOST:PORT/DB; "" = no L2 and no bus (single instance).
  std::string url;
  // Connections for cache reads and writes (the bus has its own).
  int pool_size = 4;
  // A command slower than this counts as a failure and the call goes on without Redis (ms).
  int command_timeout_ms = 50;
  int connect_timeout_ms = 200;
  // Consecutive failures that open the circuit (Redis is then skipped and probed).
  int failure_threshold = 5;
  // How often an open circuit probes Redis (ms).
  int probe_interval_ms = 500;
  // Values at least this large are stored LZ4-compressed.
  size_t compress_min_bytes = 1024;
};

// PostgreSQL instead of SQLite: the primary, and read replicas.
struct PostgresSettings {
  // libpq DSN or URI of the primary; "" = SQLite (db.path).
  std::string dsn;
  // Read replicas, DSNs separated by ';' (serve --pg-replica, repeatable).
  std::string replicas;
  // A connection attempt slower than this fails (the pool then reports the database down).
  int connect_timeout_ms = 3000;
  // Default limit of one statement; a tool call's statements are limited to the time the call
  // has left (mcp.call_timeout_ms) in any case.
  int statement_timeout_ms = 30000;
  int statement_cache_capacity = 128;
  std::string application_name = "fastbreak";
};

// The connection pools (one for reads and one for writes on the primary, one per replica; on
// SQLite, the readers and the single writer). See docs/operations.md#connection-pools.
struct PoolSettings {
  // Connections kept open per read pool even when idle.
  int min_size = 2;
  // Most connections per read pool; 0 = one per worker (mcp.workers): the workers are what
  // runs queries, so more connections could only wait.
  int max_size = 0;
  // Most connections of the primary's write pool (imports and admin work; SQLite: always 1).
  int write_max_size = 2;
  // A call that cannot get a connection within this fails as busy ("pool exhausted").
  int acquire_timeout_ms = 1000;
  // Idle longer than this: pinged before it is handed out.
  int validate_after_idle_ms = 500;
  // Idle connections are pinged this often.
  int keepalive_interval_ms = 30000;
  // Connections are replaced after this long (less a random share of up to lifetime_jitter).
  int max_lifetime_ms = 30 * 60 * 1000;
  double lifetime_jitter = 0.025;
  // Idle connections above min_size are closed after this long.
  int idle_timeout_ms = 60 * 1000;
  // A connection held longer than this is logged with its holder and last SQL; 0 = off.
  int leak_threshold_ms = 10000;
};

// Read-replica health.
struct ReplicaSettings {
  // A replica further behind the primary than this is taken out of rotation.
  int max_lag_ms = 5000;
  int check_interval_ms = 500;
  // Failed checks before a replica is taken out; good checks before it is put back.
  int failures_to_remove = 1;
  int successes_to_restore = 2;
};

// Query statistics and the slow-query log (src/query).
struct QuerySettings {
  // Fingerprint and time every statement; off leaves the query tools without statistics.
  bool enabled = true;
  // Statements at or over this go into the slow-query log; 0 = every statement.
  int slow_threshold_ms = 100;
  int slow_log_capacity = 500;
  // Also append each slow statement to this file as one JSON object per line; "" = no file.
  std::string slow_log_file;
  // Fingerprints kept (the least costly are dropped beyond it).
  int max_fingerprints = 5000;
  // Fingerprints exported on /metrics (the top by total time); 0 = none.
  int metrics_top = 20;
};

struct AppOptions {
  http::ServerOptions server;
  McpSettings mcp;
  db::SqliteOptions sqlite;
  PostgresSettings postgres;
  PoolSettings pool;
  ReplicaSettings replica;
  CacheSettings cache;
  RedisSettings redis;
  QuerySettings query;
  // Per-tool overrides, keyed by tool name (ms; 0 = the defaults above): ttl.<tool> is the
  // fresh lifetime of its results, stale.<tool> how long after that a stale result may still
  // be served while it is refreshed in the background (0 = never).
  std::map<std::string, int> tool_ttl_ms;
  std::map<std::string, int> tool_stale_ms;
  // trace, debug, info, warn, error, off. Logs go to stderr.
  std::string log_level = "info";
};

// Binds every field of `options` under its key: server.*, db.*, postgres.*, pool.*, replica.*,
// mcp.*, cache.*, redis.*, query.*, ttl.<tool>, stale.<tool>, log.level.
// REQUIRES: options outlives loader.
void BindOptions(ConfigLoader& loader, AppOptions& options);

}  // namespace fastbreak::app
