// Tool calls through the layered cache: which calls are cached under which key, what a
// computation stores (the serialized CallToolResult, its tags, its TTL), and the cache tools'
// operations (stats, invalidation, warming, the most requested keys kept across restarts).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cache/layered_cache.hpp"
#include "nba/cache_control.hpp"
#include "nba/catalog.hpp"

namespace fastbreak::nba {

struct ToolCacheOptions {
  // Fresh lifetime of results naming the current season (or no season).
  std::chrono::milliseconds ttl_current{60'000};
  // Fresh lifetime of results naming finished seasons only.
  std::chrono::milliseconds ttl_historical{24 * 3600 * 1000};
  // Lifetime of "not found" and bad-argument results; 0 = not cached.
  std::chrono::milliseconds negative_ttl{30'000};
  // Per tool (by name), overriding the two above when > 0: fresh TTL and stale window (ms).
  std::map<std::string, int> tool_ttl_ms;
  std::map<std::string, int> tool_stale_ms;
  // REST replays of POSTs with an Idempotency-Key.
  std::chrono::milliseconds idempotency_ttl{24 * 3600 * 1000};
  // Entity tags kept per entry (beyond that the table tags stand for it).
  size_t max_entity_tags = 64;
};

// Thread-safe.
class ToolCache final : public CacheControl {
 public:
  // The cache groups: one per catalog tool (GroupId = index in catalog.tools), then
  // "idempotency" (REST replays).
  static std::vector<std::string> GroupNames(const Catalog& catalog);

  // REQUIRES: `cache` was built with GroupNames(catalog); both outlive this.
  ToolCache(const Catalog& catalog, cache::LayeredCache& cache, ToolCacheOptions options);

  cache::LayeredCache& layered() { return cache_; }
  cache::GroupId idempotency_group() const {
    return static_cast<cache::GroupId>(catalog_.tools.size());
  }

  // The key of a call, or nullopt when the tool's results are not cached (a cache tool, the
  // group disabled, arguments too large to key).
  std::optional<std::string> KeyFor(size_t tool_index, const Json& arguments) const;

  // Runs the tool on `context` and turns its answer into what the cache stores: a result
  // (tags from the tables it reads and the ids and seasons it names; TTL by season), a
  // negative result (not found, bad arguments), or an uncacheable error result (time limit,
  // anything else). kCancelled when `cancelled()` says the caller gave up.
  Result<cache::Computed> Compute(const ToolSpec& tool, const Json& arguments, CallContext& context,
                                  const std::function<bool()>& cancelled,
                                  const std::function<std::string(const Error&)>& describe);

  // Compute without the cache's additions (tags, TTL): for calls that are not cached.
  static Result<cache::Computed> ComputeUncached(
      const ToolSpec& tool, const Json& arguments, CallContext& context,
      const std::function<bool()>& cancelled,
      const std::function<std::string(const Error&)>& describe);

  // Runs a call on the calling (worker) thread: through `cache` (L1, L2, else Compute) when
  // both `cache` and `key` are set, else ComputeUncached. The answer is an Entry either way.
  static Result<cache::Served> Run(ToolCache* cache, size_t tool_index, const ToolSpec& tool,
                                   const std::optional<std::string>& key, const Json& arguments,
                                   CallContext& context, const std::function<bool()>& cancelled,
                                   const std::function<std::string(const Error&)>& describe);

  // Serves a call through the cache on the calling (worker) thread: L1, L2, else Compute.
  Result<cache::Served> Serve(size_t tool_index, const std::string& key, const Json& arguments,
                              CallContext& context);

  // CacheControl.
  Json Stats() const override;
  Result<Json> Invalidate(const CacheInvalidation& invalidation) override;
  Result<Json> Warm(const std::vector<WarmCall>& calls, bool hot, CallContext& context) override;

  // Extra sections for Stats() (the Redis level and bus report themselves through this).
  void SetExtraStats(std::function<void(Json& stats)> extra);

  // The most requested calls, one JSON line {"tool","arguments","hits"} each, written to
  // `path` atomically (temp file + rename).
  Status SaveHotKeys(const std::string& path, size_t n) const;
  // Reads a file written by SaveHotKeys (or a warm list of {"tool","arguments"} lines): the
  // calls to warm. Lines that are not cacheable calls are skipped and counted in `skipped`.
  Result<std::vector<WarmCall>> ReadWarmFile(const std::string& path, size_t limit,
                                             size_t* skipped = nullptr) const;
  // The calls `warm_cache` with hot: true runs (read at start-up from the previous run).
  void SetHotCalls(std::vector<WarmCall> calls);

 private:
  std::chrono::milliseconds TtlFor(const ToolSpec& tool, std::optional<int> newest_season,
                                   db::Connection& connection);

  const Catalog& catalog_;
  cache::LayeredCache& cache_;
  const ToolCacheOptions options_;
  // The newest season in the database (0 = to be read again, after an invalidation).
  std::atomic<int> current_season_{0};
  mutable std::mutex mutex_;
  std::function<void(Json&)> extra_stats_;  // guarded by mutex_
  std::vector<WarmCall> hot_calls_;         // guarded by mutex_
};

}  // namespace fastbreak::nba
