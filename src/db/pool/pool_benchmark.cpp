// The cost of the pool's hot path: Acquire + Release of an idle connection, from one and two
// threads, beside what the pool saves (opening a SQLite connection per unit of work) and a
// bare mutex lock/unlock as the floor. SQLite file in a temporary directory.
#include <benchmark/benchmark.h>

#include <mutex>

#include "db/pool/pool.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

// One database and one pool shared by every benchmark and thread of the run.
struct Env {
  Env() {
    database = std::move(*SqliteDatabase::Open({.path = dir.File("bench.db")}));
    auto rw = database->Connect(AccessMode::kReadWrite);
    (void)(*rw)->ExecuteScript("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)");
    PoolOptions options;
    options.name = "bench";
    options.min_size = 2;
    options.max_size = 4;
    pool = std::move(*ConnectionPool::Create(*database, options, &registry));
  }
  testing::TempDir dir;
  std::unique_ptr<SqliteDatabase> database;
  telemetry::MetricsRegistry registry;
  std::unique_ptr<ConnectionPool> pool;
};

Env& Shared() {
  static Env env;
  return env;
}

void BM_AcquireRelease(benchmark::State& state) {
  ConnectionPool& pool = *Shared().pool;
  for (auto _ : state) {
    auto connection = pool.Acquire("benchmark");
    if (!connection) {
      state.SkipWithError(connection.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(connection->get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AcquireRelease)->Threads(1)->Threads(2)->UseRealTime();

// With one small query: the share of a unit of work the pool costs.
void BM_AcquireQueryRelease(benchmark::State& state) {
  ConnectionPool& pool = *Shared().pool;
  for (auto _ : state) {
    auto connection = pool.Acquire("benchmark");
    if (!connection) {
      state.SkipWithError(connection.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize((*connection)->QueryScalar("SELECT count(*) FROM t"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AcquireQueryRelease)->Threads(1)->Threads(2)->UseRealTime();

// What the pool saves: a new read-only connection for every unit of work.
void BM_ConnectPerUse(benchmark::State& state) {
  SqliteDatabase& database = *Shared().database;
  for (auto _ : state) {
    auto connection = database.Connect(AccessMode::kReadOnly);
    if (!connection) {
      state.SkipWithError(connection.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize((*connection)->QueryScalar("SELECT count(*) FROM t"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConnectPerUse);

// The floor: one uncontended mutex lock/unlock pair.
void BM_MutexFloor(benchmark::State& state) {
  static std::mutex mutex;
  for (auto _ : state) {
    std::lock_guard lock(mutex);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_MutexFloor)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace fastbreak::db
