#include "cache/cache_stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace fastbreak::cache {
namespace {

constexpr std::string_view kLevelNames[] = {"l1", "stale", "l2", "computed"};
constexpr std::string_view kFillOutcomeNames[] = {"stored", "not_stored", "uncacheable", "error",
                                                  "discarded"};

constexpr std::string_view kRequestsName = "fastbreak_cache_requests_total";
constexpr std::string_view kLatencyName = "fastbreak_cache_lookup_duration_seconds";

double Share(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// 1204 -> "1,204".
std::string Thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Percent(double share) { return fmt::format("{}%", std::lround(share * 100)); }

// 60000 ms -> "60 s", 1500 ms -> "1500 ms", 0 -> "0 s".
std::string Duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return fmt::format("{} s", d.count() / 1000);
  return fmt::format("{} ms", d.count());
}

std::string Bytes(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0) {
    return fmt::format("{} MiB", bytes >> 20);
  }
  if (bytes >= (uint64_t{1} << 20)) return fmt::format("{:.1f} MiB", bytes / 1048576.0);
  return fmt::format("{} KiB", (bytes + 1023) / 1024);
}

size_t Index(MissReason reason) { return static_cast<size_t>(reason); }

LatencyStats Summarize(const telemetry::HistogramSnapshot& h) {
  LatencyStats stats;
  stats.count = h.Count();
  if (stats.count == 0) return stats;
  stats.mean_ms = h.Mean() / 1e6;
  stats.p50_ms = h.Percentile(50) / 1e6;
  stats.p99_ms = h.Percentile(99) / 1e6;
  return stats;
}

}  // namespace

std::string_view LevelName(Level level) { return kLevelNames[static_cast<size_t>(level)]; }

std::string_view FillOutcomeName(FillOutcome outcome) {
  return kFillOutcomeNames[static_cast<size_t>(outcome)];
}

uint64_t GroupStats::hits() const {
  return served[static_cast<size_t>(Level::kL1)] + served[static_cast<size_t>(Level::kStale)];
}

uint64_t GroupStats::total_misses() const {
  uint64_t total = 0;
  for (uint64_t m : misses) total += m;
  return total;
}

double GroupStats::hit_ratio() const { return Share(hits(), hits() + total_misses()); }

// ---------------------------------------------------------------------------------------------
// CacheMetrics

CacheMetrics::CacheMetrics(telemetry::MetricsRegistry& registry,
                           const std::vector<std::string>& groups)
    : registry_(registry),
      groups_(std::make_unique<PerGroup[]>(groups.size())),
      admission_rejections_(
          registry.GetCounter("fastbreak_cache_admission_rejections_total",
                              "New L1 entries the admission policy declined to keep")),
      oversize_(registry.GetCounter("fastbreak_cache_oversize_total",
                                    "Values not stored in the L1: over one shard's byte share")),
      bus_disconnects_(registry.GetCounter("fastbreak_cache_bus_disconnects_total",
                                           "Invalidation bus disconnections (each clears the L1)")),
      invalidations_(registry.GetCounter("fastbreak_cache_invalidations_total",
                                         "Invalidations applied to the L1, local and received")),
      entries_(registry.GetGauge("fastbreak_cache_entries", "Entries in the L1")),
      bytes_(registry.GetGauge("fastbreak_cache_bytes", "Weight of the L1's entries, in bytes")),
      l2_available_(registry.GetGauge("fastbreak_cache_l2_available",
                                      "1 while the L2 is available, 0 while down or absent")),
      bus_connected_(registry.GetGauge("fastbreak_cache_bus_connected",
                                       "1 while the invalidation bus is connected")) {
  for (size_t c = 0; c < kRemovalCauseCount; ++c) {
    evictions_[c] = &registry.GetCounter(
        "fastbreak_cache_evictions_total", "L1 entries removed, by cause",
        {{"cause", std::string(RemovalCauseName(static_cast<RemovalCause>(c)))}});
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    PerGroup& group = groups_[g];
    group.name = groups[g];
    for (size_t l = 0; l < kLevelCount; ++l) {
      group.served[l] = &registry.GetCounter(
          kRequestsName, "Cache answers by tool and the level that served them",
          {{"tool", group.name}, {"level", std::string(kLevelNames[l])}});
    }
    for (size_t r = 0; r < kMissReasonCount; ++r) {
      group.misses[r] = &registry.GetCounter(
          "fastbreak_cache_misses_total", "L1 misses by tool and reason",
          {{"tool", group.name},
           {"reason", std::string(MissReasonName(static_cast<MissReason>(r)))}});
    }
    group.coalesced = &registry.GetCounter(
        "fastbreak_cache_coalesced_total",
        "Requests that waited on another request's computation (single flight)",
        {{"tool", group.name}});
    for (size_t o = 0; o < kFillOutcomeCount; ++o) {
      group.fills[o] = &registry.GetCounter(
          "fastbreak_cache_fills_total", "What became of values fetched from L2 or computed",
          {{"tool", group.name}, {"outcome", std::string(kFillOutcomeNames[o])}});
    }
  }
}

CacheMetrics::~CacheMetrics() = default;

void CacheMetrics::RecordLatency(GroupId group, Level level, Clock::Duration duration) {
  std::atomic<telemetry::Histogram*>& slot = groups_[group].latency[static_cast<size_t>(level)];
  telemetry::Histogram* histogram = slot.load(std::memory_order_acquire);
  if (histogram == nullptr) {
    // The registry returns the same histogram to racing first users.
    histogram = &registry_.GetHistogram(
        kLatencyName, "Time to answer a cached tool call, by tool and serving level",
        {{"tool", groups_[group].name}, {"level", std::string(LevelName(level))}});
    slot.store(histogram, std::memory_order_release);
  }
  histogram->Record(static_cast<uint64_t>(std::max<int64_t>(duration.count(), 0)));
}

void CacheMetrics::BusDisconnected() noexcept { bus_disconnects_.Increment(); }
void CacheMetrics::Invalidated() noexcept { invalidations_.Increment(); }
uint64_t CacheMetrics::bus_disconnects() const { return bus_disconnects_.Value(); }
uint64_t CacheMetrics::invalidations() const { return invalidations_.Value(); }

void CacheMetrics::Export(const L1Stats& l1, bool l2_available, bool bus_connected) {
  entries_.Set(static_cast<double>(l1.entries));
  bytes_.Set(static_cast<double>(l1.bytes));
  l2_available_.Set(l2_available ? 1 : 0);
  bus_connected_.Set(bus_connected ? 1 : 0);
  std::lock_guard lock(export_mutex_);
  // The L1's counters only grow; a racing older snapshot is skipped rather than subtracted.
  for (size_t c = 0; c < kRemovalCauseCount; ++c) {
    if (l1.removals[c] > exported_removals_[c]) {
      evictions_[c]->Increment(l1.removals[c] - exported_removals_[c]);
      exported_removals_[c] = l1.removals[c];
    }
  }
  if (l1.admission_rejections > exported_rejections_) {
    admission_rejections_.Increment(l1.admission_rejections - exported_rejections_);
    exported_rejections_ = l1.admission_rejections;
  }
  if (l1.oversize_rejections > exported_oversize_) {
    oversize_.Increment(l1.oversize_rejections - exported_oversize_);
    exported_oversize_ = l1.oversize_rejections;
  }
}

void CacheMetrics::Read(GroupId group, GroupStats& out) const {
  const PerGroup& g = groups_[group];
  for (size_t l = 0; l < kLevelCount; ++l) {
    out.served[l] = g.served[l]->Value();
    const telemetry::Histogram* histogram = g.latency[l].load(std::memory_order_acquire);
    out.latency[l] = histogram != nullptr ? Summarize(histogram->Snapshot()) : LatencyStats{};
  }
  for (size_t r = 0; r < kMissReasonCount; ++r) out.misses[r] = g.misses[r]->Value();
  out.coalesced = g.coalesced->Value();
  for (size_t o = 0; o < kFillOutcomeCount; ++o) out.fills[o] = g.fills[o]->Value();
}

// ---------------------------------------------------------------------------------------------
// Recommendations

std::vector<std::string> Recommendations(const CacheSnapshot& s,
                                         const RecommendationOptions& options) {
  std::vector<std::string> out;
  if (s.l2_configured && !s.l2_available) {
    out.push_back(
        "L2 circuit open: Redis is unreachable or slow, so every L1 miss is computed; check "
        "the connection to Redis");
  }
  if (s.bus_configured && !s.bus_connected) {
    out.push_back(fmt::format(
        "the invalidation bus is disconnected: L1 entries are kept at most {} and the L1 is "
        "cleared on reconnect; check Redis pub/sub",
        Duration(s.l1_ttl_while_bus_down)));
  } else if (s.bus_disconnects >= 3) {
    out.push_back(fmt::format(
        "the invalidation bus disconnected {} times, and each time cleared the L1: check the "
        "network to Redis",
        Thousands(s.bus_disconnects)));
  }

  // Totals over groups.
  std::array<uint64_t, kMissReasonCount> misses{};
  uint64_t hits = 0;
  for (const GroupStats& g : s.groups) {
    hits += g.hits();
    for (size_t r = 0; r < kMissReasonCount; ++r) misses[r] += g.misses[r];
  }
  uint64_t total_misses = 0;
  for (uint64_t m : misses) total_misses += m;
  const double hit_ratio = Share(hits, hits + total_misses);

  const uint64_t evicted = misses[Index(MissReason::kEvicted)];
  if (total_misses >= options.min_misses && hit_ratio < options.good_hit_ratio &&
      Share(evicted, total_misses) >= 0.3) {
    const uint64_t by_size =
        s.l1.removals[static_cast<size_t>(RemovalCause::kSize)] + s.l1.admission_rejections;
    const uint64_t by_bytes = s.l1.removals[static_cast<size_t>(RemovalCause::kBytes)];
    if (by_bytes > by_size) {
      out.push_back(fmt::format(
          "L1 evicts by bytes and the hit ratio is {} ({} of {} misses were evicted keys): "
          "raise cache.l1.max_bytes (now {})",
          Percent(hit_ratio), Percent(Share(evicted, total_misses)), Thousands(total_misses),
          Bytes(s.l1.max_bytes)));
    } else {
      out.push_back(fmt::format(
          "L1 evicts by size and the hit ratio is {} ({} of {} misses were evicted keys): "
          "raise cache.l1.max_entries (now {})",
          Percent(hit_ratio), Percent(Share(evicted, total_misses)), Thousands(total_misses),
          Thousands(s.l1.max_entries)));
    }
  }
  const uint64_t cold = misses[Index(MissReason::kCold)];
  if (total_misses >= options.min_misses && Share(cold, total_misses) >= options.dominant_share) {
    out.push_back(fmt::format("most misses are cold ({} of {}): warm the cache at start-up",
                              Percent(Share(cold, total_misses)), Thousands(total_misses)));
  }
  if (s.l1.oversize_rejections > 0) {
    out.push_back(fmt::format(
        "{} results were too large for the L1 (over {} per shard): raise cache.l1.max_bytes "
        "if they are worth caching",
        Thousands(s.l1.oversize_rejections),
        Bytes(s.l1.shards == 0 ? s.l1.max_bytes : s.l1.max_bytes / s.l1.shards)));
  }

  for (const GroupStats& g : s.groups) {
    const uint64_t group_misses = g.total_misses();
    if (!g.policy.enabled) continue;
    if (group_misses >= options.min_misses) {
      const uint64_t expired = g.misses[Index(MissReason::kExpired)];
      const uint64_t invalidated = g.misses[Index(MissReason::kInvalidated)];
      const uint64_t group_cold = g.misses[Index(MissReason::kCold)];
      const uint64_t lookups = g.hits() + group_misses;
      if (Share(expired, group_misses) >= options.dominant_share) {
        out.push_back(fmt::format(
            "misses of `{}` are mostly expirations ({} of {}): raise its TTL (now {}){}", g.name,
            Percent(Share(expired, group_misses)), Thousands(group_misses), Duration(g.policy.ttl),
            g.policy.stale_ttl.count() == 0 ? " or give it a stale-while-revalidate window" : ""));
      } else if (Share(invalidated, group_misses) >= options.dominant_share) {
        out.push_back(fmt::format(
            "misses of `{}` are mostly invalidations ({} of {}): its entries are dropped faster "
            "than they are reused; invalidate narrower tags",
            g.name, Percent(Share(invalidated, group_misses)), Thousands(group_misses)));
      } else if (lookups >= options.min_misses * 10 && g.hit_ratio() < options.useless_hit_ratio &&
                 Share(group_cold, group_misses) >= 0.8) {
        out.push_back(fmt::format(
            "`{}` is hardly ever asked twice (hit ratio {} over {} lookups): caching it spends "
            "memory for nothing; consider disabling its cache",
            g.name, Percent(g.hit_ratio()), Thousands(lookups)));
      }
    }
    const uint64_t fills = g.fills[static_cast<size_t>(FillOutcome::kStored)] +
                           g.fills[static_cast<size_t>(FillOutcome::kNotStored)] +
                           g.fills[static_cast<size_t>(FillOutcome::kDiscarded)];
    const uint64_t discarded = g.fills[static_cast<size_t>(FillOutcome::kDiscarded)];
    if (discarded >= 20 && Share(discarded, fills) >= 0.1) {
      out.push_back(fmt::format(
          "{} of `{}` results ({}) were not stored because an invalidation ran while they were "
          "computed: invalidations are too frequent or too broad",
          Thousands(discarded), g.name, Percent(Share(discarded, fills))));
    }
    const LatencyStats& l2 = g.latency[static_cast<size_t>(Level::kL2)];
    const LatencyStats& computed = g.latency[static_cast<size_t>(Level::kComputed)];
    if (l2.count >= 100 && computed.count >= 100 && l2.p50_ms > computed.p50_ms) {
      out.push_back(fmt::format(
          "L2 hits of `{}` (p50 {:.2f} ms) are slower than computing it (p50 {:.2f} ms): the "
          "round trip to Redis costs more than it saves for this tool",
          g.name, l2.p50_ms, computed.p50_ms));
    }
  }
  return out;
}

}  // namespace fastbreak::cache
