#include "db/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = SqliteDatabase::Open({.path = dir_.File("t.db")}, &metrics_);
    ASSERT_OK(database);
    database_ = std::move(*database);
    auto connection = database_->Connect(AccessMode::kReadWrite);
    ASSERT_OK(connection);
    rw_ = std::move(*connection);
    ASSERT_OK(
        rw_->ExecuteScript("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL,"
                           " CHECK (score >= 0))"));
  }

  std::string PragmaText(Connection& c, std::string_view pragma) {
    auto value = c.QueryScalar(fmt::format("PRAGMA {}", pragma));
    EXPECT_TRUE(value.has_value());
    return std::visit(
        [](const auto& v) -> std::string {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return "NULL";
          } else if constexpr (std::is_same_v<T, std::string>) {
            return v;
          } else {
            return std::to_string(v);
          }
        },
        *value);
  }

  testing::TempDir dir_;
  telemetry::MetricsRegistry registry_;
  DbMetrics metrics_{registry_};
  std::unique_ptr<SqliteDatabase> database_;
  std::unique_ptr<Connection> rw_;
};

TEST_F(SqliteTest, ReadWriteConnectionsUseWalAndTunedPragmas) {
  EXPECT_EQ(PragmaText(*rw_, "journal_mode"), "wal");
  EXPECT_EQ(PragmaText(*rw_, "synchronous"), "1");  // NORMAL
  EXPECT_EQ(PragmaText(*rw_, "temp_store"), "2");   // MEMORY
  EXPECT_EQ(PragmaText(*rw_, "cache_size"), "-65536");
  EXPECT_EQ(PragmaText(*rw_, "busy_timeout"), "5000");
  EXPECT_EQ(PragmaText(*rw_, "foreign_keys"), "1");
  EXPECT_NE(PragmaText(*rw_, "mmap_size"), "0");
}

TEST_F(SqliteTest, BindStepAndReadTypedColumns) {
  auto insert = rw_->Prepare("INSERT INTO t(id, name, score) VALUES (?, ?, ?)");
  ASSERT_OK(insert);
  (*insert)->BindAll(int64_t{1}, "Jokic", 29.6);
  ASSERT_OK((*insert)->Run());
  (*insert)->Bind(1, 2);
  (*insert)->Bind(2, std::string("Doncic"));
  (*insert)->BindNull(3);
  ASSERT_OK((*insert)->Run());

  auto result = rw_->Query("SELECT id, name, score FROM t ORDER BY id");
  ASSERT_OK(result);
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(result->columns, (std::vector<std::string>{"id", "name", "score"}));
  EXPECT_EQ(std::get<int64_t>(result->rows[0][0]), 1);
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "Jokic");
  EXPECT_DOUBLE_EQ(std::get<double>(result->rows[0][2]), 29.6);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(result->rows[1][2]));
}

TEST_F(SqliteTest, PreparedStatementsComeFromTheCache) {
  const uint64_t hits_before = metrics_.statement_cache_hits.Value();
  for (int i = 0; i < 5; ++i) {
    auto statement = rw_->Prepare("SELECT count(*) FROM t");
    ASSERT_OK(statement);
  }
  EXPECT_EQ(metrics_.statement_cache_hits.Value() - hits_before, 4u);
}

TEST_F(SqliteTest, TheSameSqlCanBeHeldTwiceAtOnce) {
  const Value one[] = {int64_t{1}, std::string("a")};
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (?, ?)", one));
  auto outer = rw_->Prepare("SELECT name FROM t");
  auto inner = rw_->Prepare("SELECT name FROM t");
  ASSERT_OK(outer);
  ASSERT_OK(inner);
  ASSERT_TRUE(*(*outer)->Step());
  ASSERT_TRUE(*(*inner)->Step());
  EXPECT_EQ((*outer)->GetText(0), "a");
  EXPECT_EQ((*inner)->GetText(0), "a");
}

TEST_F(SqliteTest, ErrorsAreClassified) {
  EXPECT_ERROR(rw_->Prepare("SELEC 1"), ErrorCode::kSyntax);
  EXPECT_ERROR(rw_->Prepare("SELECT * FROM no_such_table"), ErrorCode::kNotFound);
  EXPECT_ERROR(rw_->Prepare("SELECT 1; SELECT 2"), ErrorCode::kInvalidArgument);
  const Value row[] = {int64_t{7}, std::string("x")};
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (?, ?)", row));
  EXPECT_ERROR(rw_->Execute("INSERT INTO t(id, name) VALUES (?, ?)", row),
               ErrorCode::kAlreadyExists);
  EXPECT_ERROR(rw_->Execute("INSERT INTO t(id, name, score) VALUES (8, 'y', -1)"),
               ErrorCode::kConstraint);
  EXPECT_ERROR(rw_->Execute("INSERT INTO t(id) VALUES (9)"), ErrorCode::kConstraint);
}

TEST_F(SqliteTest, FailedStatementsAreCountedInMetrics) {
  const uint64_t errors_before = metrics_.errors.Value();
  const uint64_t statements_before = metrics_.statements.Value();
  EXPECT_ERROR(rw_->Execute("INSERT INTO t(id) VALUES (1)"), ErrorCode::kConstraint);
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (1, 'a')"));
  EXPECT_EQ(metrics_.errors.Value() - errors_before, 1u);
  EXPECT_EQ(metrics_.statements.Value() - statements_before, 2u);
  EXPECT_GE(metrics_.statement_duration.Snapshot().Count(), 2u);
}

TEST_F(SqliteTest, ReadOnlyConnectionsRefuseWrites) {
  auto ro = database_->Connect(AccessMode::kReadOnly);
  ASSERT_OK(ro);
  EXPECT_EQ((*ro)->mode(), AccessMode::kReadOnly);
  EXPECT_ERROR((*ro)->Execute("INSERT INTO t(id, name) VALUES (1, 'a')"),
               ErrorCode::kPermissionDenied);
  EXPECT_ERROR((*ro)->ExecuteScript("CREATE TABLE u(x)"), ErrorCode::kPermissionDenied);
  ASSERT_OK((*ro)->Query("SELECT * FROM t"));
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  {
    auto tx = Transaction::Begin(*rw_);
    ASSERT_OK(tx);
    ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (1, 'a')"));
  }
  EXPECT_EQ(std::get<int64_t>(*rw_->QueryScalar("SELECT count(*) FROM t")), 0);
  {
    auto tx = Transaction::Begin(*rw_);
    ASSERT_OK(tx);
    ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (1, 'a')"));
    ASSERT_OK(tx->Commit());
  }
  EXPECT_EQ(std::get<int64_t>(*rw_->QueryScalar("SELECT count(*) FROM t")), 1);
}

TEST_F(SqliteTest, AWriterBlockedPastTheBusyTimeoutGetsBusy) {
  auto db = SqliteDatabase::Open({.path = dir_.File("t.db"), .busy_timeout_ms = 50});
  ASSERT_OK(db);
  auto other = (*db)->Connect(AccessMode::kReadWrite);
  ASSERT_OK(other);
  auto tx = Transaction::Begin(*rw_);
  ASSERT_OK(tx);
  EXPECT_ERROR(Transaction::Begin(**other), ErrorCode::kBusy);
}

TEST_F(SqliteTest, InterruptCancelsARunningQuery) {
  auto ro = database_->Connect(AccessMode::kReadOnly);
  ASSERT_OK(ro);
  Connection* connection = ro->get();
  auto statement = connection->Prepare(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c");
  ASSERT_OK(statement);
  std::thread canceller([&] {
    // Interrupt is sticky only while a statement runs; repeat until the step returns.
    for (int i = 0; i < 2000 && connection != nullptr; ++i) {
      connection->Interrupt();
      std::this_thread::yield();
    }
  });
  auto step = (*statement)->Step();
  canceller.join();
  EXPECT_ERROR(step, ErrorCode::kCancelled);
}

TEST(SqliteOpenTest, BadPathsAndFilesAreReportedClearly) {
  testing::TempDir dir;
  EXPECT_ERROR(SqliteDatabase::Open({.path = ""}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(SqliteDatabase::Open({.path = dir.File("missing/dir/x.db")}),
               ErrorCode::kConnection);
  EXPECT_ERROR(SqliteDatabase::Open({.path = dir.File("none.db"), .create_if_missing = false}),
               ErrorCode::kNotFound);
  {
    std::ofstream garbage(dir.File("garbage.db"));
    garbage << std::string(8192, 'x');
  }
  auto opened = SqliteDatabase::Open({.path = dir.File("garbage.db")});
  EXPECT_ERROR(opened, ErrorCode::kConnection);
  EXPECT_NE(opened.error().message.find("garbage.db"), std::string::npos);
}

}  // namespace
}  // namespace fastbreak::db

namespace fastbreak::db {
namespace {

TEST_F(SqliteTest, ABadBindIsReportedByStepAndClearedByReset) {
  auto statement = rw_->Prepare("INSERT INTO t(id, name) VALUES (?, ?)");
  ASSERT_OK(statement);
  (*statement)->BindAll(int64_t{1}, "a");
  (*statement)->Bind(3, int64_t{5});  // there is no third parameter
  EXPECT_ERROR((*statement)->Step(), ErrorCode::kInvalidArgument);
  (*statement)->Reset();
  (*statement)->BindAll(int64_t{1}, "a");
  ASSERT_OK((*statement)->Run());
  EXPECT_EQ(std::get<int64_t>(*rw_->QueryScalar("SELECT count(*) FROM t")), 1);
}

TEST_F(SqliteTest, BindStaticReadsTheCallersBuffer) {
  const std::string name = "Wembanyama";
  auto statement = rw_->Prepare("INSERT INTO t(id, name) VALUES (1, ?)");
  ASSERT_OK(statement);
  (*statement)->BindStatic(1, name);
  ASSERT_OK((*statement)->Run());
  EXPECT_EQ(std::get<std::string>(*rw_->QueryScalar("SELECT name FROM t")), name);
}

TEST_F(SqliteTest, ScriptErrorsAreClassifiedLikeStatementErrors) {
  EXPECT_ERROR(rw_->ExecuteScript("DELETE FROM no_such_table"), ErrorCode::kNotFound);
  EXPECT_ERROR(rw_->ExecuteScript("DELET FROM t"), ErrorCode::kSyntax);
}

TEST(SqliteCacheTest, TheStatementCacheKeepsAtMostItsCapacity) {
  testing::TempDir dir;
  telemetry::MetricsRegistry registry;
  DbMetrics metrics(registry);
  auto database =
      SqliteDatabase::Open({.path = dir.File("c.db"), .statement_cache_capacity = 2}, &metrics);
  ASSERT_OK(database);
  auto c = (*database)->Connect(AccessMode::kReadWrite);
  ASSERT_OK(c);
  for (const char* sql : {"SELECT 1", "SELECT 2", "SELECT 3", "SELECT 3", "SELECT 2"}) {
    ASSERT_OK((*c)->Prepare(sql));
  }
  // SELECT 3 and SELECT 2 were cached when asked again; SELECT 1 was evicted by then.
  EXPECT_EQ(metrics.statement_cache_hits.Value(), 2u);
  ASSERT_OK((*c)->Prepare("SELECT 1"));
  EXPECT_EQ(metrics.statement_cache_hits.Value(), 2u);
}

}  // namespace
}  // namespace fastbreak::db

namespace fastbreak::db {
namespace {

// Untrusted SQL runs on the read-write connection here on purpose: the authorizer and the
// read-only check must refuse writes by themselves, without the help of query_only.
class UntrustedSqlTest : public SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    ASSERT_OK(
        rw_->Execute("INSERT INTO t(id, name, score) VALUES (1, 'Jokic', 29.6), "
                     "(2, 'Doncic', 33.9), (3, 'Tatum', 26.9)"));
    ASSERT_OK(rw_->ExecuteScript("CREATE INDEX t_by_name ON t(name)"));
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

  int64_t RowCount() { return std::get<int64_t>(*rw_->QueryScalar("SELECT count(*) FROM t")); }
};

TEST_F(UntrustedSqlTest, QueriesRunAndMayEndWithCommentsAndSemicolons) {
  auto result = RunUntrusted(*rw_,
                             "  -- leading comment\n SELECT name FROM t WHERE score > 27 ORDER BY "
                             "id; /* trailing */ ;  -- done");
  ASSERT_OK(result);
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(result->rows[1][0]), "Doncic");
  ASSERT_OK(RunUntrusted(*rw_,
                         "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) "
                         "SELECT sum(x), round(avg(x), 1), upper('a') FROM c"));
  ASSERT_OK(RunUntrusted(*rw_, "VALUES (1, 2)"));
  auto info = RunUntrusted(*rw_, "PRAGMA table_info(t)");
  ASSERT_OK(info);
  EXPECT_EQ(info->rows.size(), 3u);
}

TEST_F(UntrustedSqlTest, WritesAndSchemaChangesAreRefusedByName) {
  const struct {
    const char* sql;
    const char* named;
  } cases[] = {
      {"INSERT INTO t(id, name) VALUES (9, 'x')", "INSERT into t"},
      {"UPDATE t SET score = 0", "UPDATE of t"},
      {"DELETE FROM t", "DELETE from t"},
      {"DROP TABLE t", "changing the schema"},
      {"CREATE TABLE u(x)", "changing the schema"},
      {"CREATE TEMP VIEW v AS SELECT 1", "changing the schema (sqlite_temp_master)"},
      {"CREATE INDEX t_name ON t(name)", "changing the schema"},
      {"ALTER TABLE t ADD COLUMN y", "ALTER TABLE t"},
      {"ATTACH DATABASE ':memory:' AS other", "ATTACH"},
      {"DETACH DATABASE main", "DETACH"},
      {"PRAGMA writable_schema = 1", "PRAGMA writable_schema = 1"},
      {"PRAGMA journal_mode = delete", "PRAGMA journal_mode = delete"},
      {"PRAGMA journal_mode", "PRAGMA journal_mode"},
      {"BEGIN", "BEGIN"},
      {"SAVEPOINT s", "SAVEPOINT s"},
      {"ANALYZE", "not allowed"},
      {"REINDEX", "REINDEX"},
      {"REINDEX t_by_name", "REINDEX"},
      {"SELECT load_extension('x')", "function load_extension()"},
      {"WITH d AS (DELETE FROM t RETURNING id) SELECT 1", ""},
      {"EXPLAIN DELETE FROM t", "DELETE from t"},
      {"SELECT * FROM pragma_journal_mode('delete')", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.sql);
    auto result = RunUntrusted(*rw_, c.sql);
    ASSERT_FALSE(result.has_value());
    if (c.named[0] == '\0') continue;  // the parser or the authorizer may refuse it first
    EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied) << result.error().ToString();
    EXPECT_NE(result.error().message.find(c.named), std::string::npos) << result.error().message;
  }
  EXPECT_EQ(RowCount(), 3);
  EXPECT_EQ(PragmaText(*rw_, "journal_mode"), "wal");
  EXPECT_EQ(PragmaText(*rw_, "writable_schema"), "0");
  EXPECT_ERROR(rw_->Query("SELECT * FROM u"), ErrorCode::kNotFound);
}

TEST_F(UntrustedSqlTest, VacuumIntoAFileIsRefusedAndWritesNothing) {
  const std::string target = dir_.File("copy.db");
  EXPECT_ERROR(RunUntrusted(*rw_, fmt::format("VACUUM INTO '{}'", target)),
               ErrorCode::kPermissionDenied);
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_ERROR(RunUntrusted(*rw_, "VACUUM"), ErrorCode::kPermissionDenied);
}

TEST_F(UntrustedSqlTest, OnlyOneStatementIsTaken) {
  auto result = RunUntrusted(*rw_, "SELECT 1; DELETE FROM t");
  EXPECT_ERROR(result, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("one statement"), std::string::npos);
  EXPECT_ERROR(RunUntrusted(*rw_, "SELECT 1; -- fine\n SELECT 2"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(RunUntrusted(*rw_, "  ; -- nothing\n"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(RunUntrusted(*rw_, ""), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RowCount(), 3);
}

TEST_F(UntrustedSqlTest, CompileErrorsKeepTheEnginesMessage) {
  auto syntax = RunUntrusted(*rw_, "SELEC name FROM t");
  EXPECT_ERROR(syntax, ErrorCode::kSyntax);
  EXPECT_NE(syntax.error().message.find("syntax error"), std::string::npos);
  auto missing = RunUntrusted(*rw_, "SELECT nme FROM t");
  EXPECT_ERROR(missing, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("no such column: nme"), std::string::npos);
}

TEST_F(UntrustedSqlTest, ARunawayQueryHitsTheDeadline) {
  UntrustedLimits limits;
  limits.timeout = std::chrono::milliseconds(50);
  const auto started = std::chrono::steady_clock::now();
  auto result = RunUntrusted(
      *rw_,
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
      limits);
  EXPECT_ERROR(result, ErrorCode::kTimeout);
  EXPECT_NE(result.error().message.find("exceeded 50 ms"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  // The deadline belonged to that statement: trusted statements run as long as they need.
  ASSERT_OK(rw_->Query("SELECT count(*) FROM t"));
}

TEST_F(UntrustedSqlTest, InterruptCancelsAnUntrustedQuery) {
  UntrustedLimits limits;
  limits.timeout = std::chrono::minutes(1);
  auto statement = rw_->PrepareUntrusted(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
      limits);
  ASSERT_OK(statement);
  Connection* connection = rw_.get();
  std::atomic<bool> done = false;
  std::thread canceller([&] {
    while (!done) {
      connection->Interrupt();
      std::this_thread::yield();
    }
  });
  auto step = (*statement)->Step();
  done = true;
  canceller.join();
  EXPECT_ERROR(step, ErrorCode::kCancelled);
}

TEST_F(UntrustedSqlTest, LimitsBoundTextAndValues) {
  UntrustedLimits limits;
  limits.max_sql_bytes = 20;
  EXPECT_ERROR(RunUntrusted(*rw_, "SELECT 1 + 1 + 1 + 1 + 1", limits), ErrorCode::kPayloadTooLarge);
  limits = {};
  limits.max_value_bytes = 1000;
  EXPECT_ERROR(RunUntrusted(*rw_, "SELECT length(zeroblob(5000))", limits),
               ErrorCode::kPayloadTooLarge);
  // The connection's own limits are back for trusted statements.
  auto big = rw_->QueryScalar("SELECT length(zeroblob(5000))");
  ASSERT_OK(big);
  EXPECT_EQ(std::get<int64_t>(*big), 5000);
}

TEST_F(UntrustedSqlTest, BlobsReadAsTheirSize) {
  auto result = RunUntrusted(*rw_, "SELECT x'00ff10', zeroblob(0)");
  ASSERT_OK(result);
  EXPECT_EQ(std::get<std::string>(result->rows[0][0]), "<blob 3 bytes>");
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "<blob 0 bytes>");
}

TEST_F(UntrustedSqlTest, UntrustedStatementsStayOutOfTheCacheAndLeaveOthersWorking) {
  auto held = rw_->Prepare("SELECT name FROM t ORDER BY id");
  ASSERT_OK(held);
  ASSERT_TRUE(*(*held)->Step());
  const uint64_t hits_before = metrics_.statement_cache_hits.Value();
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(RunUntrusted(*rw_, "SELECT count(*) FROM t"));
    EXPECT_ERROR(RunUntrusted(*rw_, "DELETE FROM t"), ErrorCode::kPermissionDenied);
  }
  EXPECT_EQ(metrics_.statement_cache_hits.Value(), hits_before);
  // A statement checked out before keeps stepping; trusted writes, DDL and pragmas still work.
  ASSERT_TRUE(*(*held)->Step());
  EXPECT_EQ((*held)->GetText(0), "Doncic");
  held->reset();
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (4, 'Curry')"));
  ASSERT_OK(rw_->ExecuteScript("CREATE TABLE u(x); DROP TABLE u; PRAGMA user_version = 3"));
  EXPECT_EQ(PragmaText(*rw_, "user_version"), "3");
  EXPECT_EQ(RowCount(), 4);
}

}  // namespace
}  // namespace fastbreak::db

namespace fastbreak::db {
namespace {

// Keeps what the backend reports for each finished statement.
class RecordingObserver final : public StatementObserver {
 public:
  struct Seen {
    std::string sql;
    std::string expanded;
    int64_t rows;
    bool failed;
    bool untrusted;
    Dialect dialect;
  };
  void OnStatement(const StatementEvent& event) noexcept override {
    seen.push_back({std::string(event.statement->Sql()), event.statement->ExpandedSql(), event.rows,
                    event.failed, event.untrusted, event.dialect});
  }
  std::vector<Seen> seen;
};

TEST_F(SqliteTest, TheObserverSeesEachExecutionWithRowsAndLiterals) {
  RecordingObserver observer;
  metrics_.observer = &observer;
  ASSERT_OK(
      rw_->ExecuteScript("INSERT INTO t(id, name, score) VALUES (1,'a',1),(2,'b',2),"
                         "(3,'c''s',3)"));
  observer.seen.clear();  // scripts run outside statements
  auto select = rw_->Prepare("SELECT id FROM t WHERE id >= ? AND name <> ?");
  ASSERT_OK(select);
  (*select)->BindAll(2, "x");
  while (true) {
    auto row = (*select)->Step();
    ASSERT_OK(row);
    if (!*row) break;
  }
  (*select)->Reset();
  // Abandoned after one row: still one execution, with the row it read.
  (*select)->BindAll(1, "it's");
  ASSERT_OK((*select)->Step());
  (*select)->Reset();
  // A failure.
  auto insert = rw_->Prepare("INSERT INTO t(id, name, score) VALUES (?, ?, ?)");
  ASSERT_OK(insert);
  (*insert)->BindAll(1, "dup", 1.5);
  EXPECT_FALSE((*insert)->Step().has_value());
  (*insert)->Reset();
  metrics_.observer = nullptr;

  ASSERT_EQ(observer.seen.size(), 3u);
  EXPECT_EQ(observer.seen[0].sql, "SELECT id FROM t WHERE id >= ? AND name <> ?");
  EXPECT_EQ(observer.seen[0].expanded, "SELECT id FROM t WHERE id >= 2 AND name <> 'x'");
  EXPECT_EQ(observer.seen[0].rows, 2);
  EXPECT_FALSE(observer.seen[0].failed);
  EXPECT_EQ(observer.seen[0].dialect, Dialect::kSqlite);
  EXPECT_EQ(observer.seen[1].expanded, "SELECT id FROM t WHERE id >= 1 AND name <> 'it''s'");
  EXPECT_EQ(observer.seen[1].rows, 1);
  EXPECT_TRUE(observer.seen[2].failed);
  EXPECT_EQ(observer.seen[2].expanded, "INSERT INTO t(id, name, score) VALUES (1, 'dup', 1.5)");
  EXPECT_FALSE(observer.seen[2].untrusted);
}

TEST_F(SqliteTest, TheObserverMarksUntrustedStatements) {
  RecordingObserver observer;
  metrics_.observer = &observer;
  auto statement = rw_->PrepareUntrusted("SELECT 1 UNION ALL SELECT 2", UntrustedLimits{});
  ASSERT_OK(statement);
  while (true) {
    auto row = (*statement)->Step();
    ASSERT_OK(row);
    if (!*row) break;
  }
  statement->reset();
  metrics_.observer = nullptr;
  ASSERT_EQ(observer.seen.size(), 1u);
  EXPECT_TRUE(observer.seen[0].untrusted);
  EXPECT_EQ(observer.seen[0].rows, 2);
}

}  // namespace
}  // namespace fastbreak::db
