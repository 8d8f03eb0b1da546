// The router against a real primary and two streaming replicas: reads on replicas and writes on
// the primary; replicas stopped under a read stream (no failed read, fallback to the primary),
// started again (back in rotation); replay paused (taken out for lag) and resumed.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "db/pool/router.hpp"
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
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// One read-only unit of work run as the executor runs it: a connection-class failure (the
// session died under it) runs the unit once more on a fresh connection, which the router finds
// on another replica or the primary. Returns the name of the pool that served it.
Result<std::string> Read(DatabaseRouter& router) {
  for (int attempt = 0;; ++attempt) {
    FB_ASSIGN_OR_RETURN(PooledConnection c,
                        router.Acquire(Route::kRead, steady_clock::now() + 2s, "read stream"));
    auto value = c->QueryScalar("SELECT count(*) FROM pg_class");
    if (value) return c.pool()->name();
    if (value.error().code != ErrorCode::kConnection || attempt == 1) {
      return tl::unexpected(value.error());
    }
    c.Discard();
  }
}

class RouterPgTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!PostgresServer::Available()) return;
    primary_ = new PostgresServer();
    replica1_ = new PostgresServer();
    replica2_ = new PostgresServer();
    start_ = primary_->StartPrimary();
    if (start_) start_ = replica1_->StartReplicaOf(*primary_);
    if (start_) start_ = replica2_->StartReplicaOf(*primary_);
  }
  static void TearDownTestSuite() {
    delete replica2_;
    delete replica1_;
    delete primary_;
    replica1_ = replica2_ = primary_ = nullptr;
  }

  void SetUp() override {
    if (!PostgresServer::Available()) GTEST_SKIP() << PostgresServer::UnavailableMessage();
    ASSERT_OK(start_);
    for (PostgresServer* server : {replica1_, replica2_}) {
      if (!server->running()) ASSERT_OK(server->Start());  // a failed test left it stopped
    }
    primary_db_ = Open(*primary_);
    replica1_db_ = Open(*replica1_);
    replica2_db_ = Open(*replica2_);
    ASSERT_TRUE(primary_db_ && replica1_db_ && replica2_db_);

    std::vector<std::unique_ptr<ConnectionPool>> replicas;
    replicas.push_back(Pool(*replica1_db_, "replica1", AccessMode::kReadOnly));
    replicas.push_back(Pool(*replica2_db_, "replica2", AccessMode::kReadOnly));
    ReplicaOptions options;
    options.max_lag = 300ms;
    options.check_interval = 100ms;
    options.failures_to_remove = 1;
    options.successes_to_restore = 2;
    auto router = DatabaseRouter::Create(Pool(*primary_db_, "primary", AccessMode::kReadOnly),
                                         Pool(*primary_db_, "writer", AccessMode::kReadWrite),
                                         std::move(replicas), options, &registry_);
    ASSERT_OK(router);
    router_ = std::move(*router);
    // Replicas start in rotation; wait for the first round of checks to have measured both.
    ASSERT_TRUE(WaitUntil([&] {
      return Status("replica1").lag_seconds >= 0 && Status("replica2").lag_seconds >= 0 &&
             Healthy("replica1") && Healthy("replica2");
    }));
  }

  static std::unique_ptr<PostgresDatabase> Open(const PostgresServer& server) {
    auto database = PostgresDatabase::Open({.dsn = server.dsn(), .connect_timeout = 2000ms});
    EXPECT_OK(database);
    return database ? std::move(*database) : nullptr;
  }

  std::unique_ptr<ConnectionPool> Pool(Database& database, const char* name, AccessMode mode) {
    PoolOptions options;
    options.name = name;
    options.mode = mode;
    options.min_size = 1;
    options.max_size = 4;
    options.acquire_timeout = 2000ms;
    auto pool = ConnectionPool::Create(database, options, &registry_);
    EXPECT_OK(pool);
    return std::move(*pool);
  }

  ReplicaStatus Status(std::string_view name) {
    for (ReplicaStatus& status : router_->replica_status()) {
      if (status.name == name) return status;
    }
    ADD_FAILURE() << "no replica " << name;
    return {};
  }
  bool Healthy(std::string_view name) { return Status(name).healthy; }

  uint64_t Routed(const char* route, const char* target) {
    return registry_
        .GetCounter("fastbreak_db_route_total", "", {{"route", route}, {"target", target}})
        .Value();
  }
  uint64_t Fallbacks() {
    return registry_.GetCounter("fastbreak_db_replica_fallbacks_total", "").Value();
  }

  static PostgresServer* primary_;
  static PostgresServer* replica1_;
  static PostgresServer* replica2_;
  static fastbreak::Status start_;
  telemetry::MetricsRegistry registry_;
  std::unique_ptr<PostgresDatabase> primary_db_, replica1_db_, replica2_db_;
  std::unique_ptr<DatabaseRouter> router_;
};

PostgresServer* RouterPgTest::primary_ = nullptr;
PostgresServer* RouterPgTest::replica1_ = nullptr;
PostgresServer* RouterPgTest::replica2_ = nullptr;
fastbreak::Status RouterPgTest::start_;

// A thread reading through the router until stopped, counting who served each read.
class ReadStream {
 public:
  explicit ReadStream(DatabaseRouter& router)
      : thread_([this, &router] {
          while (!stop_) {
            auto served = Read(router);
            std::lock_guard lock(mutex_);
            if (served) {
              ++served_[*served];
            } else {
              failures_.push_back(served.error().ToString());
            }
          }
        }) {}
  ~ReadStream() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Reads served by `pool` since the last Reset().
  int Served(const std::string& pool) {
    std::lock_guard lock(mutex_);
    return served_[pool];
  }
  void Reset() {
    std::lock_guard lock(mutex_);
    served_.clear();
  }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<std::string, int> served_;
  std::vector<std::string> failures_;
  std::thread thread_;  // last: starts once the rest is built
};

TEST_F(RouterPgTest, ReadsGoToReplicasAndWritesToThePrimary) {
  std::map<std::string, int> served;
  for (int i = 0; i < 40; ++i) {
    auto pool = Read(*router_);
    ASSERT_OK(pool);
    ++served[*pool];
  }
  EXPECT_GT(served["replica1"], 0);
  EXPECT_GT(served["replica2"], 0);
  EXPECT_EQ(served["replica1"] + served["replica2"], 40);
  EXPECT_EQ(Routed("read", "replica1") + Routed("read", "replica2"), 40u);
  EXPECT_EQ(Routed("read", "primary"), 0u);

  // -1 when the query fails.
  auto in_recovery = [&](Route route) -> int64_t {
    auto c = router_->Acquire(route, steady_clock::now() + 2s);
    if (!c) return -1;
    auto value = (*c)->QueryScalar("SELECT pg_is_in_recovery()::int");
    return value && std::holds_alternative<int64_t>(*value) ? std::get<int64_t>(*value) : -1;
  };
  EXPECT_EQ(in_recovery(Route::kRead), 1);
  EXPECT_EQ(in_recovery(Route::kReadYourWrites), 0);
  EXPECT_EQ(in_recovery(Route::kWrite), 0);
  {
    auto writer = router_->Acquire(Route::kWrite, steady_clock::now() + 2s);
    ASSERT_OK(writer);
    EXPECT_EQ(writer->pool(), &router_->write_pool());
    ASSERT_OK((*writer)->ExecuteScript("CREATE TABLE IF NOT EXISTS routed (id int)"));
  }
  EXPECT_EQ(Routed("write", "writer"), 2u);
  EXPECT_EQ(Routed("read_your_writes", "primary"), 1u);
  EXPECT_EQ(router_->pools().size(), 4u);
  EXPECT_EQ(Fallbacks(), 0u);
}

TEST_F(RouterPgTest, StoppedReplicasAreSkippedWithoutFailedReadsAndComeBack) {
  ReadStream stream(*router_);
  ASSERT_TRUE(
      WaitUntil([&] { return stream.Served("replica1") > 10 && stream.Served("replica2") > 10; }));

  // One replica stops: reads move to the other.
  ASSERT_OK(replica1_->Stop());
  ASSERT_TRUE(WaitUntil([&] { return !Healthy("replica1"); }));
  stream.Reset();
  ASSERT_TRUE(WaitUntil([&] { return stream.Served("replica2") > 20; }));
  EXPECT_EQ(stream.Served("replica1"), 0);
  EXPECT_FALSE(Status("replica1").reason.empty());

  // Both stop: reads fall back to the primary, and are counted as fallbacks.
  ASSERT_OK(replica2_->Stop());
  ASSERT_TRUE(WaitUntil([&] { return !Healthy("replica2"); }));
  const uint64_t fallbacks = Fallbacks();
  stream.Reset();
  ASSERT_TRUE(WaitUntil([&] { return stream.Served("primary") > 20; }));
  EXPECT_EQ(stream.Served("replica1") + stream.Served("replica2"), 0);
  EXPECT_GE(Fallbacks(), fallbacks + 20);

  // One comes back: in rotation again within a few checks.
  ASSERT_OK(replica1_->Start());
  const auto started = steady_clock::now();
  ASSERT_TRUE(WaitUntil([&] { return Healthy("replica1"); }));
  EXPECT_LT(steady_clock::now() - started, 2s);
  stream.Reset();
  ASSERT_TRUE(WaitUntil([&] { return stream.Served("replica1") > 20; }));
  ASSERT_OK(replica2_->Start());
  ASSERT_TRUE(WaitUntil([&] { return Healthy("replica2"); }));

  stream.Stop();
  EXPECT_TRUE(stream.failures().empty())
      << stream.failures().size() << " failed reads, first " << stream.failures().front();
}

TEST_F(RouterPgTest, LaggingReplicaIsTakenOutAndPutBack) {
  ASSERT_OK(primary_->Query("CREATE TABLE IF NOT EXISTS lag_probe (id serial, at timestamptz)"));
  ASSERT_OK(replica1_->Query("SELECT pg_wal_replay_pause()"));
  // Writes the paused replica cannot replay; the caught-up one keeps up.
  const auto start = steady_clock::now();
  const bool removed = WaitUntil(
      [&] {
        EXPECT_OK(primary_->Query("INSERT INTO lag_probe (at) VALUES (now())"));
        return !Healthy("replica1");
      },
      5000ms);
  const auto took = steady_clock::now() - start;
  const ReplicaStatus status = Status("replica1");
  ASSERT_OK(replica1_->Query("SELECT pg_wal_replay_resume()"));
  ASSERT_TRUE(removed) << "replica1 still in rotation, lag " << status.lag_seconds;
  EXPECT_NE(status.reason.find("replay lag"), std::string::npos) << status.reason;
  EXPECT_GT(status.lag_seconds, 0.3);
  EXPECT_LT(took, 300ms + 10 * 100ms) << "max_lag plus a few checks";
  EXPECT_TRUE(Healthy("replica2"));
  EXPECT_EQ(
      registry_.GetGauge("fastbreak_db_replica_healthy", "", {{"replica", "replica1"}}).Value(),
      0.0);

  // While it is out, reads go to the other replica.
  for (int i = 0; i < 10; ++i) {
    auto served = Read(*router_);
    ASSERT_OK(served);
    EXPECT_EQ(*served, "replica2");
  }

  ASSERT_TRUE(WaitUntil([&] { return Healthy("replica1"); }));
  EXPECT_GE(Status("replica1").lag_seconds, 0.0);
  EXPECT_LT(Status("replica1").lag_seconds, 0.3);
  EXPECT_TRUE(Status("replica1").reason.empty());
}

}  // namespace
}  // namespace fastbreak::db
