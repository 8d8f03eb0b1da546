// The service on real PostgreSQL servers (a primary and two streaming replicas): tool calls keep
// working, or fail with a connection-class error within their deadline, while servers restart,
// backends are terminated and replicas stop or fall behind.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "app/service.hpp"
#include "db/importers/copy_database.hpp"
#include "db/postgres/postgres_database.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "nba/catalog.hpp"
#include "nba/nba_test_util.hpp"
#include "nba/tool_cache.hpp"
#include "nba/tool_result.hpp"
#include "testing/postgres_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::app {
namespace {

using nba::Json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::PostgresServer;

constexpr milliseconds kCallTimeout{2000};

// The servers and the data, shared by every test (starting them takes seconds).
struct Cluster {
  PostgresServer primary;
  PostgresServer replica1;
  PostgresServer replica2;
};
Cluster* cluster = nullptr;

// How one tool call ended.
struct CallOutcome {
  bool ok = false;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  milliseconds elapsed{0};
};

// Calls `tool` through the service's executor, as MCP tools/call does (uncached).
CallOutcome CallTool(Service& service, const std::string& tool_name, const Json& arguments) {
  const nba::Catalog& catalog = nba::NbaCatalog();
  const nba::ToolSpec* tool = catalog.FindTool(tool_name);
  const size_t index = static_cast<size_t>(tool - catalog.tools.data());
  auto promise = std::make_shared<std::promise<CallOutcome>>();
  auto future = promise->get_future();
  const auto start = steady_clock::now();
  auto work = [promise, tool, index, arguments](db::Connection& connection,
                                                nba::CallHandle& handle) {
    nba::CallContext context{connection, nullptr, nullptr};
    context.reconnect = [&handle] { return handle.Reconnect(); };
    auto served = nba::ToolCache::Run(nullptr, index, *tool, std::nullopt, arguments, context,
                                      nullptr, nullptr);
    CallOutcome outcome;
    if (!served) {
      outcome.code = served.error().code;
      outcome.message = served.error().message;
    } else if (nba::StructuredPart(served->entry->value()).empty()) {
      const Error error = nba::ToolErrorOf(served->entry->value());
      outcome.code = error.code;
      outcome.message = error.message;
    } else {
      outcome.ok = true;
    }
    promise->set_value(std::move(outcome));
  };
  auto failed = [promise](const Error& error) {
    promise->set_value(CallOutcome{false, error.code, error.message, {}});
  };
  nba::SubmitOptions submit;
  submit.holder = "test " + tool_name;
  if (auto handle = service.executor->Submit(work, failed, std::move(submit)); !handle) {
    failed(handle.error());
  }
  // Far past the call's own deadline: a call that is still running then has hung.
  if (future.wait_for(kCallTimeout * 5) != std::future_status::ready) {
    ADD_FAILURE() << tool_name << " did not finish within " << (kCallTimeout * 5).count() << " ms";
    return CallOutcome{false, ErrorCode::kTimeout, "hung", kCallTimeout * 5};
  }
  CallOutcome outcome = future.get();
  outcome.elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  return outcome;
}

// A mix of tools over the generated league.
std::vector<std::pair<std::string, Json>> ToolMix() {
  return {
      {"standings", Json{{"season", 2024}}},
      {"league_leaders", Json{{"stat", "points"}, {"season", 2024}}},
      {"team_season_stats", Json{{"team", "BOS"}, {"season", 2024}}},
      {"schedule", Json{{"team", "LAL"}, {"season", 2024}, {"limit", 20}}},
      {"search_players", Json{{"query", "a"}}},
  };
}

class ServicePgTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!PostgresServer::Available()) return;
    cluster = new Cluster;
    ASSERT_OK(cluster->primary.StartPrimary());
    // The generated league, copied into the primary; the replicas are made after it so that
    // they start with the data.
    auto sqlite = db::SqliteDatabase::Open(
        {.path = nba::testing::GeneratedLeaguePath(), .create_if_missing = false});
    ASSERT_OK(sqlite);
    auto source = (*sqlite)->Connect(db::AccessMode::kReadOnly);
    ASSERT_OK(source);
    auto pg = db::PostgresDatabase::Open({.dsn = cluster->primary.dsn()});
    ASSERT_OK(pg);
    auto target = (*pg)->Connect(db::AccessMode::kReadWrite);
    ASSERT_OK(target);
    ASSERT_OK(db::CopyDatabase(**source, **target));
    ASSERT_OK(cluster->replica1.StartReplicaOf(cluster->primary));
    ASSERT_OK(cluster->replica2.StartReplicaOf(cluster->primary));
  }
  static void TearDownTestSuite() {
    delete cluster;
    cluster = nullptr;
  }
  void SetUp() override {
    if (cluster == nullptr) GTEST_SKIP() << PostgresServer::UnavailableMessage();
    for (PostgresServer* server : {&cluster->primary, &cluster->replica1, &cluster->replica2}) {
      if (!server->running()) ASSERT_OK(server->Start());
    }
    (void)cluster->replica1.Query("SELECT pg_wal_replay_resume()");
    (void)cluster->replica2.Query("SELECT pg_wal_replay_resume()");
  }

  static AppOptions Options(bool with_replicas) {
    AppOptions options;
    options.postgres.dsn = cluster->primary.dsn();
    if (with_replicas) {
      options.postgres.replicas = cluster->replica1.dsn() + ";" + cluster->replica2.dsn();
    }
    options.cache.enabled = false;
    options.mcp.workers = 4;
    options.mcp.call_timeout_ms = static_cast<int>(kCallTimeout.count());
    options.pool.min_size = 2;
    options.pool.validate_after_idle_ms = 100;
    options.pool.keepalive_interval_ms = 200;
    options.postgres.connect_timeout_ms = 1000;
    options.replica.check_interval_ms = 100;
    options.replica.max_lag_ms = 1000;
    return options;
  }

  // Runs the tool mix from `threads` threads until `stop`, collecting every outcome.
  struct Stream {
    std::mutex mutex;
    std::vector<std::pair<std::string, CallOutcome>> outcomes;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;

    void Start(Service& service, int count) {
      for (int t = 0; t < count; ++t) {
        threads.emplace_back([this, &service, t] {
          const auto mix = ToolMix();
          for (size_t i = static_cast<size_t>(t); !stop.load(); ++i) {
            const auto& [tool, arguments] = mix[i % mix.size()];
            CallOutcome outcome = CallTool(service, tool, arguments);
            std::lock_guard lock(mutex);
            outcomes.emplace_back(tool, std::move(outcome));
          }
        });
      }
    }
    void Stop() {
      stop = true;
      for (auto& thread : threads) thread.join();
    }
  };

  // The sum of the series of metric `name` whose labels include every one of `labels`
  // (`route="read"`, ...).
  static double MetricSum(Service& service, const std::string& name,
                          const std::vector<std::string>& labels) {
    const std::string text = service.registry.PrometheusText();
    double total = 0;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
      bool match = true;
      for (const auto& label : labels) match = match && line.find(label) != std::string::npos;
      if (match) total += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return total;
  }
};

TEST_F(ServicePgTest, ToolCallsWorkOnPostgres) {
  auto service = StartService(Options(false));
  ASSERT_OK(service);
  for (const auto& [tool, arguments] : ToolMix()) {
    CallOutcome outcome = CallTool(**service, tool, arguments);
    EXPECT_TRUE(outcome.ok) << tool << ": " << outcome.message;
  }
  // The PostgreSQL backend reported every statement to the query statistics, with its tool.
  ASSERT_NE((*service)->query_stats, nullptr);
  std::set<std::string> tools;
  for (const auto& row : (*service)->query_stats->Top(1000)) {
    EXPECT_EQ(row.dialect, db::Dialect::kPostgres) << row.normalized;
    EXPECT_EQ(row.kind, query::NormalizerKind::kPgQuery) << row.normalized;
    tools.insert(row.tools.begin(), row.tools.end());
  }
  for (const auto& [tool, arguments] : ToolMix()) EXPECT_TRUE(tools.count(tool)) << tool;
}

// pg_ctl restart during a stream of tool calls: every call succeeds or fails with a
// connection-class error, none runs past its deadline, and the service recovers within seconds.
TEST_F(ServicePgTest, PrimaryRestartDuringStreamOfCalls) {
  auto started = StartService(Options(false));
  ASSERT_OK(started);
  Service& service = **started;
  Stream stream;
  stream.Start(service, 3);
  std::this_thread::sleep_for(milliseconds(700));
  ASSERT_OK(cluster->primary.Restart());
  const auto restarted = steady_clock::now();
  // Recovery: within 5 s of the restart a call succeeds again.
  bool recovered = false;
  while (steady_clock::now() - restarted < std::chrono::seconds(5)) {
    if (CallTool(service, "standings", Json{{"season", 2024}}).ok) {
      recovered = true;
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  const auto recovery = steady_clock::now() - restarted;
  std::this_thread::sleep_for(milliseconds(500));
  stream.Stop();
  EXPECT_TRUE(recovered) << "no call succeeded within 5 s of the restart";
  int ok = 0;
  int connection_errors = 0;
  for (const auto& [tool, outcome] : stream.outcomes) {
    if (outcome.ok) {
      ++ok;
    } else {
      EXPECT_EQ(outcome.code, ErrorCode::kConnection)
          << tool << " failed with " << ErrorCodeName(outcome.code) << ": " << outcome.message;
      ++connection_errors;
    }
    EXPECT_LE(outcome.elapsed, kCallTimeout + milliseconds(1000)) << tool << " ran too long";
  }
  EXPECT_GT(ok, 0);
  std::printf("restart: %d calls ok, %d connection errors, recovered in %lld ms\n", ok,
              connection_errors,
              static_cast<long long>(std::chrono::duration_cast<milliseconds>(recovery).count()));
  // Healthy again: every pooled connection works.
  EXPECT_EQ(service.router->read_pool().ValidateIdle(), 0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(CallTool(service, "standings", Json{{"season", 2024}}).ok);
  }
}

// pg_terminate_backend on every pooled session: the next calls still succeed (validation or a
// retry on a new connection) and the dead connections are counted as broken.
TEST_F(ServicePgTest, TerminatedBackendsAreReplaced) {
  auto started = StartService(Options(false));
  ASSERT_OK(started);
  Service& service = **started;
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(CallTool(service, "standings", Json{{"season", 2024}}).ok);
  auto killed = cluster->primary.Query(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE application_name = 'fastbreak' AND pid <> pg_backend_pid()");
  ASSERT_OK(killed);
  ASSERT_GT(std::stoi(killed->back()), 0);
  for (int i = 0; i < 8; ++i) {
    CallOutcome outcome = CallTool(service, "standings", Json{{"season", 2024}});
    EXPECT_TRUE(outcome.ok) << outcome.message;
  }
  EXPECT_GT(service.router->read_pool().stats().broken, 0);
}

// A replica stopped in the middle of a stream of reads: no call fails; reads move to the other
// replica or the primary.
TEST_F(ServicePgTest, ReplicaStoppedMidRunFailsNoCall) {
  auto started = StartService(Options(true));
  ASSERT_OK(started);
  Service& service = **started;
  Stream stream;
  stream.Start(service, 3);
  std::this_thread::sleep_for(milliseconds(600));
  ASSERT_OK(cluster->replica1.Stop());
  std::this_thread::sleep_for(milliseconds(1500));
  const double replica2_before =
      MetricSum(service, "fastbreak_db_route_total", {"route=\"read\"", "target=\"replica2\""});
  std::this_thread::sleep_for(milliseconds(800));
  stream.Stop();
  int ok = 0;
  for (const auto& [tool, outcome] : stream.outcomes) {
    EXPECT_TRUE(outcome.ok) << tool << " failed with " << ErrorCodeName(outcome.code) << ": "
                            << outcome.message;
    ok += outcome.ok ? 1 : 0;
  }
  EXPECT_GT(ok, 10);
  const auto status = service.router->replica_status();
  ASSERT_EQ(status.size(), 2U);
  EXPECT_FALSE(status[0].healthy) << status[0].reason;
  EXPECT_TRUE(status[1].healthy) << status[1].reason;
  EXPECT_GT(
      MetricSum(service, "fastbreak_db_route_total", {"route=\"read\"", "target=\"replica2\""}),
      replica2_before);
  EXPECT_EQ(service.executor->options().workers, 4);
}

// Replay paused on a replica while the primary writes: the replica is taken out for lag, and
// calls go on.
TEST_F(ServicePgTest, LaggingReplicaIsTakenOut) {
  auto started = StartService(Options(true));
  ASSERT_OK(started);
  Service& service = **started;
  ASSERT_OK(cluster->replica2.Query("SELECT pg_wal_replay_pause()"));
  bool out = false;
  const auto start = steady_clock::now();
  while (!out && steady_clock::now() - start < std::chrono::seconds(10)) {
    ASSERT_OK(cluster->primary.Query(
        "CREATE TABLE IF NOT EXISTS lag_probe(x int); INSERT INTO lag_probe VALUES (1)"));
    std::this_thread::sleep_for(milliseconds(100));
    const auto status = service.router->replica_status();
    out = !status[1].healthy;
    if (out) {
      EXPECT_NE(status[1].reason.find("lag"), std::string::npos) << status[1].reason;
    }
  }
  EXPECT_TRUE(out) << "the paused replica stayed in rotation";
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(CallTool(service, "standings", Json{{"season", 2024}}).ok);
  ASSERT_OK(cluster->replica2.Query("SELECT pg_wal_replay_resume()"));
  bool back = false;
  while (!back && steady_clock::now() - start < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(milliseconds(100));
    back = service.router->replica_status()[1].healthy;
  }
  EXPECT_TRUE(back) << "the replica did not come back after replay resumed";
}

}  // namespace
}  // namespace fastbreak::app
