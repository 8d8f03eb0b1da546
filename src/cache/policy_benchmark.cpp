// Cost per call of the L1 policy: OnHit (every L1 hit, under the shard lock), OnMiss with an
// eviction, and a zipfian mix of both, for kAdaptive and kLru. Keys are 64-bit hashes as in
// the L1; ranks follow a zipf(0.99) law over 1M keys, drawn with a fixed seed.
//
// Capacities: 100,000 (one big cache: sampled shadows), 6,250 (one shard of the default L1:
// 100,000 entries / 16 shards) and 512 (exact shadows, the most work per access).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "cache/policy.hpp"

namespace fastbreak::cache {
namespace {

constexpr size_t kUniverse = 1'000'000;
constexpr size_t kStream = 1 << 20;

uint64_t HashOf(uint64_t rank) {
  uint64_t z = rank + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// kStream keys, zipf(0.99) over kUniverse ranks, seed 42.
const std::vector<uint64_t>& ZipfKeys() {
  static const std::vector<uint64_t> keys = [] {
    std::vector<double> cdf(kUniverse);
    double sum = 0;
    for (size_t i = 0; i < kUniverse; ++i) {
      sum += 1.0 / std::pow(static_cast<double>(i + 1), 0.99);
      cdf[i] = sum;
    }
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> uniform(0, sum);
    std::vector<uint64_t> out(kStream);
    for (uint64_t& key : out) {
      const auto rank = static_cast<uint64_t>(
          std::lower_bound(cdf.begin(), cdf.end(), uniform(rng)) - cdf.begin());
      key = HashOf(rank);
    }
    return out;
  }();
  return keys;
}

// A policy warmed up with the zipf stream.
std::unique_ptr<Policy> Warm(PolicyKind kind, size_t capacity) {
  auto policy = MakePolicy(kind, capacity);
  std::vector<uint64_t> evicted;
  for (const uint64_t key : ZipfKeys()) {
    if (policy->Contains(key)) {
      policy->OnHit(key);
    } else {
      evicted.clear();
      policy->OnMiss(key, evicted);
    }
  }
  return policy;
}

void BM_OnHit(benchmark::State& state, PolicyKind kind) {
  const auto capacity = static_cast<size_t>(state.range(0));
  auto policy = Warm(kind, capacity);
  // The zipf stream restricted to resident keys: hits in their natural frequencies.
  std::vector<uint64_t> hits;
  for (const uint64_t key : ZipfKeys()) {
    if (policy->Contains(key)) hits.push_back(key);
  }
  size_t i = 0;
  for (auto _ : state) {
    policy->OnHit(hits[i]);
    if (++i == hits.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_OnMiss(benchmark::State& state, PolicyKind kind) {
  const auto capacity = static_cast<size_t>(state.range(0));
  auto policy = Warm(kind, capacity);
  std::vector<uint64_t> evicted;
  evicted.reserve(8);
  uint64_t next = kUniverse;  // never seen before: every call is a miss that evicts
  for (auto _ : state) {
    evicted.clear();
    benchmark::DoNotOptimize(policy->OnMiss(HashOf(next++), evicted));
  }
  state.SetItemsProcessed(state.iterations());
}

// Contains + OnHit / OnMiss on the zipf stream, as the simulator and the L1 use it.
void BM_Access(benchmark::State& state, PolicyKind kind) {
  const auto capacity = static_cast<size_t>(state.range(0));
  auto policy = Warm(kind, capacity);
  const std::vector<uint64_t>& keys = ZipfKeys();
  std::vector<uint64_t> evicted;
  evicted.reserve(8);
  size_t i = 0;
  uint64_t hits = 0;
  for (auto _ : state) {
    const uint64_t key = keys[i];
    if (++i == keys.size()) i = 0;
    if (policy->Contains(key)) {
      policy->OnHit(key);
      ++hits;
    } else {
      evicted.clear();
      policy->OnMiss(key, evicted);
    }
  }
  state.counters["hit_ratio"] =
      static_cast<double>(hits) / static_cast<double>(std::max<int64_t>(state.iterations(), 1));
  state.SetItemsProcessed(state.iterations());
}

void Capacities(benchmark::internal::Benchmark* benchmark) {
  benchmark->Arg(100'000)->Arg(6'250)->Arg(512);
}

BENCHMARK_CAPTURE(BM_OnHit, adaptive, PolicyKind::kAdaptive)->Apply(Capacities);
BENCHMARK_CAPTURE(BM_OnHit, lru, PolicyKind::kLru)->Apply(Capacities);
BENCHMARK_CAPTURE(BM_OnMiss, adaptive, PolicyKind::kAdaptive)->Apply(Capacities);
BENCHMARK_CAPTURE(BM_OnMiss, lru, PolicyKind::kLru)->Apply(Capacities);
BENCHMARK_CAPTURE(BM_Access, adaptive, PolicyKind::kAdaptive)->Apply(Capacities);
BENCHMARK_CAPTURE(BM_Access, lru, PolicyKind::kLru)->Apply(Capacities);

}  // namespace
}  // namespace fastbreak::cache
