// testing::PostgresServer: a primary starts, answers, restarts on the same port and data,
// survives a crash, and feeds a streaming replica.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "testing/postgres_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::testing {
namespace {

using std::chrono::steady_clock;

// Polls `sql` on `server` until it returns `expected` as its only row, for at most `limit`.
bool Eventually(const PostgresServer& server, const std::string& sql, const std::string& expected,
                std::chrono::milliseconds limit) {
  const auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    auto rows = server.Query(sql);
    if (rows && rows->size() == 1 && (*rows)[0] == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(PostgresServerTest, PrimaryAnswersRestartsAndFeedsAReplica) {
  if (!PostgresServer::Available()) GTEST_SKIP() << PostgresServer::UnavailableMessage();
  PostgresServer primary;
  ASSERT_OK(primary.StartPrimary({"application_name = 'harness'"}));
  EXPECT_TRUE(primary.running());
  EXPECT_GT(primary.port(), 0);
  EXPECT_GT(primary.pid(), 0);

  // The database exists, the configuration took effect, and the caller's setting too.
  auto info = primary.Query(
      "SELECT current_database() || ',' || current_setting('fsync') || ',' || "
      "current_setting('wal_level') || ',' || current_setting('lc_collate') || ',' || "
      "current_setting('server_encoding') || ',' || current_setting('application_name')");
  ASSERT_OK(info);
  ASSERT_EQ(info->size(), 1u);
  EXPECT_EQ((*info)[0], "fastbreak,off,replica,C,UTF8,harness");

  // Several statements: the last one's rows; NULL reads as "".
  auto rows = primary.Query(
      "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, NULL);"
      "SELECT v FROM t ORDER BY id");
  ASSERT_OK(rows);
  EXPECT_EQ(*rows, (std::vector<std::string>{"a", ""}));
  EXPECT_ERROR(primary.Query("SELECT * FROM missing"), ErrorCode::kInternal);

  // Restart: same port, same data.
  const int port = primary.port();
  ASSERT_OK(primary.Restart());
  EXPECT_EQ(primary.port(), port);
  EXPECT_TRUE(Eventually(primary, "SELECT count(*) FROM t", "2", std::chrono::seconds(1)));

  // Stopped: queries fail with kConnection; started again they work.
  ASSERT_OK(primary.Stop());
  EXPECT_FALSE(primary.running());
  EXPECT_ERROR(primary.Query("SELECT 1"), ErrorCode::kConnection);
  ASSERT_OK(primary.Start());
  EXPECT_TRUE(Eventually(primary, "SELECT 1", "1", std::chrono::seconds(1)));

  // A crash: Start() runs crash recovery; committed rows survive.
  primary.Kill();
  EXPECT_FALSE(primary.running());
  ASSERT_OK(primary.Start());
  EXPECT_TRUE(Eventually(primary, "SELECT count(*) FROM t", "2", std::chrono::seconds(1)));

  // A streaming replica: read-only, in recovery, and sees new rows within a few seconds.
  PostgresServer replica;
  ASSERT_OK(replica.StartReplicaOf(primary));
  EXPECT_NE(replica.port(), primary.port());
  EXPECT_TRUE(Eventually(replica, "SELECT pg_is_in_recovery()", "t", std::chrono::seconds(1)));
  EXPECT_TRUE(Eventually(replica, "SELECT count(*) FROM t", "2", std::chrono::seconds(5)));
  ASSERT_OK(primary.Query("INSERT INTO t VALUES (3, 'written on the primary')"));
  EXPECT_TRUE(Eventually(replica, "SELECT v FROM t WHERE id = 3", "written on the primary",
                         std::chrono::seconds(5)));
  EXPECT_ERROR(replica.Query("INSERT INTO t VALUES (4, 'x')"), ErrorCode::kInternal);
  EXPECT_TRUE(Eventually(primary, "SELECT count(*) FROM pg_stat_replication", "1",
                         std::chrono::seconds(5)));
}

TEST(PostgresServerTest, DestructorStopsTheServerAndRemovesItsDirectory) {
  if (!PostgresServer::Available()) GTEST_SKIP() << PostgresServer::UnavailableMessage();
  std::string data_dir;
  pid_t pid = -1;
  {
    PostgresServer server;
    ASSERT_OK(server.StartPrimary());
    data_dir = server.data_dir();
    pid = server.pid();
    EXPECT_TRUE(std::filesystem::exists(data_dir + "/PG_VERSION"));
  }
  EXPECT_FALSE(std::filesystem::exists(data_dir));
  EXPECT_NE(kill(pid, 0), 0);  // reaped: no such process
}

TEST(PostgresServerTest, StartWithoutInitIsAnErrorNotAHang) {
  PostgresServer server;
  EXPECT_ERROR(server.Start(), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(server.Query("SELECT 1"), ErrorCode::kConnection);
  EXPECT_FALSE(server.running());
}

}  // namespace
}  // namespace fastbreak::testing
