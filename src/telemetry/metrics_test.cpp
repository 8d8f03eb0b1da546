#include "telemetry/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/prometheus_format.hpp"

namespace fastbreak::telemetry {
namespace {

using Snap = HistogramSnapshot;

// Runs `body(thread_index)` on `threads` threads at once and joins them.
template <typename Body>
void RunThreads(int threads, Body body) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back(body, t);
  for (std::thread& worker : workers) worker.join();
}

// FASTBREAK_TEST_SEED if set (to replay a failure), else a fresh random seed.
uint64_t TestSeed() {
  if (const char* env = std::getenv("FASTBREAK_TEST_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

// The nearest-rank percentile of sorted values, with the rank computed exactly as
// HistogramSnapshot::Percentile computes it.
uint64_t ExactPercentile(const std::vector<uint64_t>& sorted, double p) {
  const double n = static_cast<double>(sorted.size());
  const double rank = std::clamp(p / 100.0 * n, 1.0, n);
  return sorted[static_cast<size_t>(std::ceil(rank)) - 1];
}

Snap SnapshotOf(const std::vector<uint64_t>& values) {
  Snap snapshot;
  for (uint64_t v : values) snapshot.Add(v);
  return snapshot;
}

// ---------------------------------------------------------------------------------------------
// Counter, Gauge, shards

TEST(CounterTest, SumsAcrossThreadsExactly) {
  Counter counter;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100'000;
  RunThreads(kThreads, [&](int) {
    for (int i = 0; i < kPerThread; ++i) counter.Increment();
  });
  EXPECT_EQ(counter.Value(), uint64_t{kThreads} * kPerThread);
  counter.Increment(42);
  EXPECT_EQ(counter.Value(), uint64_t{kThreads} * kPerThread + 42);
}

TEST(ShardTest, StablePerThreadAndInRange) {
  const int mine = ThisThreadShard();
  EXPECT_EQ(ThisThreadShard(), mine);
  std::vector<int> shards(8);
  RunThreads(8, [&](int t) { shards[t] = ThisThreadShard(); });
  for (int shard : shards) {
    EXPECT_GE(shard, 0);
    EXPECT_LT(shard, kShards);
  }
  // Round-robin: 8 threads started after this one land on 8 distinct shards.
  std::sort(shards.begin(), shards.end());
  EXPECT_EQ(std::unique(shards.begin(), shards.end()), shards.end());
}

TEST(GaugeTest, SetAddAndConcurrentAdd) {
  Gauge gauge;
  EXPECT_EQ(gauge.Value(), 0.0);
  gauge.Set(2.5);
  gauge.Add(-1.0);
  EXPECT_EQ(gauge.Value(), 1.5);
  gauge.Set(0);
  RunThreads(4, [&](int) {
    for (int i = 0; i < 10'000; ++i) gauge.Add(1.0);  // integers: exact in a double
  });
  EXPECT_EQ(gauge.Value(), 40'000.0);
}

// ---------------------------------------------------------------------------------------------
// Bucket math

TEST(BucketTest, EdgeValuesRoundTrip) {
  const std::vector<uint64_t> values = {0,
                                        1,
                                        31,
                                        32,
                                        33,
                                        63,
                                        64,
                                        65,
                                        66,
                                        uint64_t{1} << 40,
                                        (uint64_t{1} << 40) - 1,
                                        (uint64_t{1} << 40) + 1,
                                        UINT64_MAX - 1,
                                        UINT64_MAX};
  for (uint64_t v : values) {
    SCOPED_TRACE(v);
    const int b = Snap::BucketOf(v);
    ASSERT_GE(b, 0);
    ASSERT_LT(b, Snap::kBuckets);
    EXPECT_LE(Snap::BucketLower(b), v);
    EXPECT_GE(Snap::BucketUpper(b), v);
    EXPECT_EQ(Snap::BucketOf(Snap::BucketLower(b)), b);
    EXPECT_EQ(Snap::BucketOf(Snap::BucketUpper(b)), b);
  }
}

TEST(BucketTest, ExactIndices) {
  // 0..63 are exact; then each power of two splits into 32 buckets.
  EXPECT_EQ(Snap::BucketOf(0), 0);
  EXPECT_EQ(Snap::BucketOf(1), 1);
  EXPECT_EQ(Snap::BucketOf(31), 31);
  EXPECT_EQ(Snap::BucketOf(32), 32);
  EXPECT_EQ(Snap::BucketOf(33), 33);
  EXPECT_EQ(Snap::BucketOf(63), 63);
  EXPECT_EQ(Snap::BucketOf(64), 64);
  EXPECT_EQ(Snap::BucketOf(65), 64);
  EXPECT_EQ(Snap::BucketOf(66), 65);
  EXPECT_EQ(Snap::BucketOf(127), 95);
  EXPECT_EQ(Snap::BucketOf(128), 96);
  // 2^40: group 40 - 5 + 1 = 36, first sub-bucket; width 2^35.
  EXPECT_EQ(Snap::BucketOf(uint64_t{1} << 40), 36 * 32);
  EXPECT_EQ(Snap::BucketLower(36 * 32), uint64_t{1} << 40);
  EXPECT_EQ(Snap::BucketUpper(36 * 32), (uint64_t{1} << 40) + (uint64_t{1} << 35) - 1);
  EXPECT_EQ(Snap::BucketOf(UINT64_MAX), Snap::kBuckets - 1);
  EXPECT_EQ(Snap::BucketUpper(Snap::kBuckets - 1), UINT64_MAX);
  EXPECT_EQ(Snap::BucketLower(Snap::kBuckets - 1), uint64_t{63} << 58);
}

TEST(BucketTest, BucketsTileTheRangeWithBoundedWidth) {
  EXPECT_EQ(Snap::BucketLower(0), 0u);
  for (int b = 0; b < Snap::kBuckets; ++b) {
    SCOPED_TRACE(b);
    const uint64_t lower = Snap::BucketLower(b);
    const uint64_t upper = Snap::BucketUpper(b);
    ASSERT_LE(lower, upper);
    if (b + 1 < Snap::kBuckets) {
      ASSERT_EQ(upper + 1, Snap::BucketLower(b + 1));
    }
    // Width-1 buckets are exact; wider ones are at most 1/32 of their lower bound.
    if (upper > lower) {
      ASSERT_LE((upper - lower + 1) * Snap::kSubBuckets, lower);  // no overflow: <= 2^63
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshot queries

TEST(SnapshotTest, EmptyIsAllZero) {
  const Snap empty;
  EXPECT_EQ(empty.Count(), 0u);
  EXPECT_EQ(empty.Sum(), 0u);
  EXPECT_EQ(empty.Min(), 0u);
  EXPECT_EQ(empty.Max(), 0u);
  EXPECT_EQ(empty.Mean(), 0.0);
  EXPECT_EQ(empty.Percentile(0), 0.0);
  EXPECT_EQ(empty.Percentile(50), 0.0);
  EXPECT_EQ(empty.Percentile(100), 0.0);
  EXPECT_EQ(empty.CountAtOrBelow(1e9), 0.0);
  EXPECT_EQ(Histogram().Snapshot().Percentile(99), 0.0);
}

TEST(SnapshotTest, MinMaxMeanSum) {
  Histogram histogram;
  for (uint64_t v : {30u, 10u, 20u, 1000000u}) histogram.Record(v);
  const Snap snapshot = histogram.Snapshot();
  EXPECT_EQ(snapshot.Count(), 4u);
  EXPECT_EQ(snapshot.Sum(), 1000060u);
  EXPECT_EQ(snapshot.Min(), 10u);
  EXPECT_EQ(snapshot.Max(), 1000000u);
  EXPECT_DOUBLE_EQ(snapshot.Mean(), 250015.0);
  EXPECT_EQ(snapshot.Percentile(0), 10.0);
  EXPECT_EQ(snapshot.Percentile(100), 1000000.0);  // clamped to Max, not the bucket's upper
}

TEST(SnapshotTest, SingleValueIsExact) {
  Snap snapshot;
  snapshot.Add(123456789, 5);
  EXPECT_EQ(snapshot.Count(), 5u);
  EXPECT_EQ(snapshot.Sum(), 5u * 123456789);
  for (double p : {0.0, 1.0, 50.0, 99.0, 100.0}) EXPECT_EQ(snapshot.Percentile(p), 123456789.0);
}

TEST(SnapshotTest, PercentilesWithinRelativeErrorOfExact) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed) + " (replay with FASTBREAK_TEST_SEED)");
  std::mt19937_64 rng(seed);
  // Latency-like: a log-normal body around 1 ms with a heavy tail, plus small exact values.
  std::lognormal_distribution<double> latency(std::log(1e6), 1.5);
  std::uniform_int_distribution<uint64_t> small(0, 100);
  std::vector<uint64_t> values;
  Histogram histogram;
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t v = i % 10 == 0 ? small(rng) : static_cast<uint64_t>(latency(rng));
    values.push_back(v);
    histogram.Record(v);
  }
  std::sort(values.begin(), values.end());
  const Snap snapshot = histogram.Snapshot();
  ASSERT_EQ(snapshot.Count(), values.size());
  EXPECT_EQ(snapshot.Min(), values.front());
  EXPECT_EQ(snapshot.Max(), values.back());
  for (double p :
       {0.0, 0.1, 1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
    const double exact = static_cast<double>(ExactPercentile(values, p));
    const double estimate = snapshot.Percentile(p);
    EXPECT_LE(std::abs(estimate - exact), exact / Snap::kSubBuckets)
        << "p" << p << " exact " << exact << " estimate " << estimate;
  }
}

TEST(SnapshotTest, CountAtOrBelowIsExactAtBucketBoundaries) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed) + " (replay with FASTBREAK_TEST_SEED)");
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint64_t> dist(0, 5000);
  std::vector<uint64_t> values(2000);
  for (uint64_t& v : values) v = dist(rng);
  const Snap snapshot = SnapshotOf(values);
  for (int b : {0, 5, 31, 32, 63, 64, 100, 150, 200, 300}) {
    const uint64_t upper = Snap::BucketUpper(b);
    const auto expected =
        std::count_if(values.begin(), values.end(), [&](uint64_t v) { return v <= upper; });
    EXPECT_EQ(snapshot.CountAtOrBelow(static_cast<double>(upper)), static_cast<double>(expected))
        << "bucket " << b << " upper " << upper;
  }
  EXPECT_EQ(snapshot.CountAtOrBelow(-1), 0.0);
  EXPECT_EQ(snapshot.CountAtOrBelow(1e30), static_cast<double>(values.size()));
}

TEST(SnapshotTest, MergeEqualsRecordingAllInOne) {
  const std::vector<uint64_t> a = {0, 5, 64, 1000, 123456, uint64_t{1} << 50};
  const std::vector<uint64_t> b = {3, 5, 77, 999999, UINT64_MAX / 4};
  std::vector<uint64_t> all = a;
  all.insert(all.end(), b.begin(), b.end());

  Snap merged = SnapshotOf(a);
  merged.Merge(SnapshotOf(b));
  merged.Merge(Snap());  // merging an empty snapshot changes nothing
  const Snap expected = SnapshotOf(all);

  EXPECT_EQ(merged.Count(), expected.Count());
  EXPECT_EQ(merged.Sum(), expected.Sum());
  EXPECT_EQ(merged.Min(), expected.Min());
  EXPECT_EQ(merged.Max(), expected.Max());
  for (int bucket = 0; bucket < Snap::kBuckets; ++bucket) {
    ASSERT_EQ(merged.BucketCount(bucket), expected.BucketCount(bucket)) << bucket;
  }
  for (double p : {0.0, 50.0, 90.0, 100.0}) EXPECT_EQ(merged.Percentile(p), expected.Percentile(p));

  Snap into_empty;
  into_empty.Merge(expected);
  EXPECT_EQ(into_empty.Min(), 0u);
  EXPECT_EQ(into_empty.Max(), UINT64_MAX / 4);
}

TEST(SnapshotTest, CountsAtOrBelowMatchesOneByOne) {
  const Snap snapshot = SnapshotOf({0, 1, 7, 40, 64, 65, 1000, 5000, 1u << 20, UINT64_MAX});
  const std::vector<double> points = {-1, 0, 0.5, 7, 64, 64.9, 999, 1e4, 1e6, 1e7, 1e30};
  const std::vector<double> counts = snapshot.CountsAtOrBelow(points);
  ASSERT_EQ(counts.size(), points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(counts[i], snapshot.CountAtOrBelow(points[i])) << points[i];
  }
  EXPECT_EQ(counts.front(), 0.0);
  EXPECT_EQ(counts[1], 1.0);
  EXPECT_EQ(counts[4], 5.0);
  EXPECT_EQ(counts.back(), 10.0);
}

TEST(HistogramTest, SnapshotOfManyThreadsEqualsReference) {
  // Each thread records a different range on its own shard; the snapshot must hold them all.
  Histogram histogram;
  constexpr int kThreads = 6;
  RunThreads(kThreads, [&](int t) {
    for (uint64_t v = 0; v < 5000; ++v) histogram.Record((v + 1) << (t * 7));
  });
  Snap reference;
  for (int t = 0; t < kThreads; ++t) {
    for (uint64_t v = 0; v < 5000; ++v) reference.Add((v + 1) << (t * 7));
  }
  const Snap snapshot = histogram.Snapshot();
  EXPECT_EQ(snapshot.Count(), reference.Count());
  EXPECT_EQ(snapshot.Sum(), reference.Sum());
  EXPECT_EQ(snapshot.Min(), reference.Min());
  EXPECT_EQ(snapshot.Max(), reference.Max());
  for (int b = 0; b < Snap::kBuckets; ++b) {
    ASSERT_EQ(snapshot.BucketCount(b), reference.BucketCount(b)) << b;
  }
}

TEST(ScopedTimerTest, RecordsOneDuration) {
  Histogram histogram;
  { ScopedTimer timer(histogram); }
  const Snap snapshot = histogram.Snapshot();
  EXPECT_EQ(snapshot.Count(), 1u);
  EXPECT_LT(snapshot.Max(), uint64_t{10'000'000'000});  // well under 10 s
}

TEST(HistogramTest, ConcurrentRecordWhileSnapshottingAndExporting) {
  MetricsRegistry registry;
  Histogram& histogram = registry.GetHistogram("work_seconds", "Work.");
  constexpr int kWriters = 3;
  constexpr int kPerWriter = 50'000;
  std::atomic<int> writers_done{0};
  std::thread reader([&] {
    uint64_t last = 0;
    while (writers_done.load() < kWriters) {
      const Snap snapshot = histogram.Snapshot();
      EXPECT_GE(snapshot.Count(), last);
      EXPECT_LE(snapshot.Count(), uint64_t{kWriters} * kPerWriter);
      last = snapshot.Count();
      (void)snapshot.Percentile(99);
      EXPECT_FALSE(registry.PrometheusText().empty());
    }
  });
  RunThreads(kWriters, [&](int t) {
    for (int i = 0; i < kPerWriter; ++i) histogram.Record(static_cast<uint64_t>(t * 1000 + i));
    writers_done.fetch_add(1);
  });
  reader.join();
  const Snap snapshot = histogram.Snapshot();
  EXPECT_EQ(snapshot.Count(), uint64_t{kWriters} * kPerWriter);
  EXPECT_EQ(snapshot.Min(), 0u);
  EXPECT_EQ(snapshot.Max(), uint64_t{(kWriters - 1) * 1000 + kPerWriter - 1});
  EXPECT_NE(registry.PrometheusText().find("work_seconds_count 150000\n"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Registry and Prometheus text

TEST(RegistryTest, SameNameAndLabelsReturnSameObject) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("hits_total", "Hits.", {{"route", "/a"}, {"method", "GET"}});
  Counter& b = registry.GetCounter("hits_total", "ignored", {{"method", "GET"}, {"route", "/a"}});
  Counter& c = registry.GetCounter("hits_total", "Hits.", {{"method", "POST"}, {"route", "/a"}});
  Counter& unlabelled = registry.GetCounter("hits_total", "Hits.");
  EXPECT_EQ(&a, &b);  // label order does not matter
  EXPECT_NE(&a, &c);
  EXPECT_NE(&a, &unlabelled);
  EXPECT_EQ(&registry.GetGauge("depth", ""), &registry.GetGauge("depth", ""));
  EXPECT_EQ(&registry.GetHistogram("lat", ""), &registry.GetHistogram("lat", ""));
}

TEST(RegistryTest, KindMismatchThrows) {
  MetricsRegistry registry;
  registry.GetCounter("things", "");
  EXPECT_THROW(registry.GetGauge("things", ""), std::invalid_argument);
  EXPECT_THROW(registry.GetHistogram("things", ""), std::invalid_argument);
  registry.GetHistogram("latency", "");
  EXPECT_THROW(registry.GetCounter("latency", "", {{"a", "b"}}), std::invalid_argument);
}

TEST(RegistryTest, InvalidNamesAndOptionsThrow) {
  MetricsRegistry registry;
  for (const char* name : {"", "1abc", "has space", "dash-ed", "ünï"}) {
    EXPECT_THROW(registry.GetCounter(name, ""), std::invalid_argument) << name;
  }
  EXPECT_NO_THROW(registry.GetCounter("ns:sub_name_total", ""));
  EXPECT_NO_THROW(registry.GetCounter("_x", ""));
  for (const char* label : {"", "1a", "a:b", "__reserved", "a-b"}) {
    EXPECT_THROW(registry.GetCounter("ok_total", "", {{label, "v"}}), std::invalid_argument)
        << label;
  }
  EXPECT_THROW(registry.GetCounter("ok_total", "", {{"a", "1"}, {"a", "2"}}),
               std::invalid_argument);
  EXPECT_THROW(registry.GetHistogram("h", "", {{"le", "1"}}), std::invalid_argument);
  EXPECT_NO_THROW(
      registry.GetCounter("c_total", "", {{"le", "1"}}));  // only reserved on histograms
  EXPECT_THROW(registry.GetHistogram("h1", "", {}, {.export_scale = 0}), std::invalid_argument);
  EXPECT_THROW(registry.GetHistogram("h2", "", {}, {.export_scale = 1, .export_buckets = {2, 1}}),
               std::invalid_argument);
  EXPECT_THROW(registry.GetHistogram("h3", "", {}, {.export_scale = 1, .export_buckets = {1, 1}}),
               std::invalid_argument);
  EXPECT_THROW(
      registry.GetHistogram("h4", "", {}, {.export_scale = 1, .export_buckets = {INFINITY}}),
      std::invalid_argument);
  // A failed registration leaves nothing behind.
  EXPECT_EQ(registry.PrometheusText().find("ok_total"), std::string::npos);
  EXPECT_EQ(registry.PrometheusText().find("h1"), std::string::npos);
}

TEST(PrometheusTest, ExactText) {
  MetricsRegistry registry;
  // Registered out of name order: the export sorts families by name.
  Histogram& latency =
      registry.GetHistogram("request_seconds", "Latency.", {{"route", "/q"}},
                            {.export_scale = 1e-9, .export_buckets = {0.001, 0.01, 0.1}});
  latency.Record(200'000);        // 0.2 ms
  latency.Record(5'000'000);      // 5 ms
  latency.Record(2'000'000'000);  // 2 s
  registry.GetGauge("queue_depth", "Items waiting.").Set(2.5);
  registry
      .GetCounter("http_requests_total", "Requests served.\nBy route \\ method.",
                  {{"route", "/a\"b\\c\nd"}, {"method", "GET"}})
      .Increment(3);

  EXPECT_EQ(registry.PrometheusText(),
            "# HELP http_requests_total Requests served.\\nBy route \\\\ method.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",route=\"/a\\\"b\\\\c\\nd\"} 3\n"
            "# HELP queue_depth Items waiting.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 2.5\n"
            "# HELP request_seconds Latency.\n"
            "# TYPE request_seconds histogram\n"
            "request_seconds_bucket{route=\"/q\",le=\"0.001\"} 1\n"
            "request_seconds_bucket{route=\"/q\",le=\"0.01\"} 2\n"
            "request_seconds_bucket{route=\"/q\",le=\"0.1\"} 2\n"
            "request_seconds_bucket{route=\"/q\",le=\"+Inf\"} 3\n"
            "request_seconds_sum{route=\"/q\"} 2.0052\n"
            "request_seconds_count{route=\"/q\"} 3\n");
}

TEST(PrometheusTest, UnscaledHistogramIsExactForSmallValues) {
  MetricsRegistry registry;
  Histogram& sizes = registry.GetHistogram("batch_size", "", {},
                                           {.export_scale = 1.0, .export_buckets = {1, 2, 4}});
  for (uint64_t v : {1, 2, 2, 3, 4, 100}) sizes.Record(v);
  EXPECT_EQ(registry.PrometheusText(),
            "# TYPE batch_size histogram\n"
            "batch_size_bucket{le=\"1\"} 1\n"
            "batch_size_bucket{le=\"2\"} 3\n"
            "batch_size_bucket{le=\"4\"} 5\n"
            "batch_size_bucket{le=\"+Inf\"} 6\n"
            "batch_size_sum 112\n"
            "batch_size_count 6\n");
}

TEST(PrometheusTest, DefaultBucketsInSecondsAndCumulative) {
  MetricsRegistry registry;
  Histogram& latency = registry.GetHistogram("op_seconds", "Op latency.");
  for (uint64_t us : {5, 20, 20, 300, 4000, 70000, 900000, 20000000}) latency.Record(us * 1000);
  const std::string text = registry.PrometheusText();
  EXPECT_NE(text.find("op_seconds_bucket{le=\"1e-05\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("op_seconds_bucket{le=\"5e-05\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("op_seconds_bucket{le=\"0.00025\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("op_seconds_bucket{le=\"0.0005\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("op_seconds_bucket{le=\"1\"} 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("op_seconds_bucket{le=\"10\"} 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("op_seconds_bucket{le=\"+Inf\"} 8\n"), std::string::npos) << text;
  EXPECT_NE(text.find("op_seconds_sum 20.974345\n"), std::string::npos) << text;
}

TEST(PrometheusFormatTest, Floats) {
  EXPECT_EQ(detail::FormatFloat(0.25), "0.25");
  EXPECT_EQ(detail::FormatFloat(3.0), "3");
  EXPECT_EQ(detail::FormatFloat(-1.5), "-1.5");
  EXPECT_EQ(detail::FormatFloat(1e-5), "1e-05");
  EXPECT_EQ(detail::FormatFloat(NAN), "NaN");
  EXPECT_EQ(detail::FormatFloat(INFINITY), "+Inf");
  EXPECT_EQ(detail::FormatFloat(-INFINITY), "-Inf");
}

TEST(PrometheusFormatTest, GaugeSpecialValues) {
  MetricsRegistry registry;
  registry.GetGauge("g", "", {{"k", "v"}}).Set(NAN);
  EXPECT_EQ(registry.PrometheusText(), "# TYPE g gauge\ng{k=\"v\"} NaN\n");
}

TEST(PrometheusTest, ExportWhileRegisteringSeesEverySeriesOnceDone) {
  MetricsRegistry registry;
  constexpr int kSeries = 200;
  std::thread registrar([&] {
    for (int i = 0; i < kSeries; ++i) {
      registry.GetCounter("reg_total", "h", {{"i", std::to_string(i)}}).Increment();
      registry.GetHistogram("reg_seconds", "h", {{"i", std::to_string(i)}}).Record(1000);
    }
  });
  // Each scrape sees a prefix of the registrations: never fewer series than the one before.
  size_t seen = 0;
  for (int i = 0; i < 50; ++i) {
    const std::string partial = registry.PrometheusText();
    size_t count = 0;
    for (size_t at = partial.find("\nreg_total{"); at != std::string::npos;
         at = partial.find("\nreg_total{", at + 1)) {
      ++count;
    }
    EXPECT_GE(count, seen);
    seen = count;
  }
  registrar.join();
  const std::string text = registry.PrometheusText();
  for (int i = 0; i < kSeries; ++i) {
    EXPECT_NE(text.find("reg_total{i=\"" + std::to_string(i) + "\"} 1\n"), std::string::npos) << i;
  }
}

}  // namespace
}  // namespace fastbreak::telemetry

namespace fastbreak::telemetry {
namespace {

TEST(PrometheusTest, CollectorsAppendTheirFamiliesUntilRemoved) {
  MetricsRegistry registry;
  registry.GetCounter("fastbreak_a_total", "a").Increment();
  const size_t id = registry.AddCollector([](std::string& out) {
    out += "# HELP fastbreak_top_calls_total calls\n# TYPE fastbreak_top_calls_total counter\n";
    out += "fastbreak_top_calls_total{fingerprint=\"ab\"} 3\n";
  });
  const std::string text = registry.PrometheusText();
  const size_t registered = text.find("fastbreak_a_total 1\n");
  const size_t collected = text.find("fastbreak_top_calls_total{fingerprint=\"ab\"} 3\n");
  ASSERT_NE(registered, std::string::npos);
  ASSERT_NE(collected, std::string::npos);
  EXPECT_LT(registered, collected);
  registry.RemoveCollector(id);
  EXPECT_EQ(registry.PrometheusText().find("fastbreak_top_calls_total"), std::string::npos);
  registry.RemoveCollector(id);  // unknown ids are ignored
}

}  // namespace
}  // namespace fastbreak::telemetry
