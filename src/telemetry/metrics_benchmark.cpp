// Cost of recording on the hot path, single- and multi-threaded, against a mutex-guarded
// counter as the baseline, and the cost of one Prometheus export.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <mutex>
#include <string>

#include "telemetry/metrics.hpp"

namespace fastbreak::telemetry {
namespace {

// Shared by all benchmark threads, as the metrics of a server are. Function-local statics:
// constructed once, thread-safely, on first use.
Counter& SharedCounter() {
  static Counter counter;
  return counter;
}

Histogram& SharedHistogram() {
  static Histogram histogram;
  return histogram;
}

Gauge& SharedGauge() {
  static Gauge gauge;
  return gauge;
}

// The baseline: what a naive shared counter costs.
struct MutexCounter {
  std::mutex mutex;
  uint64_t value = 0;
};

MutexCounter& SharedMutexCounter() {
  static MutexCounter counter;
  return counter;
}

void BM_CounterIncrement(benchmark::State& state) {
  Counter& counter = SharedCounter();
  for (auto _ : state) counter.Increment();
  benchmark::DoNotOptimize(counter.Value());
}
BENCHMARK(BM_CounterIncrement)->Threads(1)->Threads(2);

void BM_MutexCounterIncrement(benchmark::State& state) {
  MutexCounter& counter = SharedMutexCounter();
  for (auto _ : state) {
    std::lock_guard lock(counter.mutex);
    ++counter.value;
  }
  benchmark::DoNotOptimize(counter.value);
}
BENCHMARK(BM_MutexCounterIncrement)->Threads(1)->Threads(2);

void BM_HistogramRecord(benchmark::State& state) {
  Histogram& histogram = SharedHistogram();
  // Latency-like values spread over many buckets, without a random generator in the loop.
  uint64_t value = 1000 + static_cast<uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    histogram.Record(value);
    value = value * 6364136223846793005u + 1442695040888963407u;  // LCG step
    value &= (uint64_t{1} << 24) - 1;                             // up to ~16 ms in ns
  }
}
BENCHMARK(BM_HistogramRecord)->Threads(1)->Threads(2);

void BM_GaugeSet(benchmark::State& state) {
  Gauge& gauge = SharedGauge();
  double value = 0;
  for (auto _ : state) {
    gauge.Set(value);
    value += 1.0;
  }
}
BENCHMARK(BM_GaugeSet)->Threads(1)->Threads(2);

// A registry shaped like a small service's: 10 routes x (requests counter, errors counter,
// in-flight gauge, latency histogram) + 10 process gauges = 50 series.
void BM_PrometheusExport(benchmark::State& state) {
  MetricsRegistry registry;
  for (int route = 0; route < 10; ++route) {
    const Labels labels = {{"route", "/api/v1/route" + std::to_string(route)}, {"method", "GET"}};
    registry.GetCounter("http_requests_total", "Requests served.", labels).Increment(route * 100);
    registry.GetCounter("http_errors_total", "Requests failed.", labels).Increment(route);
    registry.GetGauge("http_in_flight", "Requests in progress.", labels).Set(route);
    Histogram& latency = registry.GetHistogram("http_request_seconds", "Latency.", labels);
    for (uint64_t v = 1000; v < 100'000'000; v = v * 11 / 10) latency.Record(v);
  }
  for (int i = 0; i < 10; ++i) {
    registry.GetGauge("process_gauge_" + std::to_string(i), "A process statistic.").Set(i * 1.5);
  }
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = registry.PrometheusText();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_PrometheusExport);

}  // namespace
}  // namespace fastbreak::telemetry
