// The Redis second level against a redis-server the benchmark starts on loopback: a Get hit
// (one EVALSHA round trip, tag versions checked) next to a plain GET through the same pool,
// a Put (one script: SET + tag bookkeeping), and pipelined tag invalidation.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "cache/redis_bus.hpp"
#include "cache/redis_cache.hpp"
#include "cache/redis_client.hpp"
#include "telemetry/metrics.hpp"
#include "testing/redis_server.hpp"

namespace fastbreak::cache {
namespace {

using std::chrono::milliseconds;

struct Env {
  testing::RedisServer server;  // first: stopped last
  telemetry::MetricsRegistry metrics;
  std::unique_ptr<RedisClient> client;
  std::unique_ptr<RedisCache> cache;
  std::string error;
};

// Started once, on first use, from the benchmark's main thread; stopped at exit.
Env& GetEnv() {
  static const std::unique_ptr<Env> env = [] {
    auto e = std::make_unique<Env>();
    if (!testing::RedisServer::Available()) {
      e->error = testing::RedisServer::UnavailableMessage();
      return e;
    }
    if (auto started = e->server.Start(); !started) {
      e->error = started.error().ToString();
      return e;
    }
    RedisOptions options;
    options.url = e->server.url();
    auto client = RedisClient::Create(options, e->metrics);
    if (!client) {
      e->error = client.error().ToString();
      return e;
    }
    e->client = std::move(*client);
    e->cache = std::make_unique<RedisCache>(*e->client, e->metrics);
    return e;
  }();
  return *env;
}

RedisCache* CacheOrSkip(benchmark::State& state) {
  Env& env = GetEnv();
  if (!env.error.empty()) {
    state.SkipWithError(env.error.c_str());
    return nullptr;
  }
  return env.cache.get();
}

StoredValue Payload(int64_t size) {
  StoredValue value;
  while (value.bytes.size() < static_cast<size_t>(size)) value.bytes += "{\"pts\":27,\"reb\":7},";
  value.bytes.resize(static_cast<size_t>(size));
  return value;
}

void BM_GetHit(benchmark::State& state) {
  RedisCache* cache = CacheOrSkip(state);
  if (cache == nullptr) return;
  cache->Put("bench:get", Payload(state.range(0)), milliseconds(600'000), {"team:LAL", "season"});
  for (auto _ : state) {
    auto value = cache->Get("bench:get");
    if (!value) state.SkipWithError("unexpected miss");
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_GetHit)->Arg(64)->Arg(4096)->Arg(65536);

void BM_GetMiss(benchmark::State& state) {
  RedisCache* cache = CacheOrSkip(state);
  if (cache == nullptr) return;
  for (auto _ : state) benchmark::DoNotOptimize(cache->Get("bench:absent"));
}
BENCHMARK(BM_GetMiss);

// The floor: a plain GET of the same stored bytes through the same pool, no script.
void BM_RawGet(benchmark::State& state) {
  RedisCache* cache = CacheOrSkip(state);
  if (cache == nullptr) return;
  cache->Put("bench:raw", Payload(64), milliseconds(600'000), {});
  RedisClient& client = *GetEnv().client;
  const std::string key = cache->EntryKey("bench:raw");
  for (auto _ : state) {
    auto reply = client.Command({"GET", key});
    if (!reply) state.SkipWithError("GET failed");
    benchmark::DoNotOptimize(reply);
  }
}
BENCHMARK(BM_RawGet);

void BM_Put(benchmark::State& state) {
  RedisCache* cache = CacheOrSkip(state);
  if (cache == nullptr) return;
  const StoredValue value = Payload(state.range(0));
  const std::vector<std::string> tags = {"team:LAL", "season:2024"};
  for (auto _ : state) cache->Put("bench:put", value, milliseconds(600'000), tags);
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Put)->Arg(64)->Arg(4096)->Arg(65536);

// Invalidating N tags (one script per tag, one pipeline), each tag carrying one entry.
void BM_InvalidateTags(benchmark::State& state) {
  RedisCache* cache = CacheOrSkip(state);
  if (cache == nullptr) return;
  std::vector<std::string> tags;
  for (int64_t i = 0; i < state.range(0); ++i) tags.push_back("bench:tag:" + std::to_string(i));
  const StoredValue value = Payload(64);
  for (auto _ : state) {
    state.PauseTiming();
    for (const std::string& tag : tags)
      cache->Put("bench:" + tag, value, milliseconds(600'000), {tag});
    state.ResumeTiming();
    cache->Invalidate(tags, {}, {}, false);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_InvalidateTags)->Arg(1)->Arg(16)->Arg(64);

void BM_BusPublish(benchmark::State& state) {
  if (CacheOrSkip(state) == nullptr) return;
  telemetry::MetricsRegistry metrics;
  RedisBus bus(*GetEnv().client, metrics);
  Invalidation message;
  message.tags = {"team:LAL", "season:2024"};
  for (auto _ : state) {
    if (!bus.Publish(message)) state.SkipWithError("publish failed");
  }
}
BENCHMARK(BM_BusPublish);

}  // namespace
}  // namespace fastbreak::cache
