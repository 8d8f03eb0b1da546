// The pool against a real PostgreSQL 15: backends terminated under it, a server restart in the
// middle of a query stream, exhaustion and leak reports.
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "db/pool/pool.hpp"
#include "db/postgres/postgres_database.hpp"
#include "testing/postgres_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using namespace std::chrono_literals;
using testing::PostgresServer;

template <typename F>
bool WaitUntil(F condition, milliseconds limit = 5000ms) {
  const auto end = steady_clock::now() + limit;
  while (!condition()) {
    if (steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// Kills every session the driver opened (application_name 'fastbreak'); returns how many.
int TerminateBackends(const PostgresServer& server) {
  auto killed = server.Query(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE application_name = 'fastbreak' AND pid <> pg_backend_pid()");
  EXPECT_OK(killed);
  return killed && killed->size() == 1 ? std::stoi((*killed)[0]) : -1;
}

class PoolPgTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!PostgresServer::Available()) return;
    server_ = new PostgresServer();
    start_ = server_->StartPrimary();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    if (!PostgresServer::Available()) GTEST_SKIP() << PostgresServer::UnavailableMessage();
    ASSERT_OK(start_);
    auto database = PostgresDatabase::Open({.dsn = server_->dsn(), .connect_timeout = 2000ms});
    ASSERT_OK(database);
    database_ = std::move(*database);
  }

  PoolOptions Options() {
    PoolOptions options;
    options.name = "pg";
    options.min_size = 0;
    options.max_size = 4;
    options.acquire_timeout = 2000ms;
    options.validate_after_idle = 500ms;
    options.keepalive_interval = 0ms;
    options.leak_threshold = 0ms;
    return options;
  }

  std::unique_ptr<ConnectionPool> MakePool(const PoolOptions& options,
                                           const Clock& clock = SystemClock::Instance()) {
    auto pool = ConnectionPool::Create(*database_, options, &registry_, clock);
    EXPECT_OK(pool);
    return pool ? std::move(*pool) : nullptr;
  }

  // Holds `n` connections at once and runs a query on each.
  void UseConnections(ConnectionPool& pool, int n) {
    std::vector<PooledConnection> held;
    for (int i = 0; i < n; ++i) {
      auto c = pool.Acquire();
      ASSERT_OK(c);
      ASSERT_OK((*c)->QueryScalar("SELECT 1"));
      held.push_back(std::move(*c));
    }
  }

  static PostgresServer* server_;
  static Status start_;
  std::unique_ptr<PostgresDatabase> database_;
  telemetry::MetricsRegistry registry_;
};

PostgresServer* PoolPgTest::server_ = nullptr;
Status PoolPgTest::start_;

TEST_F(PoolPgTest, TerminatedBackendsAreFoundAndReplaced) {
  ManualClock clock;
  PoolOptions options = Options();
  options.min_size = 3;
  auto pool = MakePool(options, clock);
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().idle == 3; }));
  UseConnections(*pool, 3);
  ASSERT_EQ(TerminateBackends(*server_), 3);

  // Idle past validate_after_idle: each is pinged, found dead, closed and replaced (by the
  // callers, or by the maintenance thread refilling to min_size).
  clock.Advance(1s);
  UseConnections(*pool, 3);
  PoolStats stats = pool->stats();
  EXPECT_EQ(stats.broken, 3);
  EXPECT_EQ(stats.closed, 3);
  EXPECT_GE(stats.created, 6);

  // Recently used, so not pinged: the first caller meets a dead session (kConnection, and the
  // connection is broken). Closing it makes its idle peers suspect: the next callers get
  // working connections, and the maintenance thread pings the rest.
  ASSERT_TRUE(WaitUntil([&] {
    stats = pool->stats();
    return stats.open == stats.idle && stats.open == stats.created - stats.closed;
  }));
  const int64_t killed = TerminateBackends(*server_);
  EXPECT_EQ(killed, stats.open);
  {
    auto c = pool->Acquire();
    ASSERT_OK(c);
    EXPECT_ERROR((*c)->QueryScalar("SELECT 1"), ErrorCode::kConnection);
    EXPECT_TRUE((*c)->broken());
  }
  UseConnections(*pool, 3);
  EXPECT_TRUE(WaitUntil([&] { return pool->stats().broken == 3 + killed; }));
  EXPECT_EQ(pool->stats().closed, 3 + killed);
  EXPECT_EQ(registry_.GetCounter("fastbreak_db_pool_broken_total", "", {{"pool", "pg"}}).Value(),
            static_cast<uint64_t>(3 + killed));
  EXPECT_EQ(pool->ValidateIdle(), 0);
}

TEST_F(PoolPgTest, RestartUnderLoadFailsOnlyWithConnectionClassErrorsAndRecovers) {
  PoolOptions options = Options();
  options.min_size = 2;
  options.maintenance_interval = 50ms;
  auto pool = MakePool(options);
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().idle == 2; }));

  std::atomic<bool> stop{false};
  std::atomic<int64_t> restarted_at{0};  // steady ns; 0 while the restart runs
  std::atomic<int> ok_after_restart{0};
  std::mutex mutex;
  std::vector<std::string> unexpected;  // wrong codes or overlong calls
  int64_t ok = 0, failed = 0;
  auto worker = [&] {
    while (!stop) {
      const auto start = steady_clock::now();
      const auto deadline = start + 2s;
      Status result = [&]() -> Status {
        FB_ASSIGN_OR_RETURN(PooledConnection c, pool->Acquire(deadline, "restart test"));
        FB_RETURN_IF_ERROR(c->QueryScalar("SELECT count(*) FROM pg_class"));
        return Ok();
      }();
      const auto took = steady_clock::now() - start;
      std::lock_guard lock(mutex);
      if (took > 3s) unexpected.push_back(fmt::format("a call took {} ms", took / 1ms));
      if (result) {
        ++ok;
        const int64_t at = restarted_at.load();
        if (at != 0 && start.time_since_epoch().count() > at) ++ok_after_restart;
      } else {
        ++failed;
        const ErrorCode code = result.error().code;
        if (code != ErrorCode::kConnection && code != ErrorCode::kBusy &&
            code != ErrorCode::kTimeout) {
          unexpected.push_back(result.error().ToString());
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(worker);
  std::this_thread::sleep_for(200ms);  // let the stream run before the restart
  ASSERT_OK(server_->Restart());
  restarted_at = steady_clock::now().time_since_epoch().count();
  const bool recovered = WaitUntil([&] { return ok_after_restart.load() >= 40; }, 5000ms);
  stop = true;
  for (auto& t : threads) t.join();

  EXPECT_TRUE(recovered) << "the pool did not serve queries within 5 s of the restart";
  EXPECT_TRUE(unexpected.empty()) << unexpected.front();
  EXPECT_GT(ok, 0);
  EXPECT_EQ(pool->ValidateIdle(), 0);
  EXPECT_GT(pool->stats().broken, 0);  // the sessions the restart killed
  EXPECT_EQ(pool->stats().in_use, 0);
  std::printf("restart under load: %lld ok, %lld failed, broken %lld\n", static_cast<long long>(ok),
              static_cast<long long>(failed), static_cast<long long>(pool->stats().broken));
}

TEST_F(PoolPgTest, ExhaustionAnswersBusyAtTheDeadline) {
  PoolOptions options = Options();
  options.max_size = 2;
  auto pool = MakePool(options);
  auto a = pool->Acquire();
  auto b = pool->Acquire();
  ASSERT_OK(a);
  ASSERT_OK(b);
  const auto start = steady_clock::now();
  auto c = pool->Acquire(start + 300ms);
  const auto waited = steady_clock::now() - start;
  EXPECT_ERROR(c, ErrorCode::kBusy);
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 800ms);
  EXPECT_EQ(pool->stats().timeouts, 1);
}

TEST_F(PoolPgTest, LeakReportNamesTheHolderAndTheLastSql) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(32);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("leak-pgtest", sink));

  PoolOptions options = Options();
  options.leak_threshold = 100ms;
  options.maintenance_interval = 20ms;
  auto pool = MakePool(options);
  {
    auto c = pool->Acquire("tool leaky_tool");
    ASSERT_OK(c);
    ASSERT_OK((*c)->QueryScalar("SELECT 42 AS leak_marker"));
    EXPECT_TRUE(WaitUntil([&] { return pool->stats().leaks == 1; }, 2000ms));
  }
  std::vector<std::string> lines = sink->last_formatted();
  spdlog::set_default_logger(previous);
  EXPECT_EQ(registry_.GetCounter("fastbreak_db_pool_leaks_total", "", {{"pool", "pg"}}).Value(),
            1u);
  bool reported = false;
  for (const std::string& line : lines) {
    if (line.find("[warning]") != std::string::npos &&
        line.find("held by 'tool leaky_tool'") != std::string::npos &&
        line.find("SELECT 42 AS leak_marker") != std::string::npos) {
      reported = true;
    }
  }
  EXPECT_TRUE(reported) << fmt::format("{}", fmt::join(lines, "\n"));
}

}  // namespace
}  // namespace fastbreak::db
