// What the cache tools (get_cache_stats, invalidate_cache, warm_cache) ask of the service's
// tool cache. The catalog defines the tools; the service implements this interface and hands
// it to calls through CallContext::cache.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "nba/catalog.hpp"

namespace fastbreak::nba {

struct CacheInvalidation {
  std::vector<std::string> tags;      // "season:2023", "team:1610612738", "table:games"
  std::vector<std::string> tools;     // every result of these tools
  std::vector<std::string> prefixes;  // raw key prefixes
  std::vector<std::string> keys;      // exact keys
  bool all = false;
};

struct WarmCall {
  std::string tool;
  Json arguments;
};

class CacheControl {
 public:
  virtual ~CacheControl() = default;
  // Hits, misses and latencies per tool and level, evictions by cause, sizes, L2 and bus
  // state, and recommendations. The body of GET /api/mcp/performance/cache-stats.
  virtual Json Stats() const = 0;
  // Drops matching entries here, in Redis and (over the bus) on every other instance.
  // {"removed_l1": n, "l2": bool, "broadcast": bool}.
  virtual Result<Json> Invalidate(const CacheInvalidation& invalidation) = 0;
  // Runs `calls` (or, with `hot`, the most requested keys of the previous run) into the cache
  // on `context`'s connection, one after the other. {"requested","warmed","already_cached",
  // "failed":[{"tool","error"}]}.
  virtual Result<Json> Warm(const std::vector<WarmCall>& calls, bool hot, CallContext& context) = 0;
};

}  // namespace fastbreak::nba
