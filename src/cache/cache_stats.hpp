// Cache analytics: the counters of the layered cache per group (tool) and level, kept as
// Prometheus metrics in the telemetry registry, a plain-struct snapshot of them for the app to
// format, and recommendations derived from a snapshot.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cache/l1_cache.hpp"
#include "core/clock.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::cache {

// Where an answer came from.
enum class Level : uint8_t {
  kL1,        // a fresh L1 entry
  kStale,     // a stale L1 entry (stale-while-revalidate), refreshed in the background
  kL2,        // the shared second level
  kComputed,  // computed (the tool ran)
};
inline constexpr size_t kLevelCount = 4;
std::string_view LevelName(Level level);  // "l1", "stale", "l2", "computed"

// What became of a Fill's value.
enum class FillOutcome : uint8_t {
  kStored,       // stored in L1
  kNotStored,    // refused by the L1 (admission, size) or the group is disabled
  kUncacheable,  // the computation said it must not be cached
  kError,        // the computation failed
  kDiscarded,    // an invalidation ran during the computation: delivered, not stored
};
inline constexpr size_t kFillOutcomeCount = 5;
std::string_view FillOutcomeName(FillOutcome outcome);

// How one group's results are cached. Changeable at runtime (LayeredCache::SetGroupPolicy).
struct GroupPolicy {
  bool enabled = true;                             // false: compute every time, store nothing
  std::chrono::milliseconds ttl{60'000};           // how long a result is served as fresh
  std::chrono::milliseconds stale_ttl{0};          // then served stale while refreshed; 0 = never
  std::chrono::milliseconds negative_ttl{10'000};  // for "not found" results
};

struct LatencyStats {
  uint64_t count = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

struct GroupStats {
  std::string name;
  GroupPolicy policy;
  // Answers by level. kL1/kStale count Find hits; kL2/kComputed count Fills.
  std::array<uint64_t, kLevelCount> served{};
  std::array<uint64_t, kMissReasonCount> misses{};  // Find misses by reason
  uint64_t coalesced = 0;  // Joins that waited on another caller's computation
  std::array<uint64_t, kFillOutcomeCount> fills{};
  std::array<LatencyStats, kLevelCount> latency{};  // as reported through RecordLatency

  uint64_t hits() const;          // fresh + stale L1 hits
  uint64_t total_misses() const;  // sum of misses
  double hit_ratio() const;       // hits / (hits + misses); 0 when no lookups
};

struct CacheSnapshot {
  std::vector<GroupStats> groups;
  L1Stats l1;
  bool l2_configured = false;
  bool l2_available = false;
  bool bus_configured = false;
  bool bus_connected = false;
  uint64_t bus_disconnects = 0;
  uint64_t invalidations = 0;  // applied here: local ones and those received on the bus
  std::chrono::milliseconds l1_ttl_while_bus_down{0};
};

struct RecommendationOptions {
  // Fewer misses (per group, or in total) than this: too little data to advise on.
  uint64_t min_misses = 100;
  // A miss reason advised on when it is at least this share of the misses.
  double dominant_share = 0.5;
  // Evictions advised on only while the overall hit ratio is below this.
  double good_hit_ratio = 0.8;
  // A group is "hardly reused" below this hit ratio (with min_misses * 10 lookups).
  double useless_hit_ratio = 0.05;
};

// Human-readable advice from the numbers, most important first; empty when all looks well.
std::vector<std::string> Recommendations(const CacheSnapshot& snapshot,
                                         const RecommendationOptions& options = {});

// The layered cache's Prometheus metrics, resolved once per group at construction so that the
// hot path is a sharded counter increment (no lookup, no lock). Thread-safe.
//   fastbreak_cache_requests_total{tool,level}        answers by level
//   fastbreak_cache_misses_total{tool,reason}         L1 misses by reason
//   fastbreak_cache_coalesced_total{tool}             single-flight followers
//   fastbreak_cache_fills_total{tool,outcome}         what became of computed / L2 values
//   fastbreak_cache_lookup_duration_seconds{tool,level}  end-to-end, as reported
//   fastbreak_cache_evictions_total{cause}            L1 removals by cause
//   fastbreak_cache_admission_rejections_total        new entries the policy declined
//   fastbreak_cache_oversize_total                    values over a shard's byte share
//   fastbreak_cache_entries, fastbreak_cache_bytes    L1 size now
//   fastbreak_cache_l2_available, fastbreak_cache_bus_connected  (0/1)
//   fastbreak_cache_bus_disconnects_total, fastbreak_cache_invalidations_total
class CacheMetrics {
 public:
  CacheMetrics(telemetry::MetricsRegistry& registry, const std::vector<std::string>& groups);
  ~CacheMetrics();
  CacheMetrics(const CacheMetrics&) = delete;
  CacheMetrics& operator=(const CacheMetrics&) = delete;

  // REQUIRES for all: group < number of groups.
  void Served(GroupId group, Level level) noexcept {
    groups_[group].served[static_cast<size_t>(level)]->Increment();
  }
  void Missed(GroupId group, MissReason reason) noexcept {
    groups_[group].misses[static_cast<size_t>(reason)]->Increment();
  }
  void Coalesced(GroupId group) noexcept { groups_[group].coalesced->Increment(); }
  void Filled(GroupId group, FillOutcome outcome) noexcept {
    groups_[group].fills[static_cast<size_t>(outcome)]->Increment();
  }
  // The histogram of a (group, level) is registered on its first use.
  void RecordLatency(GroupId group, Level level, Clock::Duration duration);
  void BusDisconnected() noexcept;
  void Invalidated() noexcept;

  // Publishes the L1's size, its removal and rejection counts (as increments since the last
  // call) and the L2 and bus state. Called by LayeredCache::Maintain and Snapshot.
  void Export(const L1Stats& l1, bool l2_available, bool bus_connected);
  // Fills the counters and latencies of `group` into `out` (not name or policy).
  void Read(GroupId group, GroupStats& out) const;
  uint64_t bus_disconnects() const;
  uint64_t invalidations() const;

 private:
  struct PerGroup {
    std::string name;
    std::array<telemetry::Counter*, kLevelCount> served{};
    std::array<telemetry::Counter*, kMissReasonCount> misses{};
    telemetry::Counter* coalesced = nullptr;
    std::array<telemetry::Counter*, kFillOutcomeCount> fills{};
    std::array<std::atomic<telemetry::Histogram*>, kLevelCount> latency{};
  };

  telemetry::MetricsRegistry& registry_;
  std::unique_ptr<PerGroup[]> groups_;
  std::array<telemetry::Counter*, kRemovalCauseCount> evictions_{};
  telemetry::Counter& admission_rejections_;
  telemetry::Counter& oversize_;
  telemetry::Counter& bus_disconnects_;
  telemetry::Counter& invalidations_;
  telemetry::Gauge& entries_;
  telemetry::Gauge& bytes_;
  telemetry::Gauge& l2_available_;
  telemetry::Gauge& bus_connected_;

  std::mutex export_mutex_;  // guards the exported_* baselines
  std::array<uint64_t, kRemovalCauseCount> exported_removals_{};
  uint64_t exported_rejections_ = 0;
  uint64_t exported_oversize_ = 0;
};

}  // namespace fastbreak::cache
