// The router over real SQLite files: routes and their metrics, the least-busy choice, replicas
// that cannot serve skipped within the deadline, health checks taking a replica out and putting
// it back, fallback to the primary. The "replicas" are pools on FaultyDatabase wrappers of the
// same file, so a test can take one down; the checks are driven with CheckReplicas().
#include "db/pool/router.hpp"

#include <gtest/gtest.h>

#include <map>

#include "db/pool/pool_test_util.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

using namespace std::chrono_literals;
using namespace testing_util;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sqlite = SqliteDatabase::Open({.path = dir_.File("router.db")});
    ASSERT_OK(sqlite);
    sqlite_ = std::move(*sqlite);
    auto rw = sqlite_->Connect(AccessMode::kReadWrite);
    ASSERT_OK(rw);
    ASSERT_OK((*rw)->ExecuteScript("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
    replica1_ = std::make_unique<FaultyDatabase>(*sqlite_);
    replica2_ = std::make_unique<FaultyDatabase>(*sqlite_);
  }

  std::unique_ptr<ConnectionPool> Pool(Database& database, const char* name,
                                       AccessMode mode = AccessMode::kReadOnly) {
    PoolOptions options;
    options.name = name;
    options.mode = mode;
    options.min_size = 0;
    options.max_size = 4;
    options.maintenance_interval = 3600s;
    options.validate_after_idle = 0ms;  // always ping: a replica that went down is seen at once
    auto pool = ConnectionPool::Create(database, options, &registry_);
    EXPECT_OK(pool);
    return std::move(*pool);
  }

  // Primary pools on the file itself, replicas on the two faulty wrappers. Health checks run
  // when the test says (the thread's first check is waited for).
  void MakeRouter() {
    std::vector<std::unique_ptr<ConnectionPool>> replicas;
    replicas.push_back(Pool(*replica1_, "replica1"));
    replicas.push_back(Pool(*replica2_, "replica2"));
    ReplicaOptions options;
    options.check_interval = 3600s;
    options.successes_to_restore = 2;
    auto router = DatabaseRouter::Create(Pool(*sqlite_, "primary"),
                                         Pool(*sqlite_, "writer", AccessMode::kReadWrite),
                                         std::move(replicas), options, &registry_);
    ASSERT_OK(router);
    router_ = std::move(*router);
    ASSERT_TRUE(WaitUntil([&] {
      auto status = router_->replica_status();
      return status[0].lag_seconds == 0 && status[1].lag_seconds == 0;
    }));
  }

  // The pool that served a read, or the error.
  std::string Read() {
    auto c = router_->Acquire(Route::kRead, steady_clock::now() + 1s, "test read");
    if (!c) return c.error().ToString();
    if (auto v = (*c)->QueryScalar("SELECT count(*) FROM t"); !v) return v.error().ToString();
    return c->pool()->name();
  }
  std::map<std::string, int> Reads(int n) {
    std::map<std::string, int> served;
    for (int i = 0; i < n; ++i) ++served[Read()];
    return served;
  }

  uint64_t Routed(const char* route, const char* target) {
    return registry_
        .GetCounter("fastbreak_db_route_total", "", {{"route", route}, {"target", target}})
        .Value();
  }
  uint64_t Fallbacks() {
    return registry_.GetCounter("fastbreak_db_replica_fallbacks_total", "").Value();
  }
  double Healthy(const char* replica) {
    return registry_.GetGauge("fastbreak_db_replica_healthy", "", {{"replica", replica}}).Value();
  }

  testing::TempDir dir_;
  telemetry::MetricsRegistry registry_;
  std::unique_ptr<SqliteDatabase> sqlite_;
  std::unique_ptr<FaultyDatabase> replica1_, replica2_;
  std::unique_ptr<DatabaseRouter> router_;
};

TEST_F(RouterTest, CreateRejectsMissingPoolsAndBadOptions) {
  EXPECT_ERROR(DatabaseRouter::Create(nullptr, nullptr, {}, {}, nullptr),
               ErrorCode::kInvalidArgument);
  ReplicaOptions options;
  options.successes_to_restore = 0;
  EXPECT_ERROR(DatabaseRouter::Create(Pool(*sqlite_, "primary"), nullptr, {}, options, nullptr),
               ErrorCode::kInvalidArgument);
}

TEST_F(RouterTest, WithoutReplicasReadsUseTheReadPoolAndWritesTheWritePool) {
  auto router =
      DatabaseRouter::Create(Pool(*sqlite_, "primary"),
                             Pool(*sqlite_, "writer", AccessMode::kReadWrite), {}, {}, &registry_);
  ASSERT_OK(router);
  {
    auto writer = (*router)->Acquire(Route::kWrite, steady_clock::now() + 1s);
    ASSERT_OK(writer);
    EXPECT_EQ(writer->pool()->name(), "writer");
    ASSERT_OK((*writer)->Execute("INSERT INTO t (id) VALUES (1)"));
  }
  auto reader = (*router)->Acquire(Route::kRead, steady_clock::now() + 1s);
  ASSERT_OK(reader);
  EXPECT_EQ(reader->pool()->name(), "primary");
  EXPECT_FALSE((*reader)->Execute("INSERT INTO t (id) VALUES (2)").has_value());  // read-only
  reader->Release();
  ASSERT_OK((*router)->Acquire(Route::kReadYourWrites, steady_clock::now() + 1s));
  EXPECT_EQ(Routed("write", "writer"), 1u);
  EXPECT_EQ(Routed("read", "primary"), 1u);
  EXPECT_EQ(Routed("read_your_writes", "primary"), 1u);
  EXPECT_EQ(Fallbacks(), 0u);  // no replicas: reading the primary is no fallback
  EXPECT_EQ((*router)->pools().size(), 2u);
  EXPECT_TRUE((*router)->replica_status().empty());

  // No write pool: writes share the read pool.
  auto shared = DatabaseRouter::Create(Pool(*sqlite_, "only"), nullptr, {}, {}, &registry_);
  ASSERT_OK(shared);
  EXPECT_EQ(&(*shared)->write_pool(), &(*shared)->read_pool());
  EXPECT_EQ((*shared)->pools().size(), 1u);
}

TEST_F(RouterTest, ReadsSpreadOverReplicasLeastBusyFirst) {
  MakeRouter();
  auto served = Reads(20);
  EXPECT_EQ(served["replica1"], 10);  // equal loads: round robin
  EXPECT_EQ(served["replica2"], 10);
  EXPECT_EQ(Routed("read", "replica1"), 10u);

  // Two of replica1's four connections busy: reads go to replica2.
  ConnectionPool& replica1 = *router_->pools()[2];
  ASSERT_EQ(replica1.name(), "replica1");
  auto a = replica1.Acquire();
  auto b = replica1.Acquire();
  ASSERT_OK(a);
  ASSERT_OK(b);
  served = Reads(10);
  EXPECT_EQ(served["replica2"], 10);
}

TEST_F(RouterTest, ReplicaThatCannotServeIsSkippedWithinTheDeadline) {
  MakeRouter();
  replica1_->down = true;  // still in rotation: no check has run since
  auto served = Reads(10);
  EXPECT_EQ(served["replica2"], 10);
  EXPECT_TRUE(router_->replica_status()[0].healthy);

  // Both down: the primary answers, each read counted as a fallback.
  replica2_->down = true;
  served = Reads(5);
  EXPECT_EQ(served["primary"], 5);
  EXPECT_EQ(Fallbacks(), 5u);
}

TEST_F(RouterTest, HealthChecksTakeReplicasOutAndPutThemBack) {
  MakeRouter();
  EXPECT_EQ(Healthy("replica1"), 1.0);
  replica1_->down = true;
  router_->CheckReplicas();
  auto status = router_->replica_status();
  EXPECT_FALSE(status[0].healthy);
  EXPECT_NE(status[0].reason.find("injected"), std::string::npos) << status[0].reason;
  EXPECT_TRUE(status[1].healthy);
  EXPECT_EQ(Healthy("replica1"), 0.0);
  const int connects = replica1_->connects.load();
  EXPECT_EQ(Reads(6)["replica2"], 6);
  EXPECT_EQ(replica1_->connects.load(), connects);  // out of rotation: not even tried

  replica2_->down = true;
  router_->CheckReplicas();
  EXPECT_EQ(Reads(4)["primary"], 4);
  EXPECT_EQ(Fallbacks(), 4u);

  // Up again: back after successes_to_restore (2) good checks.
  replica1_->down = false;
  router_->CheckReplicas();
  EXPECT_FALSE(router_->replica_status()[0].healthy);
  router_->CheckReplicas();
  status = router_->replica_status();
  EXPECT_TRUE(status[0].healthy);
  EXPECT_TRUE(status[0].reason.empty());
  EXPECT_EQ(status[0].lag_seconds, 0.0);
  EXPECT_EQ(Reads(4)["replica1"], 4);
}

}  // namespace
}  // namespace fastbreak::db
