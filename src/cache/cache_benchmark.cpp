// The request path's cache costs: an L1 hit (uniform, Zipf and hot-set keys) and an L1 miss,
// with 1 and 2 threads, over 100,000 entries of 2 KB spread over 16 shards; the same hit
// through LayeredCache::Find (plus its metrics); and single flight under contention.
//
//   build/release/src/cache/cache_benchmark --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cache/l1_cache.hpp"
#include "cache/layered_cache.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::cache {
namespace {

constexpr size_t kEntries = 100'000;
constexpr size_t kValueBytes = 2048;
constexpr size_t kOrderMask = (1 << 16) - 1;

std::string KeyOf(size_t i, std::string_view tool = "get_player_stats") {
  return "call/" + std::string(tool) + "/{\"player_id\":" + std::to_string(2'500'000 + i) +
         ",\"season\":\"2023-24\"}";
}

std::shared_ptr<const Entry> NewEntry(std::string key, const Clock& clock) {
  auto entry = std::make_shared<Entry>(key, std::string(kValueBytes, 'x'));
  entry->tags = {"table:player_box_scores", "season:2023"};
  entry->stored_at = clock.Now();
  entry->fresh_until = entry->stored_at + std::chrono::hours(1);
  entry->stale_until = entry->fresh_until;
  return entry;
}

L1Options BenchOptions() {
  L1Options options;
  options.max_entries = 131'072;  // room for every key: hits stay hits
  options.max_bytes = size_t{1} << 30;
  options.shards = 16;
  options.policy = PolicyKind::kAdaptive;
  return options;
}

// One cache of kEntries resident keys, shared by all benchmarks and threads.
struct Fixture {
  Fixture() : cache(BenchOptions()) {
    for (size_t i = 0; i < kEntries; ++i) cache.Put(NewEntry(KeyOf(i), cache.clock()));
  }
  L1Cache cache;
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();  // never destroyed: threads may still read it
  return *fixture;
}

enum class Dist {
  kUniform,  // uniform over all 100,000 keys: every hit goes to DRAM
  kZipf,     // Zipf(0.99) over all keys, hot keys spread over shards: API-like traffic
  kHotSet,   // uniform over 1,000 keys: the structures stay in the CPU caches
};

// The 8 bytes at the key's player id: 7 digits and the following ','.
uint64_t IdField(size_t i) {
  const std::string field = std::to_string(2'500'000 + i) + ",";
  uint64_t v;
  std::memcpy(&v, field.data(), 8);
  return v;
}

// A per-thread sequence of key ids (as IdField blocks), so threads do not walk in lockstep.
std::vector<uint64_t> KeyOrder(int thread, Dist dist) {
  std::mt19937_64 rng(1234 + thread);
  std::vector<uint64_t> order(kOrderMask + 1);
  if (dist == Dist::kZipf) {
    static const auto* table = [] {
      auto* t = new std::pair<std::vector<double>, std::vector<uint32_t>>();
      double sum = 0;
      for (size_t r = 1; r <= kEntries; ++r) sum += 1.0 / std::pow(static_cast<double>(r), 0.99);
      double acc = 0;
      for (size_t r = 1; r <= kEntries; ++r) {
        acc += 1.0 / std::pow(static_cast<double>(r), 0.99) / sum;
        t->first.push_back(acc);
      }
      t->second.resize(kEntries);
      std::iota(t->second.begin(), t->second.end(), 0);
      std::shuffle(t->second.begin(), t->second.end(), std::mt19937_64(42));  // rank -> key
      return t;
    }();
    std::uniform_real_distribution<double> u(0, 1);
    for (uint64_t& o : order) {
      const size_t rank = std::min<size_t>(
          std::lower_bound(table->first.begin(), table->first.end(), u(rng)) - table->first.begin(),
          kEntries - 1);
      o = IdField(table->second[rank]);
    }
  } else {
    const size_t n = dist == Dist::kHotSet ? 1000 : kEntries;
    for (uint64_t& o : order) o = IdField(rng() % n);
  }
  return order;
}

// The request's key, built in a buffer the thread just wrote (as the server's parser does).
class KeyBuffer {
 public:
  explicit KeyBuffer(std::string_view tool)
      : text_(KeyOf(0, tool)), offset_(text_.find("\"player_id\":") + 12) {}
  std::string_view With(uint64_t id_field) {
    std::memcpy(text_.data() + offset_, &id_field, 8);
    return text_;
  }

 private:
  std::string text_;
  size_t offset_;
};

// Calibration: hashing the key touches nothing shared, so it scales linearly when the machine
// really has two idle cores. Compare the L1's 2-thread scaling with this one's.
void BM_HashKeyOnly(benchmark::State& state) {
  const std::vector<uint64_t> order = KeyOrder(state.thread_index(), Dist::kHotSet);
  KeyBuffer key("get_player_stats");
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(detail::HashKey(key.With(order[i++ & kOrderMask])));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashKeyOnly)->Threads(1)->Threads(2)->UseRealTime();

void BM_L1Hit(benchmark::State& state, Dist dist) {
  Fixture& f = Shared();
  const std::vector<uint64_t> order = KeyOrder(state.thread_index(), dist);
  KeyBuffer key("get_player_stats");
  size_t i = 0;
  uint64_t missed = 0;
  for (auto _ : state) {
    L1Cache::Lookup lookup = f.cache.Find(key.With(order[i++ & kOrderMask]));
    missed += lookup.entry == nullptr ? 1 : 0;
    benchmark::DoNotOptimize(lookup.entry.get());
  }
  if (missed != 0) state.SkipWithError("a hit benchmark missed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_L1Hit, uniform_100k, Dist::kUniform)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_L1Hit, zipf_100k, Dist::kZipf)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_L1Hit, hot_1k, Dist::kHotSet)->Threads(1)->Threads(2)->UseRealTime();

void BM_L1Miss(benchmark::State& state) {
  Fixture& f = Shared();
  const std::vector<uint64_t> order = KeyOrder(state.thread_index(), Dist::kUniform);
  KeyBuffer key("get_team_stats");  // never stored
  size_t i = 0;
  for (auto _ : state) {
    L1Cache::Lookup lookup = f.cache.Find(key.With(order[i++ & kOrderMask]));
    benchmark::DoNotOptimize(lookup.reason);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_L1Miss)->Threads(1)->Threads(2)->UseRealTime();

// The server's call: LayeredCache::Find adds the group policy read and a sharded counter.
void BM_LayeredHit(benchmark::State& state) {
  static telemetry::MetricsRegistry* registry = new telemetry::MetricsRegistry();
  static LayeredCache* cache = [] {
    LayeredOptions options;
    options.l1 = BenchOptions();
    auto* c = new LayeredCache(options, {"get_player_stats"}, nullptr, nullptr, *registry,
                               SystemClock::Instance());
    for (size_t i = 0; i < kEntries; ++i) {
      c->l1().Put(NewEntry(KeyOf(i), SystemClock::Instance()));
    }
    return c;
  }();
  const std::vector<uint64_t> order = KeyOrder(state.thread_index(), Dist::kZipf);
  KeyBuffer key("get_player_stats");
  size_t i = 0;
  for (auto _ : state) {
    Found found = cache->Find(0, key.With(order[i++ & kOrderMask]));
    benchmark::DoNotOptimize(found.entry.get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LayeredHit)->Threads(1)->Threads(2)->UseRealTime();

// Many threads Join one key whose computation is in flight: the cost of becoming a follower
// (one flight-shard lock on a contended line).
void BM_JoinInFlight(benchmark::State& state) {
  static telemetry::MetricsRegistry* registry = new telemetry::MetricsRegistry();
  static LayeredCache* cache = [] {
    auto* c = new LayeredCache(LayeredOptions{}, {"standings"}, nullptr, nullptr, *registry,
                               SystemClock::Instance());
    c->Join(0, "call/standings/{}", nullptr);  // a leader that never finishes
    return c;
  }();
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache->Join(0, "call/standings/{}", nullptr));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JoinInFlight)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

// Full single-flight rounds: every thread asks for one uncacheable key whose computation takes
// ~20 us; followers wait for the leader's result. Reports how many computations ran per request.
void BM_SingleFlightRound(benchmark::State& state) {
  static telemetry::MetricsRegistry* registry = new telemetry::MetricsRegistry();
  static LayeredCache* cache = new LayeredCache(LayeredOptions{}, {"standings"}, nullptr, nullptr,
                                                *registry, SystemClock::Instance());
  static std::atomic<uint64_t> computations{0};
  static std::atomic<uint64_t> requests{0};
  if (state.thread_index() == 0) {
    computations = 0;
    requests = 0;
  }
  const std::string key = "call/standings/{\"season\":2023}";
  FillRequest request;
  request.key = key;
  const ComputeFn compute = []() -> Result<Computed> {
    ++computations;
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
    while (std::chrono::steady_clock::now() < until) {
    }
    return Computed{"result", false, /*cacheable=*/false, {}, {}};
  };
  for (auto _ : state) {
    std::atomic<bool> done{false};
    if (cache->Join(0, key, [&done](const Result<Served>&) { done.store(true); }) ==
        JoinRole::kLeader) {
      benchmark::DoNotOptimize(cache->Fill(request, compute));
    } else {
      while (!done.load()) std::this_thread::yield();
    }
    ++requests;
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.counters["computes_per_request"] =
        static_cast<double>(computations.load()) / static_cast<double>(requests.load());
  }
}
BENCHMARK(BM_SingleFlightRound)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

}  // namespace
}  // namespace fastbreak::cache

BENCHMARK_MAIN();
