// The pool against real SQLite files. Faults a SQLite file cannot show (a failed ping, a broken
// session, a database that is down or slow to connect) come from FaultyDatabase, which wraps
// the real backend and fails on demand. Ages run on a ManualClock; the maintenance thread is
// left idle (hour-long interval) and each test runs its passes with RunMaintenance().
#include "db/pool/pool.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "db/pool/pool_test_util.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using namespace std::chrono_literals;

using namespace testing_util;

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sqlite = SqliteDatabase::Open({.path = dir_.File("pool.db")});
    ASSERT_OK(sqlite);
    sqlite_ = std::move(*sqlite);
    auto rw = sqlite_->Connect(AccessMode::kReadWrite);
    ASSERT_OK(rw);
    ASSERT_OK(
        (*rw)->ExecuteScript("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)"));
    faulty_ = std::make_unique<FaultyDatabase>(*sqlite_);
  }

  // Small, with every timer off or far away; tests turn on what they check.
  PoolOptions Options() {
    PoolOptions options;
    options.name = "test";
    options.min_size = 0;
    options.max_size = 4;
    options.acquire_timeout = 5000ms;
    options.validate_after_idle = 3600s;
    options.keepalive_interval = 0ms;
    options.max_lifetime = 0ms;
    options.idle_timeout = 0ms;
    options.leak_threshold = 0ms;
    options.maintenance_interval = 3600s;
    return options;
  }

  std::unique_ptr<ConnectionPool> MakePool(const PoolOptions& options) {
    auto pool = ConnectionPool::Create(*faulty_, options, &registry_, clock_);
    EXPECT_OK(pool);
    return pool ? std::move(*pool) : nullptr;
  }

  double Gauge(const char* name, telemetry::Labels labels) {
    labels.emplace_back("pool", "test");
    return registry_.GetGauge(name, "", labels).Value();
  }
  uint64_t CounterValue(const char* name) {
    return registry_.GetCounter(name, "", {{"pool", "test"}}).Value();
  }

  testing::TempDir dir_;
  ManualClock clock_;
  telemetry::MetricsRegistry registry_;
  std::unique_ptr<SqliteDatabase> sqlite_;
  std::unique_ptr<FaultyDatabase> faulty_;
};

TEST_F(PoolTest, CreateRejectsBadOptions) {
  PoolOptions options = Options();
  options.min_size = 5;
  options.max_size = 4;
  EXPECT_ERROR(ConnectionPool::Create(*faulty_, options, nullptr), ErrorCode::kInvalidArgument);
  options = Options();
  options.max_size = 0;
  options.min_size = 0;
  EXPECT_ERROR(ConnectionPool::Create(*faulty_, options, nullptr), ErrorCode::kInvalidArgument);
  options = Options();
  options.idle_timeout = -1ms;
  EXPECT_ERROR(ConnectionPool::Create(*faulty_, options, nullptr), ErrorCode::kInvalidArgument);
}

TEST_F(PoolTest, OpensMinSizeInTheBackground) {
  PoolOptions options = Options();
  options.min_size = 2;
  auto pool = MakePool(options);
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().idle == 2; }));
  const PoolStats stats = pool->stats();
  EXPECT_EQ(stats.open, 2);
  EXPECT_EQ(stats.created, 2);
  EXPECT_EQ(stats.target, 2);
  EXPECT_EQ(faulty_->connects.load(), 2);
}

TEST_F(PoolTest, ReusesIdleConnectionsHottestFirst) {
  auto pool = MakePool(Options());
  auto a = pool->Acquire("a");
  auto b = pool->Acquire("b");
  ASSERT_OK(a);
  ASSERT_OK(b);
  Connection* first = a->get();
  Connection* second = b->get();
  EXPECT_NE(first, second);
  ASSERT_OK((*a)->QueryScalar("SELECT count(*) FROM t"));
  a->Release();
  b->Release();  // returned last: the hottest
  auto c = pool->Acquire();
  ASSERT_OK(c);
  EXPECT_EQ(c->get(), second);
  auto d = pool->Acquire();
  ASSERT_OK(d);
  EXPECT_EQ(d->get(), first);
  EXPECT_EQ(pool->stats().created, 2);
  EXPECT_EQ(pool->stats().acquired, 4);
  EXPECT_EQ(c->pool(), pool.get());
}

TEST_F(PoolTest, ExhaustedPoolAnswersBusyAtTheDeadlineNotBefore) {
  PoolOptions options = Options();
  options.max_size = 2;
  options.acquire_timeout = 150ms;
  auto pool = MakePool(options);
  auto a = pool->Acquire();
  auto b = pool->Acquire();
  ASSERT_OK(a);
  ASSERT_OK(b);

  auto start = steady_clock::now();
  auto c = pool->Acquire(start + 100ms, "third");
  auto waited = steady_clock::now() - start;
  EXPECT_ERROR(c, ErrorCode::kBusy);
  EXPECT_NE(c.error().message.find("pool test exhausted: 2 in use, 0 waiting"), std::string::npos)
      << c.error().message;
  EXPECT_GE(waited, 100ms);
  EXPECT_LT(waited, 100ms + 400ms);

  // acquire_timeout caps a later (or no) deadline.
  start = steady_clock::now();
  EXPECT_ERROR(pool->Acquire(start + 10s), ErrorCode::kBusy);
  waited = steady_clock::now() - start;
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 150ms + 400ms);

  // A deadline already passed fails at once.
  EXPECT_ERROR(pool->Acquire(steady_clock::now() - 1ms), ErrorCode::kBusy);
  EXPECT_EQ(pool->stats().timeouts, 3);
  EXPECT_EQ(pool->stats().waiting, 0);
}

TEST_F(PoolTest, WaitersAreServedInArrivalOrder) {
  PoolOptions options = Options();
  options.max_size = 1;
  auto pool = MakePool(options);
  auto held = pool->Acquire();
  ASSERT_OK(held);
  std::mutex mutex;
  std::vector<int> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      auto c = pool->Acquire(steady_clock::now() + 10s);
      ASSERT_OK(c);
      std::lock_guard lock(mutex);
      order.push_back(i);
    });  // released by the destructor, to the next waiter
    ASSERT_TRUE(WaitUntil([&] { return pool->stats().waiting == i + 1; }));
  }
  held->Release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(pool->stats().created, 1);
}

TEST_F(PoolTest, ConnectionIdlePastThresholdIsValidatedBeforeUse) {
  PoolOptions options = Options();
  options.validate_after_idle = 500ms;
  auto pool = MakePool(options);
  auto c = pool->Acquire();
  ASSERT_OK(c);
  EXPECT_EQ(Faulty(*c).id, 1);
  Faulty(*c).fail_ping = true;  // the server dropped it while idle
  c->Release();

  // Recently used: handed out without a ping (the hot path costs no round trip).
  clock_.Advance(400ms);
  c = pool->Acquire();
  ASSERT_OK(c);
  EXPECT_EQ(Faulty(*c).id, 1);
  c->Release();

  clock_.Advance(600ms);
  c = pool->Acquire();
  ASSERT_OK(c);
  EXPECT_EQ(Faulty(*c).id, 2);
  ASSERT_OK((*c)->QueryScalar("SELECT count(*) FROM t"));
  const PoolStats stats = pool->stats();
  EXPECT_EQ(stats.broken, 1);
  EXPECT_EQ(stats.closed, 1);
  EXPECT_EQ(stats.created, 2);
  EXPECT_EQ(CounterValue("fastbreak_db_pool_broken_total"), 1u);
}

TEST_F(PoolTest, BrokenConnectionIsClosedAndItsIdlePeersChecked) {
  auto pool = MakePool(Options());
  auto a = pool->Acquire();
  auto b = pool->Acquire();
  ASSERT_OK(a);
  ASSERT_OK(b);
  Faulty(*b).fail_ping = true;  // dies with the server, like `a`
  b->Release();
  Faulty(*a).is_broken = true;  // its holder met the dead server
  a->Release();

  // `b` was idle for no time at all, but a broken peer makes it suspect: it is pinged (by
  // the maintenance thread, woken at once, or by the next Acquire) and closed.
  auto c = pool->Acquire();
  ASSERT_OK(c);
  EXPECT_EQ(Faulty(*c).id, 3);
  ASSERT_OK((*c)->QueryScalar("SELECT count(*) FROM t"));
  const PoolStats stats = pool->stats();
  EXPECT_EQ(stats.broken, 2);
  EXPECT_EQ(stats.closed, 2);
  EXPECT_EQ(stats.created, 3);
  EXPECT_EQ(stats.open, 1);
}

TEST_F(PoolTest, KeepAliveAndValidateIdleCloseDeadConnectionsAndRefill) {
  PoolOptions options = Options();
  options.min_size = 2;
  options.keepalive_interval = 1000ms;
  auto pool = MakePool(options);
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().idle == 2; }));
  {
    auto a = pool->Acquire();
    ASSERT_OK(a);
    Faulty(*a).fail_ping = true;
  }
  EXPECT_EQ(pool->ValidateIdle(), 1);
  EXPECT_EQ(pool->stats().broken, 1);
  pool->RunMaintenance();  // refills to min_size (unless the woken maintenance thread did)
  EXPECT_TRUE(WaitUntil([&] { return pool->stats().idle == 2; }));
  EXPECT_EQ(pool->stats().created, 3);

  // Keep-alive pings only connections idle past keepalive_interval.
  {
    auto a = pool->Acquire();
    ASSERT_OK(a);
    Faulty(*a).fail_ping = true;
  }
  clock_.Advance(900ms);
  pool->RunMaintenance();
  EXPECT_EQ(pool->stats().broken, 1);
  clock_.Advance(200ms);
  pool->RunMaintenance();
  EXPECT_EQ(pool->stats().broken, 2);
  EXPECT_TRUE(WaitUntil([&] { return pool->stats().idle == 2; }));
  EXPECT_EQ(pool->stats().created, 4);
}

TEST_F(PoolTest, ConnectionsRetireAtJitteredLifetimes) {
  PoolOptions options = Options();
  options.min_size = 8;
  options.max_size = 8;
  options.max_lifetime = 10s;
  options.lifetime_jitter = 0.5;  // each lives 5..10 s
  auto pool = MakePool(options);
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().idle == 8; }));
  clock_.Advance(4900ms);
  pool->RunMaintenance();
  EXPECT_EQ(pool->stats().closed, 0);
  int steps_with_retirements = 0;
  int64_t closed = 0;
  for (int step = 0; step < 11; ++step) {  // 4.9 s .. 10.4 s
    clock_.Advance(500ms);
    pool->RunMaintenance();
    if (pool->stats().closed > closed) ++steps_with_retirements;
    closed = pool->stats().closed;
  }
  EXPECT_EQ(closed, 8);
  EXPECT_GE(steps_with_retirements, 2) << "retirements should be spread by the jitter";
  EXPECT_TRUE(WaitUntil([&] { return pool->stats().idle == 8; }));  // each replaced
  EXPECT_EQ(pool->stats().created, 16);
}

TEST_F(PoolTest, ConnectionPastItsLifetimeIsClosedWhenReturned) {
  PoolOptions options = Options();
  options.max_lifetime = 1000ms;
  options.lifetime_jitter = 0;
  auto pool = MakePool(options);
  auto c = pool->Acquire();
  ASSERT_OK(c);
  clock_.Advance(1000ms);
  c->Release();
  EXPECT_EQ(pool->stats().closed, 1);
  EXPECT_EQ(pool->stats().open, 0);
}

TEST_F(PoolTest, AdaptiveTargetGrowsUnderWaitersAndShrinksWhenIdle) {
  PoolOptions options = Options();
  options.min_size = 1;
  options.max_size = 3;
  options.idle_timeout = 10s;
  auto pool = MakePool(options);
  // The min_size connection first: an Acquire racing its background open would find the pool
  // full and wait, which grows the target.
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().idle == 1; }));
  std::vector<PooledConnection> held;
  for (int i = 0; i < 3; ++i) {
    auto c = pool->Acquire();
    ASSERT_OK(c);
    held.push_back(std::move(*c));
  }
  EXPECT_EQ(pool->stats().target, 1);  // no one waited yet
  std::vector<std::thread> waiters;
  for (int i = 0; i < 2; ++i) {
    waiters.emplace_back([&] { ASSERT_OK(pool->Acquire(steady_clock::now() + 10s)); });
    ASSERT_TRUE(WaitUntil([&] { return pool->stats().waiting == i + 1; }));
  }
  EXPECT_EQ(pool->stats().target, 3);
  EXPECT_EQ(Gauge("fastbreak_db_pool_target_size", {}), 3.0);
  held.clear();
  for (auto& t : waiters) t.join();

  // The target keeps three open: a discarded one is replaced in the background.
  {
    auto c = pool->Acquire();
    ASSERT_OK(c);
    c->Discard();
  }
  pool->RunMaintenance();
  EXPECT_TRUE(WaitUntil([&] { return pool->stats().idle == 3; }));
  EXPECT_EQ(pool->stats().created, 4);

  clock_.Advance(11s);
  pool->RunMaintenance();
  const PoolStats stats = pool->stats();
  EXPECT_EQ(stats.open, 1);
  EXPECT_EQ(stats.idle, 1);
  EXPECT_EQ(stats.target, 1);
}

TEST_F(PoolTest, IdleTimeoutShrinksToMinSize) {
  PoolOptions options = Options();
  options.min_size = 1;
  options.idle_timeout = 10s;
  auto pool = MakePool(options);
  {
    std::vector<PooledConnection> held;
    for (int i = 0; i < 4; ++i) held.push_back(std::move(*pool->Acquire()));
  }
  EXPECT_EQ(pool->stats().idle, 4);
  clock_.Advance(9s);
  pool->RunMaintenance();
  EXPECT_EQ(pool->stats().idle, 4);
  clock_.Advance(1s);
  pool->RunMaintenance();
  EXPECT_EQ(pool->stats().idle, 1);
  EXPECT_EQ(pool->stats().closed, 3);
}

TEST_F(PoolTest, LeakIsReportedOnceWithHolderAndLastSql) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("leak-test", sink));

  PoolOptions options = Options();
  options.leak_threshold = 1000ms;
  auto pool = MakePool(options);
  auto c = pool->Acquire("tool player_season_stats");
  ASSERT_OK(c);
  ASSERT_OK((*c)->QueryScalar("SELECT count(*) FROM t"));
  clock_.Advance(999ms);
  pool->RunMaintenance();
  EXPECT_EQ(pool->stats().leaks, 0);
  clock_.Advance(500ms);
  pool->RunMaintenance();
  pool->RunMaintenance();  // reported once
  EXPECT_EQ(pool->stats().leaks, 1);
  EXPECT_EQ(CounterValue("fastbreak_db_pool_leaks_total"), 1u);
  c->Release();

  std::vector<std::string> lines = sink->last_formatted();
  spdlog::set_default_logger(previous);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("[warning]"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("held by 'tool player_season_stats' for 1499 ms"), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find("SELECT count(*) FROM t"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("[info]"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("came back from 'tool player_season_stats'"), std::string::npos)
      << lines[1];
}

TEST_F(PoolTest, DownDatabaseFailsFastAndRefillBacksOff) {
  faulty_->down = true;
  PoolOptions options = Options();
  options.min_size = 2;
  options.maintenance_interval = 5ms;
  auto pool = MakePool(options);
  const auto start = steady_clock::now();
  auto c = pool->Acquire();
  EXPECT_LT(steady_clock::now() - start, 500ms);  // not the 5 s acquire_timeout
  EXPECT_ERROR(c, ErrorCode::kConnection);
  EXPECT_NE(c.error().message.find("connection refused"), std::string::npos);

  // The background refill backs off instead of hammering the database.
  std::this_thread::sleep_for(300ms);
  EXPECT_LT(faulty_->connects.load(), 12);
  EXPECT_EQ(pool->stats().open, 0);

  faulty_->down = false;
  EXPECT_TRUE(WaitUntil([&] { return pool->stats().idle == 2; }));
}

TEST_F(PoolTest, WaiterFailsFastWhenItsTurnToConnectFails) {
  PoolOptions options = Options();
  options.max_size = 1;
  auto pool = MakePool(options);
  auto held = pool->Acquire();
  ASSERT_OK(held);
  Result<PooledConnection> waited = MakeError(ErrorCode::kInternal, "not run");
  steady_clock::duration elapsed{};
  std::thread waiter([&] {
    const auto start = steady_clock::now();
    waited = pool->Acquire(start + 10s);
    elapsed = steady_clock::now() - start;
  });
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().waiting == 1; }));
  faulty_->down = true;
  held->Discard();  // its place goes to the waiter, whose connect fails
  waiter.join();
  EXPECT_ERROR(waited, ErrorCode::kConnection);
  EXPECT_LT(elapsed, 5s);
}

TEST_F(PoolTest, MetricsFollowThePool) {
  PoolOptions options = Options();
  options.max_size = 2;
  options.acquire_timeout = 10ms;
  auto pool = MakePool(options);
  auto a = pool->Acquire();
  auto b = pool->Acquire();
  EXPECT_ERROR(pool->Acquire(), ErrorCode::kBusy);
  EXPECT_EQ(Gauge("fastbreak_db_pool_connections", {{"state", "open"}}), 2.0);
  EXPECT_EQ(Gauge("fastbreak_db_pool_connections", {{"state", "in_use"}}), 2.0);
  EXPECT_EQ(Gauge("fastbreak_db_pool_connections", {{"state", "idle"}}), 0.0);
  b->Release();
  EXPECT_EQ(Gauge("fastbreak_db_pool_connections", {{"state", "in_use"}}), 1.0);
  EXPECT_EQ(Gauge("fastbreak_db_pool_connections", {{"state", "idle"}}), 1.0);
  EXPECT_EQ(Gauge("fastbreak_db_pool_waiting", {}), 0.0);
  EXPECT_EQ(CounterValue("fastbreak_db_pool_created_total"), 2u);
  EXPECT_EQ(CounterValue("fastbreak_db_pool_timeouts_total"), 1u);
  EXPECT_EQ(CounterValue("fastbreak_db_pool_closed_total"), 0u);
  const auto acquire =
      registry_.GetHistogram("fastbreak_db_pool_acquire_seconds", "", {{"pool", "test"}})
          .Snapshot();
  EXPECT_EQ(acquire.Count(), 3u);
  EXPECT_GE(acquire.Max(), 10'000'000u);  // the timed-out one waited 10 ms
  EXPECT_NE(registry_.PrometheusText().find(
                "fastbreak_db_pool_connections{pool=\"test\",state=\"open\"} 2"),
            std::string::npos);
}

TEST_F(PoolTest, DestructorFailsWaitersPromptly) {
  PoolOptions options = Options();
  options.max_size = 1;
  auto pool = MakePool(options);
  faulty_->connect_delay_ms = 300;  // the only place is taken by a slow connect
  Result<PooledConnection> opener = MakeError(ErrorCode::kInternal, "not run");
  Result<PooledConnection> waiter = MakeError(ErrorCode::kInternal, "not run");
  steady_clock::time_point waiter_done;
  std::thread t1([&] { opener = pool->Acquire(); });
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().open == 1; }));
  std::thread t2([&] {
    waiter = pool->Acquire();
    waiter_done = steady_clock::now();
  });
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().waiting == 1; }));
  const auto start = steady_clock::now();
  pool.reset();  // waits for the connect in flight, fails the waiter at once
  t2.join();
  t1.join();
  EXPECT_ERROR(waiter, ErrorCode::kUnsupported);
  EXPECT_ERROR(opener, ErrorCode::kUnsupported);
  EXPECT_LT(waiter_done - start, 100ms);
}

TEST_F(PoolTest, ConcurrentAcquireReleaseKeepsCountsConsistent) {
  PoolOptions options = Options();
  options.max_size = 2;
  auto pool = MakePool(options);
  constexpr int kThreads = 4;
  constexpr int kRounds = 1000;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string holder = "worker " + std::to_string(t);
      for (int i = 0; i < kRounds; ++i) {
        auto c = pool->Acquire(steady_clock::now() + 10s, holder);
        if (!c) {
          ++failures;
          continue;
        }
        if (i % 50 == 0 && !(*c)->QueryScalar("SELECT count(*) FROM t")) ++failures;
        if (i % 97 == 0) c->SetHolder("renamed");
        if (i % 250 == 0) c->Discard();
      }
    });
  }
  for (auto& t : threads) t.join();
  // The maintenance thread may still be replacing a discarded connection.
  ASSERT_TRUE(WaitUntil([&] { return pool->stats().idle == pool->stats().open; }));
  const PoolStats stats = pool->stats();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(stats.acquired, kThreads * kRounds);
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_EQ(stats.waiting, 0);
  EXPECT_LE(stats.open, 2);
  EXPECT_EQ(stats.created - stats.closed, stats.open);
  EXPECT_EQ(stats.closed, kThreads * (kRounds / 250));  // the discarded ones
}

}  // namespace
}  // namespace fastbreak::db
