// The recording side: thread shards, Counter, Gauge, Histogram and ScopedTimer.
#include "telemetry/metrics.hpp"

#include <algorithm>
#include <chrono>

namespace fastbreak::telemetry {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// Lowers (kLess) or raises (!kLess) `target` to `value` if that improves it. Writes only when the
// value improves, so the common case is a single relaxed load.
template <bool kLess>
void StoreIfBetter(std::atomic<uint64_t>& target, uint64_t value) noexcept {
  uint64_t current = target.load(kRelaxed);
  while ((kLess ? value < current : value > current) &&
         !target.compare_exchange_weak(current, value, kRelaxed)) {
  }
}

int64_t SteadyNowNanos() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int ThisThreadShard() noexcept {
  static std::atomic<unsigned> next_shard{0};
  thread_local const int shard = static_cast<int>(next_shard.fetch_add(1, kRelaxed) % kShards);
  return shard;
}

// ---------------------------------------------------------------------------------------------
// Counter and Gauge

void Counter::Increment(uint64_t n) noexcept {
  cells_[ThisThreadShard()].value.fetch_add(n, kRelaxed);
}

uint64_t Counter::Value() const noexcept {
  uint64_t total = 0;
  for (const Cell& cell : cells_) total += cell.value.load(kRelaxed);
  return total;
}

void Gauge::Set(double value) noexcept { value_.store(value, kRelaxed); }

void Gauge::Add(double delta) noexcept { value_.fetch_add(delta, kRelaxed); }

double Gauge::Value() const noexcept { return value_.load(kRelaxed); }

// ---------------------------------------------------------------------------------------------
// Histogram

// One thread group's cells. Aligned so that neighbouring shards never share a cache line.
struct alignas(64) Histogram::Shard {
  std::array<std::atomic<uint64_t>, HistogramSnapshot::kBuckets> buckets{};
  std::atomic<uint64_t> sum{0};
  std::atomic<uint64_t> min{UINT64_MAX};
  std::atomic<uint64_t> max{0};
};

Histogram::Histogram() : shards_(std::make_unique<Shard[]>(kShards)) {}

Histogram::~Histogram() = default;

void Histogram::Record(uint64_t value) noexcept {
  Shard& shard = shards_[ThisThreadShard()];
  // min/max first: Snapshot scans only the buckets between them.
  StoreIfBetter<true>(shard.min, value);
  StoreIfBetter<false>(shard.max, value);
  shard.sum.fetch_add(value, kRelaxed);
  shard.buckets[HistogramSnapshot::BucketOf(value)].fetch_add(1, kRelaxed);
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot snapshot;
  for (int s = 0; s < kShards; ++s) {
    const Shard& shard = shards_[s];
    // Record widens [min, max] before it counts a bucket, so only the buckets of that range can
    // be non-zero: scanning just those keeps a snapshot cheap (a shard no thread used has
    // min > max and is skipped). A value whose min/max update this read misses is one being
    // recorded concurrently, which a snapshot may or may not include anyway.
    const uint64_t min = shard.min.load(kRelaxed);
    const uint64_t max = shard.max.load(kRelaxed);
    if (min > max) continue;
    const int last = HistogramSnapshot::BucketOf(max);
    for (int b = HistogramSnapshot::BucketOf(min); b <= last; ++b) {
      const uint64_t n = shard.buckets[b].load(kRelaxed);
      snapshot.buckets_[b] += n;
      snapshot.count_ += n;
    }
    snapshot.sum_ += shard.sum.load(kRelaxed);
    snapshot.min_ = std::min(snapshot.min_, min);
    snapshot.max_ = std::max(snapshot.max_, max);
  }
  return snapshot;
}

// ---------------------------------------------------------------------------------------------
// ScopedTimer

ScopedTimer::ScopedTimer(Histogram& histogram) noexcept
    : histogram_(histogram), start_ns_(SteadyNowNanos()) {}

ScopedTimer::~ScopedTimer() {
  const int64_t elapsed = SteadyNowNanos() - start_ns_;
  histogram_.Record(elapsed > 0 ? static_cast<uint64_t>(elapsed) : 0);
}

}  // namespace fastbreak::telemetry
