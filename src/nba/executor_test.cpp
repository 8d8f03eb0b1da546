#include "nba/executor.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

using std::chrono::milliseconds;

constexpr const char* kSlowSql =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 500000000) "
    "SELECT count(*) FROM c";

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() {
    db::SqliteOptions options;
    options.path = (dir_.path() / "e.db").string();
    database_ = std::move(*db::SqliteDatabase::Open(options));
    (void)*database_->Connect(db::AccessMode::kReadWrite);  // creates the file
  }
  std::unique_ptr<Executor> Make(int workers, size_t queue, milliseconds timeout) {
    return std::make_unique<Executor>(
        *database_, ExecutorOptions{workers, queue, timeout, milliseconds(10)}, registry_);
  }
  // Runs kSlowSql and reports its error code.
  static Executor::Work SlowQuery(std::promise<ErrorCode>& done) {
    return [&done](db::Connection& connection, CallHandle&) {
      auto result = connection.QueryScalar(kSlowSql);
      done.set_value(result ? ErrorCode::kInternal : result.error().code);
    };
  }

  fastbreak::testing::TempDir dir_;
  telemetry::MetricsRegistry registry_;
  std::unique_ptr<db::SqliteDatabase> database_;
};

TEST_F(ExecutorTest, RunsWorkOnAWorkerWithAReadOnlyConnection) {
  auto executor = Make(2, 8, milliseconds(5000));
  std::promise<db::AccessMode> mode;
  ASSERT_TRUE(executor->Submit(
      [&](db::Connection& connection, CallHandle&) { mode.set_value(connection.mode()); },
      [](const Error&) {}));
  EXPECT_EQ(mode.get_future().get(), db::AccessMode::kReadOnly);
}

TEST_F(ExecutorTest, AFullQueueRefusesAtOnce) {
  auto executor = Make(1, 1, milliseconds(5000));
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0};
  auto blocker = [gate, &ran](db::Connection&, CallHandle&) {
    gate.wait();
    ++ran;
  };
  ASSERT_TRUE(executor->Submit(blocker, [](const Error&) {}));
  // The worker may not have taken the first task yet: fill until refused.
  int accepted = 1;
  Result<std::shared_ptr<CallHandle>> refused;
  for (int i = 0; i < 4; ++i) {
    refused = executor->Submit(blocker, [](const Error&) {});
    if (!refused) break;
    ++accepted;
  }
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kBusy);
  EXPECT_LE(accepted, 2);
  release.set_value();
  executor.reset();  // drains
  EXPECT_EQ(ran.load(), accepted);
}

TEST_F(ExecutorTest, CancelInterruptsARunningQuery) {
  auto executor = Make(1, 4, milliseconds(10000));
  std::promise<ErrorCode> done;
  auto handle = executor->Submit(SlowQuery(done), [](const Error&) {});
  ASSERT_TRUE(handle);
  std::this_thread::sleep_for(milliseconds(100));
  (*handle)->Cancel();
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(future.get(), ErrorCode::kCancelled);
  EXPECT_TRUE((*handle)->cancelled());
}

TEST_F(ExecutorTest, DeadlineInterruptsAndMarksTimedOut) {
  auto executor = Make(1, 4, milliseconds(150));
  std::promise<ErrorCode> done;
  auto handle = executor->Submit(SlowQuery(done), [](const Error&) {});
  ASSERT_TRUE(handle);
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE((*handle)->timed_out());
}

TEST_F(ExecutorTest, ACallCancelledWhileQueuedNeverRuns) {
  auto executor = Make(1, 4, milliseconds(10000));
  std::promise<ErrorCode> first;
  auto running = executor->Submit(SlowQuery(first), [](const Error&) {});
  ASSERT_TRUE(running);
  std::atomic<bool> ran{false};
  std::promise<ErrorCode> failed;
  auto queued = executor->Submit([&](db::Connection&, CallHandle&) { ran = true; },
                                 [&](const Error& error) { failed.set_value(error.code); });
  ASSERT_TRUE(queued);
  (*queued)->Cancel();
  std::this_thread::sleep_for(milliseconds(50));
  (*running)->Cancel();
  executor.reset();
  EXPECT_FALSE(ran.load());
  EXPECT_EQ(failed.get_future().get(), ErrorCode::kCancelled);
}

TEST_F(ExecutorTest, TicksReachLongCalls) {
  auto executor = Make(1, 4, milliseconds(10000));
  std::atomic<int> ticks{0};
  std::promise<void> done;
  ASSERT_TRUE(executor->Submit(
      [&](db::Connection&, CallHandle&) {
        std::this_thread::sleep_for(milliseconds(120));
        done.set_value();
      },
      [](const Error&) {}, [&](milliseconds) { ++ticks; }));
  done.get_future().wait();
  executor.reset();
  EXPECT_GE(ticks.load(), 2);
}

}  // namespace
}  // namespace fastbreak::nba

namespace fastbreak::nba {
namespace {

TEST_F(ExecutorTest, WritesGetAReadWriteConnection) {
  auto executor = Make(2, 8, milliseconds(5000));
  std::promise<db::AccessMode> mode;
  SubmitOptions options;
  options.route = db::Route::kWrite;
  ASSERT_TRUE(executor->Submit(
      [&](db::Connection& connection, CallHandle&) { mode.set_value(connection.mode()); },
      [](const Error&) {}, std::move(options)));
  EXPECT_EQ(mode.get_future().get(), db::AccessMode::kReadWrite);
}

// Reconnect swaps the connection behind the one the work holds: the work goes on with the same
// reference, on a new session, and the retry is counted.
TEST_F(ExecutorTest, ReconnectGivesTheWorkANewConnection) {
  auto executor = Make(1, 8, milliseconds(5000));
  std::promise<std::string> outcome;
  SubmitOptions options;
  options.route = db::Route::kWrite;  // a session that may create a TEMP table
  ASSERT_TRUE(executor->Submit(
      [&](db::Connection& connection, CallHandle& handle) {
        ASSERT_OK(connection.Execute("CREATE TEMP TABLE session_mark(x INTEGER)"));
        ASSERT_OK(handle.Reconnect());
        // A TEMP table lives in its session only: the new connection does not have it.
        auto marked = connection.QueryScalar("SELECT count(*) FROM session_mark");
        auto fresh = connection.QueryScalar("SELECT 7");
        outcome.set_value(
            fmt::format("{} {}", marked ? "old" : "new", fresh ? std::get<int64_t>(*fresh) : -1));
      },
      [&](const Error& error) { outcome.set_value(error.message); }, std::move(options)));
  EXPECT_EQ(outcome.get_future().get(), "new 7");
  EXPECT_NE(registry_.PrometheusText().find("fastbreak_executor_retries_total 1"),
            std::string::npos);
}

}  // namespace
}  // namespace fastbreak::nba
