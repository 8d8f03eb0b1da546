// The PostgreSQL driver against a real server: statements, types, the statement cache, error
// classes, and what happens when the session or the server goes away.
#include <atomic>
#include <cmath>
#include <thread>

#include "db/postgres/postgres_test_util.hpp"

namespace fastbreak::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class PostgresDriverTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(rw_->ExecuteScript(
        "DROP TABLE IF EXISTS t; CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL, "
        "score double precision, ok boolean, amount numeric, CHECK (score >= 0))"));
  }
};

TEST_F(PostgresDriverTest, PlaceholdersAreRewrittenAndValuesRoundTrip) {
  EXPECT_EQ(rw_->dialect(), Dialect::kPostgres);
  EXPECT_EQ(database_->Kind(), "postgres");
  auto insert = rw_->Prepare("INSERT INTO t(id, name, score, ok, amount) VALUES (?, ?, ?, ?, ?)");
  ASSERT_OK(insert);
  const std::string awkward = "it's \"quoted\", tab\there, ünïcödé ✓, back\\slash, ? and $1";
  const double third = 1.0 / 3.0;
  (*insert)->BindAll(int64_t{1}, awkward, third, int64_t{1}, "12.50");
  ASSERT_OK((*insert)->Run());
  EXPECT_EQ(rw_->Changes(), 1);
  (*insert)->BindAll(int64_t{2}, "nulls", 1e300);
  (*insert)->BindNull(4);  // parameter 5 left unbound: NULL as well
  ASSERT_OK((*insert)->Run());
  (*insert)->BindAll(int64_t{std::numeric_limits<int64_t>::max()}, "", 0.1);
  ASSERT_OK((*insert)->Run());

  auto select =
      rw_->Prepare("SELECT id, name, score, ok, amount FROM t WHERE id >= ?1 ORDER BY id");
  ASSERT_OK(select);
  (*select)->Bind(1, int64_t{1});
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->GetInt(0), 1);
  EXPECT_EQ((*select)->GetText(1), awkward);
  EXPECT_EQ((*select)->GetDouble(2), third);  // exact: shortest round-trip text both ways
  EXPECT_EQ((*select)->GetInt(3), 1);
  EXPECT_EQ((*select)->GetText(4), "12.50");
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->GetDouble(2), 1e300);
  EXPECT_TRUE((*select)->IsNull(3));
  EXPECT_TRUE((*select)->IsNull(4));
  EXPECT_FALSE((*select)->IsNull(1));
  EXPECT_TRUE(std::holds_alternative<std::monostate>((*select)->GetValue(4)));
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->GetInt(0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ((*select)->GetText(1), "");
  EXPECT_FALSE((*select)->IsNull(1));  // empty text is not NULL
  EXPECT_EQ((*select)->GetDouble(2), 0.1);
  EXPECT_FALSE(*(*select)->Step());

  // ?1 used twice binds once; a bare ? continues after the highest number.
  auto reused = rw_->QueryScalar("SELECT ?1::bigint * 10 + ?1::bigint + ?::bigint",
                                 std::vector<Value>{int64_t{4}, int64_t{100}});
  ASSERT_OK(reused);
  EXPECT_EQ(std::get<int64_t>(*reused), 144);
  // A '?' inside a literal is text, not a parameter.
  auto literal = rw_->QueryScalar("SELECT '?' || ?::text", std::vector<Value>{std::string("!")});
  ASSERT_OK(literal);
  EXPECT_EQ(std::get<std::string>(*literal), "?!");
}

TEST_F(PostgresDriverTest, GetValueFollowsTheColumnType) {
  auto result = rw_->Query(
      "SELECT 1::int2, 2::int4, 3::int8, 4::oid, true, false, 1.5::float4, 2.25::float8, "
      "'x'::text, DATE '2024-01-02', NULL::int, 42::numeric, 4.5::numeric, "
      "123456789012345678901234567890::numeric, 'NaN'::numeric, -7::numeric, "
      "'\\x00ff'::bytea");
  ASSERT_OK(result);
  ASSERT_EQ(result->rows.size(), 1u);
  const auto& row = result->rows[0];
  for (int i = 0; i < 4; ++i) EXPECT_EQ(std::get<int64_t>(row[i]), i + 1) << i;
  EXPECT_EQ(std::get<int64_t>(row[4]), 1);
  EXPECT_EQ(std::get<int64_t>(row[5]), 0);
  EXPECT_EQ(std::get<double>(row[6]), 1.5);
  EXPECT_EQ(std::get<double>(row[7]), 2.25);
  EXPECT_EQ(std::get<std::string>(row[8]), "x");
  EXPECT_EQ(std::get<std::string>(row[9]), "2024-01-02");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(row[10]));
  EXPECT_EQ(std::get<int64_t>(row[11]), 42);
  EXPECT_EQ(std::get<double>(row[12]), 4.5);
  EXPECT_DOUBLE_EQ(std::get<double>(row[13]), 1.2345678901234568e29);  // too big for int64
  EXPECT_TRUE(std::isnan(std::get<double>(row[14])));
  EXPECT_EQ(std::get<int64_t>(row[15]), -7);
  EXPECT_EQ(std::get<std::string>(row[16]), "\\x00ff");  // trusted: the text as is
}

TEST_F(PostgresDriverTest, GetIntAndGetDoubleConvertLikeSqlite) {
  auto statement = rw_->Prepare(
      "SELECT 3.99::float8, -3.99::numeric, '17'::text, true, 1e30::float8, "
      "'2.5e3'::text, 'abc'::text, 'Infinity'::float8");
  ASSERT_OK(statement);
  ASSERT_TRUE(*(*statement)->Step());
  EXPECT_EQ((*statement)->GetInt(0), 3);  // truncated toward zero
  EXPECT_EQ((*statement)->GetInt(1), -3);
  EXPECT_EQ((*statement)->GetInt(2), 17);
  EXPECT_EQ((*statement)->GetInt(3), 1);
  EXPECT_EQ((*statement)->GetInt(4), std::numeric_limits<int64_t>::max());  // saturated
  EXPECT_EQ((*statement)->GetInt(5), 2500);
  EXPECT_EQ((*statement)->GetInt(6), 0);
  EXPECT_EQ((*statement)->GetDouble(2), 17.0);
  EXPECT_EQ((*statement)->GetDouble(3), 1.0);
  EXPECT_TRUE(std::isinf((*statement)->GetDouble(7)));
}

TEST_F(PostgresDriverTest, ColumnsAreKnownBeforeTheFirstStep) {
  auto statement = rw_->Prepare("SELECT id AS player, name, score * 2 AS doubled FROM t");
  ASSERT_OK(statement);
  ASSERT_EQ((*statement)->ColumnCount(), 3);
  EXPECT_EQ((*statement)->ColumnName(0), "player");
  EXPECT_EQ((*statement)->ColumnName(2), "doubled");
  EXPECT_FALSE(*(*statement)->Step());  // empty table
  EXPECT_EQ((*statement)->ColumnCount(), 3);
  auto insert = rw_->Prepare("INSERT INTO t(id, name) VALUES (?, ?)");
  ASSERT_OK(insert);
  EXPECT_EQ((*insert)->ColumnCount(), 0);
}

TEST_F(PostgresDriverTest, TheStatementCacheHitsEvictsAndDeallocates) {
  auto db = Open([](PostgresOptions& o) { o.statement_cache_capacity = 2; });
  auto c = Connect(*db);
  ASSERT_NE(c, nullptr);
  const uint64_t hits_before = metrics_.statement_cache_hits.Value();
  const uint64_t prepares_before = metrics_.prepares.Value();
  for (const char* sql : {"SELECT 1", "SELECT 2", "SELECT 3", "SELECT 3", "SELECT 2"}) {
    ASSERT_OK(c->Prepare(sql));
  }
  // SELECT 3 and SELECT 2 were cached when asked again; SELECT 1 was evicted by then.
  EXPECT_EQ(metrics_.statement_cache_hits.Value() - hits_before, 2u);
  EXPECT_EQ(metrics_.prepares.Value() - prepares_before, 5u);
  // The evicted statement was deallocated on the server: only the cached two (and the query
  // below, prepared after the deallocation) remain in this session.
  EXPECT_EQ(Scalar(*c,
                   "SELECT string_agg(statement, ' | ' ORDER BY statement) FROM "
                   "pg_prepared_statements WHERE statement NOT LIKE '%pg_prepared%'"),
            "SELECT 2 | SELECT 3");
  ASSERT_OK(c->Prepare("SELECT 1"));
  EXPECT_EQ(metrics_.statement_cache_hits.Value() - hits_before, 2u);
  EXPECT_EQ(c->last_sql(), "SELECT 1");
}

TEST_F(PostgresDriverTest, TwoCopiesOfOneStatementStepIndependently) {
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (1, 'a'), (2, 'b')"));
  auto outer = rw_->Prepare("SELECT name FROM t ORDER BY id");
  auto inner = rw_->Prepare("SELECT name FROM t ORDER BY id");
  ASSERT_OK(outer);
  ASSERT_OK(inner);
  ASSERT_TRUE(*(*outer)->Step());
  ASSERT_TRUE(*(*inner)->Step());
  ASSERT_TRUE(*(*inner)->Step());
  EXPECT_EQ((*outer)->GetText(0), "a");
  EXPECT_EQ((*inner)->GetText(0), "b");
}

TEST_F(PostgresDriverTest, ABadBindIsReportedByStepAndClearedByReset) {
  auto statement = rw_->Prepare("INSERT INTO t(id, name) VALUES (?, ?)");
  ASSERT_OK(statement);
  (*statement)->BindAll(int64_t{1}, "a");
  (*statement)->Bind(3, int64_t{5});  // there is no third parameter
  EXPECT_ERROR((*statement)->Step(), ErrorCode::kInvalidArgument);
  (*statement)->Reset();
  (*statement)->BindAll(int64_t{1}, "a");
  ASSERT_OK((*statement)->Run());
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM t"), "1");
}

TEST_F(PostgresDriverTest, ErrorsAreClassifiedWithTheServersMessage) {
  auto syntax = rw_->Prepare("SELEC 1");
  EXPECT_ERROR(syntax, ErrorCode::kSyntax);
  EXPECT_NE(syntax.error().message.find("syntax error"), std::string::npos);
  auto missing = rw_->Prepare("SELECT * FROM no_such_table");
  EXPECT_ERROR(missing, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("no_such_table"), std::string::npos);
  EXPECT_ERROR(rw_->Prepare("SELECT nme FROM t"), ErrorCode::kNotFound);
  EXPECT_ERROR(rw_->Prepare("SELECT 1; SELECT 2"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(rw_->Prepare("  -- nothing\n"), ErrorCode::kInvalidArgument);
  const Value row[] = {int64_t{7}, std::string("x")};
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (?, ?)", row));
  auto duplicate = rw_->Execute("INSERT INTO t(id, name) VALUES (?, ?)", row);
  EXPECT_ERROR(duplicate, ErrorCode::kAlreadyExists);
  EXPECT_NE(duplicate.error().message.find("Key (id)=(7) already exists"), std::string::npos)
      << duplicate.error().message;  // the detail is kept
  EXPECT_ERROR(rw_->Execute("INSERT INTO t(id, name, score) VALUES (8, 'y', -1)"),
               ErrorCode::kConstraint);
  EXPECT_ERROR(rw_->Execute("INSERT INTO t(id) VALUES (9)"), ErrorCode::kConstraint);
  EXPECT_ERROR(rw_->QueryScalar("SELECT 'abc'::int"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(rw_->ExecuteScript("DELETE FROM no_such_table"), ErrorCode::kNotFound);
  EXPECT_ERROR(rw_->ExecuteScript("DELET FROM t"), ErrorCode::kSyntax);
  // None of that hurt the session.
  EXPECT_FALSE(rw_->broken());
  EXPECT_OK(rw_->Ping());
}

TEST_F(PostgresDriverTest, StatementsAndFailuresAreCountedInMetrics) {
  const uint64_t errors_before = metrics_.errors.Value();
  const uint64_t statements_before = metrics_.statements.Value();
  const uint64_t timed_before = metrics_.statement_duration.Snapshot().Count();
  EXPECT_ERROR(rw_->Execute("INSERT INTO t(id) VALUES (1)"), ErrorCode::kConstraint);
  ASSERT_OK(rw_->Execute("INSERT INTO t(id, name) VALUES (1, 'a')"));
  EXPECT_EQ(metrics_.errors.Value() - errors_before, 1u);
  EXPECT_EQ(metrics_.statements.Value() - statements_before, 2u);
  EXPECT_GE(metrics_.statement_duration.Snapshot().Count() - timed_before, 2u);
}

TEST_F(PostgresDriverTest, ScriptsTransactionsAndChanges) {
  ASSERT_OK(rw_->ExecuteScript(
      "INSERT INTO t(id, name) VALUES (1, 'a'), (2, 'b'); UPDATE t SET score = 1"));
  EXPECT_EQ(rw_->Changes(), 2);
  EXPECT_EQ(rw_->last_sql().substr(0, 11), "INSERT INTO");
  {
    auto tx = Transaction::Begin(*rw_);
    ASSERT_OK(tx);
    ASSERT_OK(rw_->Execute("DELETE FROM t"));
    EXPECT_EQ(rw_->Changes(), 2);
  }  // rolled back
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM t"), "2");
  EXPECT_EQ(rw_->Changes(), 2);  // a SELECT does not change it
  {
    auto tx = Transaction::Begin(*rw_);
    ASSERT_OK(tx);
    ASSERT_OK(rw_->Execute("DELETE FROM t WHERE id = 1"));
    ASSERT_OK(tx->Commit());
  }
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM t"), "1");
}

TEST_F(PostgresDriverTest, ReadOnlySessionsRefuseWrites) {
  auto ro = Connect(*database_, AccessMode::kReadOnly);
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->mode(), AccessMode::kReadOnly);
  EXPECT_ERROR(ro->Execute("INSERT INTO t(id, name) VALUES (1, 'a')"),
               ErrorCode::kPermissionDenied);
  EXPECT_ERROR(ro->ExecuteScript("CREATE TABLE u(x int)"), ErrorCode::kPermissionDenied);
  ASSERT_OK(ro->Query("SELECT * FROM t"));
  EXPECT_EQ(Scalar(*ro, "SHOW application_name"), "fastbreak");
  EXPECT_EQ(Scalar(*ro, "SHOW statement_timeout"), "30s");
}

TEST_F(PostgresDriverTest, TheStatementTimeoutStopsAStatementWithTimeout) {
  auto db = Open([](PostgresOptions& o) { o.statement_timeout = milliseconds(200); });
  auto c = Connect(*db);
  ASSERT_NE(c, nullptr);
  const auto started = steady_clock::now();
  auto slept = c->Execute("SELECT pg_sleep(10)");
  EXPECT_ERROR(slept, ErrorCode::kTimeout);
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_FALSE(c->broken());
  EXPECT_EQ(Scalar(*c, "SELECT 5"), "5");
}

TEST_F(PostgresDriverTest, InterruptFromAnotherThreadCancelsWithinASecond) {
  auto statement = rw_->Prepare("SELECT pg_sleep(20)");
  ASSERT_OK(statement);
  Connection* connection = rw_.get();
  std::atomic<bool> done = false;
  std::thread canceller([&] {
    // Interrupt only cancels a running statement; keep asking until the step returns.
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
  EXPECT_FALSE(rw_->broken());
  EXPECT_EQ(Scalar(*rw_, "SELECT 6"), "6");
}

TEST_F(PostgresDriverTest, ATerminatedBackendBreaksTheConnection) {
  const int pid = BackendPid(*rw_);
  auto statement = rw_->Prepare("SELECT count(*) FROM t");
  ASSERT_OK(statement);
  ASSERT_OK(server_->Query(fmt::format("SELECT pg_terminate_backend({})", pid)));
  auto step = (*statement)->Step();
  EXPECT_ERROR(step, ErrorCode::kConnection);
  EXPECT_TRUE(rw_->broken());
  statement->reset();
  // Every later call fails fast with kConnection, without touching the network.
  const auto started = steady_clock::now();
  EXPECT_ERROR(rw_->Prepare("SELECT 1"), ErrorCode::kConnection);
  EXPECT_ERROR(rw_->ExecuteScript("SELECT 1"), ErrorCode::kConnection);
  EXPECT_ERROR(rw_->Ping(), ErrorCode::kConnection);
  EXPECT_ERROR(rw_->EndWork(true), ErrorCode::kConnection);
  EXPECT_LT(steady_clock::now() - started, milliseconds(100));
  // A new connection works.
  auto fresh = Connect(*database_);
  ASSERT_NE(fresh, nullptr);
  EXPECT_OK(fresh->Ping());
}

TEST_F(PostgresDriverTest, AStoppedServerFailsWithConnectionAndPingNoticesIt) {
  testing::PostgresServer own;  // stopping the suite's server would disturb other tests
  ASSERT_OK(own.StartPrimary());
  auto db = PostgresDatabase::Open({.dsn = own.dsn(), .connect_timeout = milliseconds(1000)});
  ASSERT_OK(db);
  auto c = (*db)->Connect(AccessMode::kReadOnly);
  ASSERT_OK(c);
  ASSERT_OK((*c)->Ping());
  auto idle = (*db)->Connect(AccessMode::kReadOnly);
  ASSERT_OK(idle);
  ASSERT_OK(own.Stop());
  EXPECT_ERROR((*c)->Query("SELECT 1"), ErrorCode::kConnection);
  EXPECT_TRUE((*c)->broken());
  const auto started = steady_clock::now();
  EXPECT_ERROR((*idle)->Ping(), ErrorCode::kConnection);
  EXPECT_TRUE((*idle)->broken());
  EXPECT_ERROR((*db)->Connect(AccessMode::kReadOnly), ErrorCode::kConnection);
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(5));
  // Back up: new connections work, the broken ones stay broken (the pool replaces them).
  ASSERT_OK(own.Start());
  auto again = (*db)->Connect(AccessMode::kReadOnly);
  ASSERT_OK(again);
  EXPECT_OK((*again)->Ping());
  EXPECT_ERROR((*idle)->Ping(), ErrorCode::kConnection);
}

}  // namespace
}  // namespace fastbreak::db

namespace fastbreak::db {
namespace {

class CountingObserver final : public StatementObserver {
 public:
  void OnStatement(const StatementEvent& event) noexcept override {
    expanded.push_back(event.statement->ExpandedSql());
    rows.push_back(event.rows);
    failed.push_back(event.failed);
    EXPECT_EQ(event.dialect, Dialect::kPostgres);
  }
  std::vector<std::string> expanded;
  std::vector<int64_t> rows;
  std::vector<bool> failed;
};

TEST_F(PostgresDriverTest, TheObserverSeesEachExecutionWithRowsAndLiterals) {
  ASSERT_OK(rw_->ExecuteScript("INSERT INTO t(id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')"));
  CountingObserver observer;
  metrics_.observer = &observer;
  auto select = rw_->Prepare("SELECT id FROM t WHERE id >= ? AND name <> ? ORDER BY id");
  ASSERT_OK(select);
  (*select)->BindAll(2, "it's");
  int rows = 0;
  while (true) {
    auto row = (*select)->Step();
    ASSERT_OK(row);
    if (!*row) break;
    ++rows;
  }
  (*select)->Reset();
  auto bad = rw_->Prepare("SELECT 1 / (id - ?) FROM t");
  ASSERT_OK(bad);
  (*bad)->BindAll(1);
  EXPECT_FALSE((*bad)->Step().has_value());
  (*bad)->Reset();
  metrics_.observer = nullptr;
  ASSERT_EQ(rows, 2);
  ASSERT_EQ(observer.expanded.size(), 2u);
  EXPECT_EQ(observer.expanded[0], "SELECT id FROM t WHERE id >= 2 AND name <> 'it''s' ORDER BY id");
  EXPECT_EQ(observer.rows[0], 2);
  EXPECT_FALSE(observer.failed[0]);
  EXPECT_TRUE(observer.failed[1]);
}

}  // namespace
}  // namespace fastbreak::db
