// Untrusted SQL (an agent's run_sql) on PostgreSQL: what runs, what is refused, and the
// limits; the SQLite driver's tests of the same contract are the model.
#include <atomic>
#include <thread>

#include "db/postgres/postgres_test_util.hpp"

namespace fastbreak::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr const char* kRunaway =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

// Untrusted SQL runs on the read-write connection on purpose: the checks and the read-only
// transaction must refuse writes by themselves.
class PostgresUntrustedTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(rw_->ExecuteScript(
        "DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS u; DROP SEQUENCE IF EXISTS s;"
        "CREATE TABLE t (id bigint PRIMARY KEY, name text, score double precision);"
        "CREATE SEQUENCE s;"
        "INSERT INTO t VALUES (1, 'Jokic', 29.6), (2, 'Doncic', 33.9), (3, 'Tatum', 26.9)"));
  }

  Result<QueryResult> RunUntrusted(Connection& c, std::string_view sql,
                                   UntrustedLimits limits = {}) {
    FB_ASSIGN_OR_RETURN(StatementPtr statement, c.PrepareUntrusted(sql, limits));
    QueryResult result;
    for (int i = 0; i < statement->ColumnCount(); ++i) {
      result.columns.emplace_back(statement->ColumnName(i));
    }
    while (true) {
      FB_ASSIGN_OR_RETURN(bool has_row, statement->Step());
      if (!has_row) break;
      auto& row = result.rows.emplace_back();
      for (int i = 0; i < statement->ColumnCount(); ++i) row.push_back(statement->GetValue(i));
    }
    return result;
  }

  std::string RowCount() { return Scalar(*rw_, "SELECT count(*) FROM t"); }
};

TEST_F(PostgresUntrustedTest, QueriesRunAndMayEndWithCommentsAndSemicolons) {
  auto result = RunUntrusted(*rw_,
                             "  -- leading comment\n SELECT name FROM t WHERE score > 27 ORDER BY "
                             "id; /* trailing */ ;  -- done");
  ASSERT_OK(result);
  ASSERT_EQ(result->columns, std::vector<std::string>{"name"});
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(result->rows[1][0]), "Doncic");
  auto cte = RunUntrusted(*rw_,
                          "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE "
                          "x < 5) SELECT sum(x), round(avg(x), 1), upper('a') FROM c");
  ASSERT_OK(cte);
  EXPECT_EQ(std::get<int64_t>(cte->rows[0][0]), 15);
  EXPECT_EQ(std::get<double>(cte->rows[0][1]), 3.0);
  ASSERT_OK(RunUntrusted(*rw_, "VALUES (1, 2)"));
  ASSERT_OK(RunUntrusted(*rw_, "TABLE t"));
  auto plan = RunUntrusted(*rw_, "EXPLAIN SELECT * FROM t WHERE id = 1");
  ASSERT_OK(plan);
  EXPECT_FALSE(plan->rows.empty());
  // The session is as it was: no transaction left open, its own timeout back.
  EXPECT_EQ(Scalar(*rw_, "SHOW statement_timeout"), "30s");
  EXPECT_EQ(Scalar(*rw_, "SHOW transaction_read_only"), "off");
}

TEST_F(PostgresUntrustedTest, WritesAndDangerousCallsAreRefusedByName) {
  const struct {
    const char* sql;
    const char* named;
  } cases[] = {
      {"INSERT INTO t(id, name) VALUES (9, 'x')", "INSERT"},
      {"UPDATE t SET score = 0", "UPDATE"},
      {"DELETE FROM t", "DELETE"},
      {"DROP TABLE t", "DROP"},
      {"CREATE TABLE u(x int)", "CREATE"},
      {"ALTER TABLE t ADD COLUMN y int", "ALTER"},
      {"TRUNCATE t", "TRUNCATE"},
      {"SET statement_timeout = 0", "SET"},
      {"BEGIN", "BEGIN"},
      {"VACUUM", "VACUUM"},
      {"COPY t TO STDOUT", "COPY"},
      {"EXPLAIN DELETE FROM t", "EXPLAIN DELETE"},
      {"EXPLAIN ANALYZE DELETE FROM t", "EXPLAIN DELETE"},
      {"SELECT pg_read_file('/etc/passwd')", "function pg_read_file()"},
      {"SELECT pg_sleep(1)", "function pg_sleep()"},
      {"SELECT set_config('statement_timeout', '0', false)", "function set_config()"},
      {"SELECT nextval('s')", "function nextval()"},
      {"SELECT pg_terminate_backend(pg_backend_pid())", "pg_terminate_backend"},
      {"SELECT query_to_xml('DELETE FROM t', true, true, '')", "query_to_xml"},
      // Found by the READ ONLY transaction rather than by name:
      {"WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d", "DELETE"},
      {"SELECT * FROM t FOR UPDATE", "FOR UPDATE"},
      {"SELECT * INTO u FROM t", "SELECT INTO"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.sql);
    auto result = RunUntrusted(*rw_, c.sql);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied) << result.error().ToString();
    EXPECT_NE(result.error().message.find(c.named), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find("read-only"), std::string::npos)
        << result.error().message;
  }
  EXPECT_EQ(RowCount(), "3");
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM pg_class WHERE relname = 'u'"), "0");
  EXPECT_EQ(Scalar(*rw_, "SELECT last_value FROM s"), "1");
  EXPECT_EQ(Scalar(*rw_, "SELECT is_called FROM s"), "f");
  EXPECT_EQ(Scalar(*rw_, "SHOW statement_timeout"), "30s");
}

TEST_F(PostgresUntrustedTest, OnlyOneStatementIsTaken) {
  auto result = RunUntrusted(*rw_, "SELECT 1; DELETE FROM t");
  EXPECT_ERROR(result, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("one statement"), std::string::npos);
  EXPECT_ERROR(RunUntrusted(*rw_, "SELECT 1; -- fine\n SELECT 2"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(RunUntrusted(*rw_, "  ; -- nothing\n"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(RunUntrusted(*rw_, ""), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RowCount(), "3");
}

TEST_F(PostgresUntrustedTest, CompileErrorsKeepTheServersMessage) {
  auto syntax = RunUntrusted(*rw_, "SELECT name FROM t WHERE");
  EXPECT_ERROR(syntax, ErrorCode::kSyntax);
  EXPECT_NE(syntax.error().message.find("syntax error"), std::string::npos);
  auto missing = RunUntrusted(*rw_, "SELECT nme FROM t");
  EXPECT_ERROR(missing, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("column \"nme\" does not exist"), std::string::npos);
}

TEST_F(PostgresUntrustedTest, ARunawayQueryHitsTheDeadline) {
  UntrustedLimits limits;
  limits.timeout = milliseconds(100);
  const auto started = steady_clock::now();
  auto result = RunUntrusted(*rw_, kRunaway, limits);
  EXPECT_ERROR(result, ErrorCode::kTimeout);
  EXPECT_NE(result.error().message.find("exceeded 100 ms"), std::string::npos);
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(2));
  // The deadline belonged to that statement: the session's timeout is back.
  EXPECT_FALSE(rw_->broken());
  EXPECT_EQ(Scalar(*rw_, "SHOW statement_timeout"), "30s");
  EXPECT_EQ(RowCount(), "3");
}

TEST_F(PostgresUntrustedTest, InterruptCancelsAnUntrustedQuery) {
  UntrustedLimits limits;
  limits.timeout = std::chrono::minutes(1);
  auto statement = rw_->PrepareUntrusted(kRunaway, limits);
  ASSERT_OK(statement);
  Connection* connection = rw_.get();
  std::atomic<bool> done = false;
  std::thread canceller([&] {
    while (!done) {
      connection->Interrupt();
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  const auto started = steady_clock::now();
  auto step = (*statement)->Step();
  done = true;
  canceller.join();
  EXPECT_ERROR(step, ErrorCode::kCancelled);
  EXPECT_LT(steady_clock::now() - started, milliseconds(1500));
  statement->reset();
  EXPECT_EQ(RowCount(), "3");
}

TEST_F(PostgresUntrustedTest, LimitsBoundTextAndValues) {
  UntrustedLimits limits;
  limits.max_sql_bytes = 20;
  EXPECT_ERROR(RunUntrusted(*rw_, "SELECT 1 + 1 + 1 + 1 + 1", limits), ErrorCode::kPayloadTooLarge);
  limits = {};
  limits.max_value_bytes = 1000;
  auto big = RunUntrusted(*rw_, "SELECT 'short', repeat('x', 5000)", limits);
  EXPECT_ERROR(big, ErrorCode::kPayloadTooLarge);
  EXPECT_NE(big.error().message.find("5000 bytes"), std::string::npos);
  ASSERT_OK(RunUntrusted(*rw_, "SELECT length(repeat('x', 5000))", limits));  // small result
  EXPECT_EQ(Scalar(*rw_, "SELECT length(repeat('x', 5000))"), "5000");
}

TEST_F(PostgresUntrustedTest, ByteaReadsAsItsSize) {
  auto result = RunUntrusted(*rw_, "SELECT '\\x00ff10'::bytea, ''::bytea");
  ASSERT_OK(result);
  EXPECT_EQ(std::get<std::string>(result->rows[0][0]), "<blob 3 bytes>");
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "<blob 0 bytes>");
}

TEST_F(PostgresUntrustedTest, AHugeResultStreamsAndStopsWhenTheCallerStops) {
  UntrustedLimits limits;
  limits.timeout = std::chrono::seconds(20);
  const auto started = steady_clock::now();
  {
    // Endless, and sent by the server row by row (a set-returning function in FROM would be
    // materialized first).
    auto statement = rw_->PrepareUntrusted(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT x, repeat('x', 100) FROM c",
        limits);
    ASSERT_OK(statement);
    for (int i = 1; i <= 5; ++i) {
      auto row = (*statement)->Step();
      ASSERT_OK(row);
      ASSERT_TRUE(*row);
      EXPECT_EQ((*statement)->GetInt(0), i);
    }
  }  // abandoned after five rows: cancelled, not read to the end
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(RowCount(), "3");
  EXPECT_EQ(Scalar(*rw_, "SHOW statement_timeout"), "30s");
  // Another statement on the connection while one streams finishes the stream first.
  auto streaming = rw_->PrepareUntrusted("SELECT generate_series(1, 100000000)", limits);
  ASSERT_OK(streaming);
  ASSERT_TRUE(*(*streaming)->Step());
  EXPECT_EQ(Scalar(*rw_, "SELECT 7"), "7");
  EXPECT_ERROR((*streaming)->Step(), ErrorCode::kInvalidArgument);
}

TEST_F(PostgresUntrustedTest, InsideAUnitOfWorkTheOuterTransactionIsUntouched) {
  ASSERT_OK(rw_->BeginWork({.read_only = false}));
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (4, 'Curry')"));
  auto counted = RunUntrusted(*rw_, "SELECT count(*) FROM t");
  ASSERT_OK(counted);
  EXPECT_EQ(std::get<int64_t>(counted->rows[0][0]), 4);  // sees the unit's own write
  EXPECT_ERROR(RunUntrusted(*rw_, "WITH d AS (DELETE FROM t RETURNING 1) SELECT 1"),
               ErrorCode::kPermissionDenied);
  EXPECT_ERROR(RunUntrusted(*rw_, kRunaway, {.timeout = milliseconds(50)}), ErrorCode::kTimeout);
  // The outer transaction is still read-write, alive, with its own timeout.
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (5, 'Brown')"));
  EXPECT_EQ(Scalar(*rw_, "SHOW statement_timeout"), "30s");
  ASSERT_OK(rw_->EndWork(true));
  EXPECT_EQ(RowCount(), "5");
}

TEST_F(PostgresUntrustedTest, UntrustedStatementsStayOutOfTheCacheAndLeaveOthersWorking) {
  auto held = rw_->Prepare("SELECT name FROM t ORDER BY id");
  ASSERT_OK(held);
  ASSERT_TRUE(*(*held)->Step());
  const uint64_t hits_before = metrics_.statement_cache_hits.Value();
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(RunUntrusted(*rw_, "SELECT count(*) FROM t"));
    EXPECT_ERROR(RunUntrusted(*rw_, "DELETE FROM t"), ErrorCode::kPermissionDenied);
  }
  EXPECT_EQ(metrics_.statement_cache_hits.Value(), hits_before);
  ASSERT_TRUE(*(*held)->Step());
  EXPECT_EQ((*held)->GetText(0), "Doncic");
  held->reset();
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (4, 'Curry')"));
  ASSERT_OK(rw_->ExecuteScript("CREATE TABLE u(x int); DROP TABLE u"));
  EXPECT_EQ(RowCount(), "4");
  // Their server-side statements were deallocated (at the next prepare).
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'u%'"), "0");
}

}  // namespace
}  // namespace fastbreak::db
