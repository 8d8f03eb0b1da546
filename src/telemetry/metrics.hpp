// Metrics: counters, gauges and latency histograms that are cheap enough for the request path
// (no lock shared by all threads on record), gathered in a registry and exported as Prometheus
// text. Registration takes a lock; recording never does.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastbreak::telemetry {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Number of independent cells a counter or histogram spreads its writes over. A thread always
// writes the same cell (chosen once per thread), so concurrent writers rarely share a line.
inline constexpr int kShards = 16;

// Index of the calling thread's shard, in [0, kShards).
int ThisThreadShard() noexcept;

// A monotonically increasing count. Thread-safe.
class Counter {
 public:
  void Increment(uint64_t n = 1) noexcept;
  uint64_t Value() const noexcept;

 private:
  struct alignas(64) Cell {
    std::atomic<uint64_t> value{0};
  };
  std::array<Cell, kShards> cells_{};
};

// A value that goes up and down. Thread-safe.
class Gauge {
 public:
  void Set(double value) noexcept;
  void Add(double delta) noexcept;
  double Value() const noexcept;

 private:
  std::atomic<double> value_{0.0};
};

// A point-in-time copy of a histogram's buckets. Plain data: copy, merge and query freely.
//
// Bucket layout (log-linear, like HDR histograms): values 0..kSubBuckets-1 get one bucket each;
// above that, each power of two [2^k, 2^(k+1)) is split into kSubBuckets equal-width buckets.
// So the relative error of any percentile is below 1/kSubBuckets (3.1%), over the whole
// uint64 range, with a fixed number of buckets.
class HistogramSnapshot {
 public:
  static constexpr int kSubBucketBits = 5;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;  // 32
  static constexpr int kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

  // Bucket index of a value, and the [lower, upper] range of values a bucket holds.
  static int BucketOf(uint64_t value) noexcept;
  static uint64_t BucketLower(int bucket) noexcept;
  static uint64_t BucketUpper(int bucket) noexcept;

  uint64_t Count() const { return count_; }
  uint64_t Sum() const { return sum_; }
  uint64_t Min() const { return count_ == 0 ? 0 : min_; }
  uint64_t Max() const { return max_; }
  double Mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }

  // The value below which `p` percent of recorded values fall (p in [0, 100]); 0 when empty.
  // Interpolates within the bucket and clamps to [Min(), Max()].
  double Percentile(double p) const;

  // Number of recorded values <= `value` (exact at bucket boundaries, interpolated inside).
  double CountAtOrBelow(double value) const;

  // Adds another snapshot's values into this one (e.g. the same metric from several
  // instances or threads).
  void Merge(const HistogramSnapshot& other);

  void Add(uint64_t value, uint64_t times = 1);
  uint64_t BucketCount(int bucket) const { return buckets_[bucket]; }

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

// A distribution of non-negative integer values (latencies in nanoseconds, sizes in bytes).
// Record is lock-free and wait-free: a few relaxed atomic adds on the calling thread's shard.
class Histogram {
 public:
  Histogram();
  ~Histogram();
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Record(uint64_t value) noexcept;
  HistogramSnapshot Snapshot() const;

 private:
  struct Shard;
  std::unique_ptr<Shard[]> shards_;
};

// Records the time from construction to destruction into a histogram, in nanoseconds.
class ScopedTimer {
 public:
  explicit ScopedTimer(Histogram& histogram) noexcept;
  ~ScopedTimer();
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  Histogram& histogram_;
  int64_t start_ns_;
};

// How a histogram is exported to Prometheus.
struct HistogramOptions {
  // Multiplier from recorded units to exported units: 1e-9 turns nanoseconds into the seconds
  // Prometheus conventions ask for. Use 1.0 for sizes and counts.
  double export_scale = 1e-9;
  // Upper bounds ("le") of the exported cumulative buckets, in exported units, ascending.
  std::vector<double> export_buckets = {0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                        0.0025,  0.005,   0.01,   0.025,   0.05,   0.1,
                                        0.25,    0.5,     1.0,    2.5,     5.0,    10.0};
};

// Owns every metric of a process. Get* returns the metric registered under (name, labels),
// creating it on first use; references stay valid for the registry's lifetime, so hot paths
// look a metric up once and keep the reference. Thread-safe.
//
// Names follow Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*); a name registered as one kind and
// asked for as another, or an invalid name, is a programming error (std::invalid_argument).
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          const HistogramOptions& options = {});

  // Prometheus text exposition format 0.0.4: one # HELP and # TYPE per family, series sorted
  // by name then labels; histograms as _bucket{le=...} (cumulative, ending with +Inf), _sum and
  // _count. Label values are escaped (\\, \", \n).
  std::string PrometheusText() const;

 private:
  struct Family;
  mutable std::mutex mutex_;  // guards families_ (registration and export, never recording)
  std::deque<std::unique_ptr<Family>> families_;
};

}  // namespace fastbreak::telemetry
