// What `serve` and `stdio` share: the database (migrated), the metrics registry, the tool
// cache (L1, and Redis L2 + invalidation bus when redis.url is set), the executor that runs
// catalog calls and the MCP server. Built in dependency order, torn down in reverse.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/options.hpp"
#include "cache/layered_cache.hpp"
#include "cache/redis_bus.hpp"
#include "cache/redis_cache.hpp"
#include "cache/redis_client.hpp"
#include "core/error.hpp"
#include "db/pool/router.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "mcp/server.hpp"
#include "nba/executor.hpp"
#include "nba/tool_cache.hpp"
#include "query/query_stats.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::app {

// Calls LayeredCache::Maintain every second (expiry sweep, size metrics) until destroyed.
class CacheMaintenance {
 public:
  explicit CacheMaintenance(cache::LayeredCache& cache);
  ~CacheMaintenance();
  CacheMaintenance(const CacheMaintenance&) = delete;
  CacheMaintenance& operator=(const CacheMaintenance&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

struct Service {
  telemetry::MetricsRegistry registry;
  // Per-fingerprint statistics and the slow-query log; null when query.enabled is false.
  // Declared before the databases so that it outlives every connection that reports to it.
  std::shared_ptr<query::QueryStats> query_stats;
  std::unique_ptr<db::DbMetrics> db_metrics;
  // The SQLite file or the PostgreSQL primary, its replicas, and the pools the executor's
  // calls take connections from.
  std::unique_ptr<db::Database> database;
  std::vector<std::unique_ptr<db::Database>> replica_databases;
  std::unique_ptr<db::DatabaseRouter> router;
  // The cache stack; all null when cache.enabled is false, the Redis parts when redis.url is "".
  std::unique_ptr<cache::RedisClient> redis;
  std::unique_ptr<cache::RedisCache> l2;
  std::unique_ptr<cache::RedisBus> bus;
  std::unique_ptr<cache::LayeredCache> cache;
  std::unique_ptr<nba::ToolCache> tool_cache;
  std::unique_ptr<nba::Executor> executor;
  std::unique_ptr<mcp::McpServer> mcp;
  std::unique_ptr<CacheMaintenance> maintenance;
  std::string hot_keys_path;  // "" = not kept
  size_t hot_keys = 0;

  // Saves the most requested calls for the next start's warming (no-op without a cache).
  void SaveHotKeys() const;
};

// Opens the database named in `options` (the SQLite file, which must exist, or the PostgreSQL
// primary and replicas), brings it to the latest schema, builds the connection pools,
// builds the cache (connecting to Redis when configured: an unreachable Redis is not an error,
// the cache runs on its L1 until Redis answers) and starts the executor. Then starts warming
// the cache in the background from cache.warm_file and the previous run's hot keys. Errors
// name the file or setting and say how to fix it.
Result<std::unique_ptr<Service>> StartService(const AppOptions& options);

// "database data/fastbreak.db", or "PostgreSQL host=... with 2 replicas" (no passwords).
std::string DatabaseDescription(const AppOptions& options);

// The Redis client options for `settings` (url, pool, timeouts, breaker, compression).
cache::RedisOptions RedisOptionsFrom(const RedisSettings& settings);

}  // namespace fastbreak::app
