// Metrics: counters, gauges and latency histograms that are cheap enough for the request path
// (no lock shared by all threads on record), gathered in a registry and exported as Prometheus
// text. Registration takes a lock; recording never does.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastbreak::telemetry {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Number of independent cells a counter or histogram spreads its writes over. A thread always
// writes the same cell (chosen once per thread), so concurrent writers rarely share a line.
inline constexpr int kShards = 16;

// Index of the calling thread's shard, in [0, kShards). Assigned round-robin on a thread's first
// call and fixed for the thread's lifetime.
int ThisThreadShard() noexcept;

// A monotonically increasing count. Thread-safe; Increment is a relaxed atomic add on the calling
// thread's shard. Value sums the shards, so while writers run it is a count that was true at some
// moment during the call, not a linearizable read.
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

// A value that goes up and down. Thread-safe (one relaxed atomic; Add is a CAS loop).
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

  // Bucket index of a value, and the [lower, upper] range of values a bucket holds (both
  // inclusive). REQUIRES: 0 <= bucket < kBuckets.
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
  // CountAtOrBelow of each value, in one pass over the buckets. REQUIRES: `ascending` sorted.
  std::vector<double> CountsAtOrBelow(std::span<const double> ascending) const;

  // Adds another snapshot's values into this one (e.g. the same metric from several
  // instances or threads).
  void Merge(const HistogramSnapshot& other);

  // Records `value` `times` times. Sum() wraps around modulo 2^64 like the live histogram.
  void Add(uint64_t value, uint64_t times = 1);
  // REQUIRES: 0 <= bucket < kBuckets.
  uint64_t BucketCount(int bucket) const { return buckets_[bucket]; }

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;

  friend class Histogram;  // Snapshot() fills the fields directly
};

// A distribution of non-negative integer values (latencies in nanoseconds, sizes in bytes).
// Record is lock-free and wait-free: a few relaxed atomic adds on the calling thread's shard
// (plus a CAS only when the value is a new per-shard min or max). Snapshot may run concurrently
// with Record; its Count() is the sum of its buckets, so a snapshot is always self-consistent,
// though Sum/Min/Max may lag a value that is being recorded at that instant.
// Memory: kShards * kBuckets * 8 bytes (about 240 KiB) per histogram.
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

// Records the time from construction to destruction into a histogram, in nanoseconds of
// std::chrono::steady_clock. The histogram must outlive the timer.
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
  // Upper bounds ("le") of the exported cumulative buckets, in exported units, finite and
  // strictly ascending. A bound's count is interpolated inside the internal bucket it falls in
  // (see HistogramSnapshot::CountAtOrBelow) and rounded to an integer.
  std::vector<double> export_buckets = {0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                        0.0025,  0.005,   0.01,   0.025,   0.05,   0.1,
                                        0.25,    0.5,     1.0,    2.5,     5.0,    10.0};
};

// Owns every metric of a process. Get* returns the metric registered under (name, labels),
// creating it on first use; references stay valid for the registry's lifetime, so hot paths
// look a metric up once and keep the reference. Thread-safe.
//
// Names follow Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*), label names [a-zA-Z_][a-zA-Z0-9_]*
// without a leading "__" (and not "le" on histograms), each at most once per series. A name
// registered as one kind and asked for as another, an invalid name or label name, or invalid
// HistogramOptions, is a programming error (std::invalid_argument). Label order does not matter:
// {a,b} and {b,a} are the same series. The help text and HistogramOptions of a family are those
// given on its first registration; later calls' values are ignored.
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

  // Appends series that are not registered ahead of time (a top-N that changes from scrape to
  // scrape) to every PrometheusText(), after the registered families. The collector writes
  // complete families (# HELP, # TYPE, samples) in the text format, with names distinct from
  // the registered ones. It runs on the scraping thread, outside the registry's lock. Returns
  // an id for RemoveCollector. A scrape that began before RemoveCollector may still run it:
  // let it share ownership of what it reads (a shared_ptr capture).
  using Collector = std::function<void(std::string& out)>;
  size_t AddCollector(Collector collector);
  void RemoveCollector(size_t id);

 private:
  struct Family;
  mutable std::mutex mutex_;  // guards families_ and collectors_ (never held while recording)
  std::vector<std::pair<size_t, std::shared_ptr<const Collector>>> collectors_;
  size_t next_collector_id_ = 1;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // by metric name
};

}  // namespace fastbreak::telemetry
