#include "app/service.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "db/postgres/postgres_database.hpp"
#include "db/schema/migrations.hpp"
#include "nba/catalog.hpp"
#include "query/query_metrics.hpp"

namespace fastbreak::app {
namespace {

using std::chrono::milliseconds;

std::vector<std::string> SplitReplicas(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(';', start);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(start, end - start);
    const size_t first = item.find_first_not_of(" \t");
    if (first != std::string::npos) {
      item = item.substr(first, item.find_last_not_of(" \t") - first + 1);
      out.push_back(std::move(item));
    }
    start = end + 1;
  }
  return out;
}

// Calls warmed at start-up, at most.
constexpr size_t kMaxStartupWarm = 5000;

// Brings an existing database to the latest schema before serving from it.
Status PrepareDatabase(db::Database& database) {
  FB_ASSIGN_OR_RETURN(auto connection, database.Connect(db::AccessMode::kReadWrite));
  FB_ASSIGN_OR_RETURN(int applied, db::Migrate(*connection));
  if (applied > 0) spdlog::info("applied {} schema migration(s)", applied);
  return Ok();
}

Result<cache::PolicyKind> PolicyFrom(const std::string& name) {
  auto kind = cache::ParsePolicyKind(name);
  if (!kind) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cache.l1_policy '{}' is not a policy (use fastbreak or lru)", name);
  }
  return *kind;
}

Status BuildCache(const AppOptions& options, Service& service) {
  const CacheSettings& settings = options.cache;
  if (settings.l1_max_entries == 0 || settings.l1_max_bytes == 0 || settings.l1_shards < 1 ||
      settings.ttl_current_ms < 1 || settings.ttl_historical_ms < 1 ||
      settings.negative_ttl_ms < 0 || settings.idempotency_ttl_ms < 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cache: l1_max_entries, l1_max_bytes, l1_shards and the TTLs must be "
                     "positive (negative_ttl_ms may be 0)");
  }
  cache::LayeredOptions layered;
  layered.l1.max_entries = settings.l1_max_entries;
  layered.l1.max_bytes = settings.l1_max_bytes;
  layered.l1.shards = static_cast<size_t>(settings.l1_shards);
  FB_ASSIGN_OR_RETURN(layered.l1.policy, PolicyFrom(settings.l1_policy));
  if (!options.redis.url.empty()) {
    cache::RedisOptions redis = RedisOptionsFrom(options.redis);
    FB_ASSIGN_OR_RETURN(service.redis, cache::RedisClient::Create(redis, service.registry));
    service.l2 = std::make_unique<cache::RedisCache>(*service.redis, service.registry);
    service.bus = std::make_unique<cache::RedisBus>(*service.redis, service.registry);
  }
  service.cache = std::make_unique<cache::LayeredCache>(
      layered, nba::ToolCache::GroupNames(nba::NbaCatalog()), service.l2.get(), service.bus.get(),
      service.registry, SystemClock::Instance());
  nba::ToolCacheOptions tools;
  tools.ttl_current = milliseconds(settings.ttl_current_ms);
  tools.ttl_historical = milliseconds(settings.ttl_historical_ms);
  tools.negative_ttl = milliseconds(settings.negative_ttl_ms);
  tools.idempotency_ttl = milliseconds(settings.idempotency_ttl_ms);
  tools.tool_ttl_ms = options.tool_ttl_ms;
  tools.tool_stale_ms = options.tool_stale_ms;
  service.tool_cache =
      std::make_unique<nba::ToolCache>(nba::NbaCatalog(), *service.cache, std::move(tools));
  if (service.l2) {
    cache::RedisCache* l2 = service.l2.get();
    cache::RedisBus* bus = service.bus.get();
    service.tool_cache->SetExtraStats([l2, bus](nba::Json& stats) {
      const cache::RedisCacheStats s = l2->Stats();
      auto& out = stats["l2"];
      out["get_hits"] = s.get_hits;
      out["get_misses"] = s.get_misses;
      out["get_stale"] = s.get_stale;
      out["puts"] = s.puts;
      out["puts_compressed"] = s.puts_compressed;
      out["errors"] = s.errors;
      out["timeouts"] = s.timeouts;
      out["skipped"] = s.skipped;
      out["breaker_opened"] = s.client.breaker_opened;
      out["bytes_read"] = s.bytes_read;
      out["bytes_written"] = s.bytes_written;
      const cache::RedisBusStats b = bus->Stats();
      auto& bus_out = stats["bus"];
      bus_out["instance"] = bus->instance_id();
      bus_out["published"] = b.published;
      bus_out["received"] = b.received;
    });
  }
  FB_RETURN_IF_ERROR(service.cache->Start());
  if (service.l2) {
    spdlog::info("cache: L1 {} entries / {} MiB ({}), L2 {} ({})", settings.l1_max_entries,
                 settings.l1_max_bytes >> 20, settings.l1_policy, options.redis.url,
                 service.l2->available() ? "connected" : "not reachable yet; probing");
  } else {
    spdlog::info("cache: L1 {} entries / {} MiB ({}), no L2", settings.l1_max_entries,
                 settings.l1_max_bytes >> 20, settings.l1_policy);
  }
  return Ok();
}

// The warm list and the previous run's hot keys, run into the cache on one worker.
void StartWarming(const AppOptions& options, Service& service) {
  std::vector<nba::WarmCall> calls;
  auto read = [&](const std::string& path, const char* what) {
    size_t skipped = 0;
    auto read_calls = service.tool_cache->ReadWarmFile(path, kMaxStartupWarm, &skipped);
    if (!read_calls) {
      spdlog::warn("cache: {} not read: {}", what, read_calls.error().message);
      return std::vector<nba::WarmCall>{};
    }
    if (skipped > 0) spdlog::warn("cache: {} lines of {} skipped ({})", skipped, path, what);
    return std::move(*read_calls);
  };
  if (!options.cache.warm_file.empty()) calls = read(options.cache.warm_file, "warm file");
  std::vector<nba::WarmCall> hot;
  std::error_code ec;
  if (!service.hot_keys_path.empty() && std::filesystem::exists(service.hot_keys_path, ec)) {
    hot = read(service.hot_keys_path, "hot keys of the previous run");
  }
  service.tool_cache->SetHotCalls(hot);
  if (calls.empty() && hot.empty()) return;
  nba::ToolCache* tool_cache = service.tool_cache.get();
  auto work = [tool_cache, calls = std::move(calls)](db::Connection& connection,
                                                     nba::CallHandle& handle) {
    nba::CallContext context{connection, nullptr, tool_cache};
    context.reconnect = [&handle] { return handle.Reconnect(); };
    auto result = tool_cache->Warm(calls, true, context);
    if (result) {
      spdlog::info("cache: warmed {} of {} calls at start-up ({} failed)",
                   (*result)["warmed"].get<int64_t>(), (*result)["requested"].get<int64_t>(),
                   (*result)["failed"].size());
    }
  };
  auto failed = [](const Error& error) {
    spdlog::warn("cache: start-up warming did not run: {}", error.message);
  };
  // Warming is one long call: it gets a generous limit of its own.
  nba::SubmitOptions submit;
  submit.timeout = std::chrono::minutes(10);
  submit.holder = "cache warming";
  if (auto handle = service.executor->Submit(std::move(work), failed, std::move(submit)); !handle) {
    failed(handle.error());
  }
}

}  // namespace

CacheMaintenance::CacheMaintenance(cache::LayeredCache& cache) {
  thread_ = std::thread([this, &cache] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
      lock.unlock();
      cache.Maintain();
      lock.lock();
    }
  });
}

CacheMaintenance::~CacheMaintenance() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Service::SaveHotKeys() const {
  if (!tool_cache || hot_keys_path.empty() || hot_keys == 0) return;
  if (auto status = tool_cache->SaveHotKeys(hot_keys_path, hot_keys); !status) {
    spdlog::warn("cache: hot keys not saved: {}", status.error().message);
  } else {
    spdlog::info("cache: saved the most requested calls to {}", hot_keys_path);
  }
}

std::string DatabaseDescription(const AppOptions& options) {
  if (options.postgres.dsn.empty()) return "database " + options.sqlite.path;
  // Passwords stay out of logs: keep only host, port and database name.
  std::string where;
  static const char* kKeys[] = {"host=", "port=", "dbname="};
  for (const char* key : kKeys) {
    const size_t at = options.postgres.dsn.find(key);
    if (at == std::string::npos) continue;
    const size_t end = options.postgres.dsn.find(' ', at);
    where += (where.empty() ? "" : " ") + options.postgres.dsn.substr(at, end - at);
  }
  if (where.empty()) where = "(URI)";
  const size_t replicas = SplitReplicas(options.postgres.replicas).size();
  return fmt::format("PostgreSQL {} with {} replica(s)", where, replicas);
}

cache::RedisOptions RedisOptionsFrom(const RedisSettings& settings) {
  cache::RedisOptions redis;
  redis.url = settings.url;
  redis.pool_size = settings.pool_size;
  redis.command_timeout = milliseconds(settings.command_timeout_ms);
  redis.connect_timeout = milliseconds(settings.connect_timeout_ms);
  redis.failure_threshold = settings.failure_threshold;
  redis.probe_interval = milliseconds(settings.probe_interval_ms);
  redis.compress_threshold = settings.compress_min_bytes;
  redis.schema_version = db::LatestSchemaVersion();
  return redis;
}

namespace {

db::PoolOptions PoolOptionsFrom(const PoolSettings& settings, std::string name, db::AccessMode mode,
                                int max_size) {
  db::PoolOptions pool;
  pool.name = std::move(name);
  pool.mode = mode;
  pool.max_size = max_size;
  pool.min_size = std::min(settings.min_size, max_size);
  pool.acquire_timeout = milliseconds(settings.acquire_timeout_ms);
  pool.validate_after_idle = milliseconds(settings.validate_after_idle_ms);
  pool.keepalive_interval = milliseconds(settings.keepalive_interval_ms);
  pool.max_lifetime = milliseconds(settings.max_lifetime_ms);
  pool.lifetime_jitter = settings.lifetime_jitter;
  pool.idle_timeout = milliseconds(settings.idle_timeout_ms);
  pool.leak_threshold = milliseconds(settings.leak_threshold_ms);
  return pool;
}

Status CheckPoolSettings(const AppOptions& options) {
  const PoolSettings& pool = options.pool;
  if (pool.min_size < 0 || pool.max_size < 0 || pool.write_max_size < 1 ||
      pool.acquire_timeout_ms < 1 || pool.validate_after_idle_ms < 0 ||
      pool.keepalive_interval_ms < 0 || pool.max_lifetime_ms < 0 || pool.idle_timeout_ms < 0 ||
      pool.leak_threshold_ms < 0 || pool.lifetime_jitter < 0 || pool.lifetime_jitter > 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "pool: sizes and times must not be negative, write_max_size and "
                     "acquire_timeout_ms must be at least 1, lifetime_jitter within 0..1");
  }
  const ReplicaSettings& replica = options.replica;
  if (replica.max_lag_ms < 1 || replica.check_interval_ms < 1 || replica.failures_to_remove < 1 ||
      replica.successes_to_restore < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "replica: every setting must be at least 1");
  }
  return Ok();
}

// Opens the database (SQLite file or PostgreSQL primary and replicas), migrates it, and builds
// the pools and the router the executor takes connections from.
Status OpenDatabases(const AppOptions& options, Service& service) {
  FB_RETURN_IF_ERROR(CheckPoolSettings(options));
  const int workers = options.mcp.workers > 0
                          ? options.mcp.workers
                          : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const int read_max = options.pool.max_size > 0 ? options.pool.max_size : workers;
  std::unique_ptr<db::ConnectionPool> read;
  std::unique_ptr<db::ConnectionPool> write;
  std::vector<std::unique_ptr<db::ConnectionPool>> replicas;
  if (options.postgres.dsn.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(options.sqlite.path, ec)) {
      return MakeError(ErrorCode::kNotFound,
                       "database '{}' does not exist; create one with 'fastbreak generate --db "
                       "{}' or 'fastbreak import ... --db {}'",
                       options.sqlite.path, options.sqlite.path, options.sqlite.path);
    }
    service.db_metrics = std::make_unique<db::DbMetrics>(service.registry);
    service.db_metrics->observer = service.query_stats.get();
    db::SqliteOptions sqlite = options.sqlite;
    sqlite.create_if_missing = false;
    FB_ASSIGN_OR_RETURN(service.database,
                        db::SqliteDatabase::Open(sqlite, service.db_metrics.get()));
    FB_RETURN_IF_ERROR(PrepareDatabase(*service.database));
    // Readers in parallel under WAL; SQLite has one writer at a time, so its pool has one.
    FB_ASSIGN_OR_RETURN(
        read, db::ConnectionPool::Create(*service.database,
                                         PoolOptionsFrom(options.pool, "sqlite-readers",
                                                         db::AccessMode::kReadOnly, read_max),
                                         &service.registry));
    FB_ASSIGN_OR_RETURN(
        write, db::ConnectionPool::Create(
                   *service.database,
                   PoolOptionsFrom(options.pool, "sqlite-writer", db::AccessMode::kReadWrite, 1),
                   &service.registry));
  } else {
    service.db_metrics = std::make_unique<db::DbMetrics>(service.registry, "postgres");
    service.db_metrics->observer = service.query_stats.get();
    auto pg_options = [&](const std::string& dsn) {
      db::PostgresOptions pg;
      pg.dsn = dsn;
      pg.connect_timeout = milliseconds(options.postgres.connect_timeout_ms);
      pg.statement_timeout = milliseconds(options.postgres.statement_timeout_ms);
      pg.statement_cache_capacity = options.postgres.statement_cache_capacity;
      pg.application_name = options.postgres.application_name;
      return pg;
    };
    FB_ASSIGN_OR_RETURN(
        service.database,
        db::PostgresDatabase::Open(pg_options(options.postgres.dsn), service.db_metrics.get()));
    if (auto status = PrepareDatabase(*service.database); !status) {
      return MakeError(status.error().code, "PostgreSQL primary: {}", status.error().message);
    }
    FB_ASSIGN_OR_RETURN(
        read, db::ConnectionPool::Create(
                  *service.database,
                  PoolOptionsFrom(options.pool, "primary", db::AccessMode::kReadOnly, read_max),
                  &service.registry));
    FB_ASSIGN_OR_RETURN(
        write, db::ConnectionPool::Create(
                   *service.database,
                   PoolOptionsFrom(options.pool, "primary-writer", db::AccessMode::kReadWrite,
                                   options.pool.write_max_size),
                   &service.registry));
    const auto dsns = SplitReplicas(options.postgres.replicas);
    for (size_t i = 0; i < dsns.size(); ++i) {
      FB_ASSIGN_OR_RETURN(
          auto replica, db::PostgresDatabase::Open(pg_options(dsns[i]), service.db_metrics.get()));
      FB_ASSIGN_OR_RETURN(
          auto pool,
          db::ConnectionPool::Create(*replica,
                                     PoolOptionsFrom(options.pool, fmt::format("replica{}", i + 1),
                                                     db::AccessMode::kReadOnly, read_max),
                                     &service.registry));
      service.replica_databases.push_back(std::move(replica));
      replicas.push_back(std::move(pool));
    }
  }
  db::ReplicaOptions replica;
  replica.max_lag = milliseconds(options.replica.max_lag_ms);
  replica.check_interval = milliseconds(options.replica.check_interval_ms);
  replica.failures_to_remove = options.replica.failures_to_remove;
  replica.successes_to_restore = options.replica.successes_to_restore;
  FB_ASSIGN_OR_RETURN(service.router,
                      db::DatabaseRouter::Create(std::move(read), std::move(write),
                                                 std::move(replicas), replica, &service.registry));
  return Ok();
}

// The query statistics, and their top fingerprints on /metrics.
Status BuildQueryStats(const QuerySettings& settings, Service& service) {
  if (!settings.enabled) return Ok();
  if (settings.slow_threshold_ms < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "query.slow_threshold_ms must be 0 (log every statement) or more, got {}",
                     settings.slow_threshold_ms);
  }
  if (settings.slow_log_capacity < 1 || settings.slow_log_capacity > 100'000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "query.slow_log_capacity must be between 1 and 100000, got {}",
                     settings.slow_log_capacity);
  }
  if (settings.max_fingerprints < 10 || settings.max_fingerprints > 1'000'000) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "query.max_fingerprints must be between 10 and 1000000, got {}",
                     settings.max_fingerprints);
  }
  if (settings.metrics_top < 0 || settings.metrics_top > 200) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "query.metrics_top must be between 0 and 200, got {}", settings.metrics_top);
  }
  query::QueryStatsOptions stats;
  stats.slow_threshold = std::chrono::milliseconds(settings.slow_threshold_ms);
  stats.slow_log_capacity = static_cast<size_t>(settings.slow_log_capacity);
  stats.slow_log_path = settings.slow_log_file;
  stats.max_fingerprints = static_cast<size_t>(settings.max_fingerprints);
  service.query_stats = std::make_shared<query::QueryStats>(std::move(stats));
  const auto top = static_cast<size_t>(settings.metrics_top);
  service.registry.AddCollector([stats = service.query_stats, top](std::string& out) {
    query::AppendQueryMetrics(*stats, top, out);
  });
  return Ok();
}

}  // namespace

Result<std::unique_ptr<Service>> StartService(const AppOptions& options) {
  auto service = std::make_unique<Service>();
  FB_RETURN_IF_ERROR(BuildQueryStats(options.query, *service));
  FB_RETURN_IF_ERROR(OpenDatabases(options, *service));
  if (options.cache.enabled) {
    FB_RETURN_IF_ERROR(BuildCache(options, *service));
    // Next to a SQLite file by default; a PostgreSQL service keeps hot keys only when told where.
    const bool by_default = options.cache.hot_keys_file.empty() && options.postgres.dsn.empty();
    if (options.cache.hot_keys_file != "off" &&
        (by_default || !options.cache.hot_keys_file.empty())) {
      service->hot_keys_path =
          by_default ? options.sqlite.path + ".hot-keys" : options.cache.hot_keys_file;
      service->hot_keys = options.cache.hot_keys;
    }
  }
  nba::ExecutorOptions executor;
  executor.workers = options.mcp.workers;
  executor.queue_capacity = options.mcp.queue_capacity;
  executor.call_timeout = std::chrono::milliseconds(options.mcp.call_timeout_ms);
  service->executor =
      std::make_unique<nba::Executor>(*service->router, executor, service->registry);
  service->executor->set_query_stats(service->query_stats.get());
  mcp::McpOptions mcp;
  mcp.server_version = FASTBREAK_VERSION;
  service->mcp = std::make_unique<mcp::McpServer>(nba::NbaCatalog(), *service->executor, mcp,
                                                  service->registry, service->tool_cache.get());
  if (service->cache) {
    service->maintenance = std::make_unique<CacheMaintenance>(*service->cache);
    StartWarming(options, *service);
  }
  return service;
}

}  // namespace fastbreak::app
