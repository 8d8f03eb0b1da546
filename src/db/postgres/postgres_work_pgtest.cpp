// Units of work (BeginWork/EndWork), pipelined Prefetch and COPY bulk loads against a real
// PostgreSQL server.
#include <thread>

#include "db/postgres/postgres_test_util.hpp"

namespace fastbreak::db {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class PostgresWorkTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(rw_->ExecuteScript(
        "DROP TABLE IF EXISTS t; CREATE TABLE t (id bigint PRIMARY KEY, name text, "
        "score double precision);"
        "INSERT INTO t VALUES (1, 'Jokic', 29.6), (2, 'Doncic', 33.9), (3, 'Tatum', 26.9)"));
  }

  // Reads every row's columns as text ("NULL" for NULL), tab-separated.
  static std::vector<std::string> Rows(Statement& statement) {
    std::vector<std::string> rows;
    while (true) {
      auto row = statement.Step();
      if (!row || !*row) break;
      std::string line;
      for (int c = 0; c < statement.ColumnCount(); ++c) {
        if (c > 0) line += '\t';
        line += statement.IsNull(c) ? "NULL" : std::string(statement.GetText(c));
      }
      rows.push_back(line);
    }
    return rows;
  }
};

TEST_F(PostgresWorkTest, PrefetchRunsEveryStatementAndOneFailureStaysItsOwn) {
  auto first = rw_->Prepare("SELECT name FROM t WHERE id = ?");
  auto failing = rw_->Prepare("SELECT 1 / (id - ?) FROM t WHERE id = 2");
  auto third = rw_->Prepare("SELECT count(*), sum(score) FROM t");
  ASSERT_OK(first);
  ASSERT_OK(failing);
  ASSERT_OK(third);
  (*first)->Bind(1, int64_t{2});
  (*failing)->Bind(1, int64_t{2});  // division by zero
  Statement* batch[] = {first->get(), failing->get(), third->get()};
  const int pid = BackendPid(*rw_);
  ASSERT_OK(rw_->Prefetch(batch));
  // Every result is already here; each statement reads its own.
  EXPECT_EQ(Rows(**first), std::vector<std::string>{"Doncic"});
  auto error = (*failing)->Step();
  EXPECT_ERROR(error, ErrorCode::kInvalidArgument);  // 22012 division_by_zero
  EXPECT_NE(error.error().message.find("division by zero"), std::string::npos);
  EXPECT_EQ(Rows(**third), std::vector<std::string>{"3\t90.4"});
  EXPECT_EQ(BackendPid(*rw_), pid);  // same session throughout
  EXPECT_FALSE(rw_->broken());
  // The statements are ordinary again once reset.
  (*failing)->Reset();
  (*failing)->Bind(1, int64_t{1});
  EXPECT_EQ(Rows(**failing), std::vector<std::string>{"1"});
}

TEST_F(PostgresWorkTest, PrefetchedResultsAreReadWithoutAnotherRoundTrip) {
  auto names = rw_->Prepare("SELECT name FROM t ORDER BY id");
  auto total = rw_->Prepare("SELECT sum(id) FROM t");
  ASSERT_OK(names);
  ASSERT_OK(total);
  const int pid = BackendPid(*rw_);
  Statement* batch[] = {names->get(), total->get()};
  ASSERT_OK(rw_->Prefetch(batch));
  // The session is gone, yet both statements read their rows: they arrived with Prefetch.
  ASSERT_OK(server_->Query(fmt::format("SELECT pg_terminate_backend({})", pid)));
  EXPECT_EQ(Rows(**names), (std::vector<std::string>{"Jokic", "Doncic", "Tatum"}));
  EXPECT_EQ(Rows(**total), std::vector<std::string>{"6"});
  (*total)->Reset();
  EXPECT_ERROR((*total)->Step(), ErrorCode::kConnection);
  EXPECT_TRUE(rw_->broken());
}

TEST_F(PostgresWorkTest, PrefetchInsideAUnitOfWorkAndWithWrites) {
  ASSERT_OK(rw_->BeginWork({.read_only = false}));
  auto insert = rw_->Prepare("INSERT INTO t(id, name) VALUES (?, ?)");
  auto count = rw_->Prepare("SELECT count(*) FROM t");
  ASSERT_OK(insert);
  ASSERT_OK(count);
  (*insert)->BindAll(int64_t{4}, "Curry");
  Statement* batch[] = {insert->get(), count->get()};
  ASSERT_OK(rw_->Prefetch(batch));
  EXPECT_FALSE(*(*insert)->Step());
  EXPECT_EQ(rw_->Changes(), 1);
  EXPECT_EQ(Rows(**count), std::vector<std::string>{"4"});  // ran after the insert, in order
  ASSERT_OK(rw_->EndWork(false));
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM t"), "3");  // rolled back
  // A statement with a bad bind is not sent; its Step reports the bind.
  auto bad = rw_->Prepare("SELECT ?");
  ASSERT_OK(bad);
  (*bad)->Bind(2, int64_t{1});
  Statement* one[] = {bad->get()};
  ASSERT_OK(rw_->Prefetch(one));
  EXPECT_ERROR((*bad)->Step(), ErrorCode::kInvalidArgument);
}

TEST_F(PostgresWorkTest, ReadOnlyWorkRefusesWritesAndItsTimeoutApplies) {
  ASSERT_OK(rw_->BeginWork({.read_only = true, .statement_timeout = milliseconds(150)}));
  EXPECT_ERROR(rw_->Execute("DELETE FROM t"), ErrorCode::kPermissionDenied);
  ASSERT_OK(rw_->EndWork(false));

  ASSERT_OK(rw_->BeginWork({.read_only = true, .statement_timeout = milliseconds(150)}));
  EXPECT_EQ(Scalar(*rw_, "SHOW statement_timeout"), "150ms");
  const auto started = steady_clock::now();
  EXPECT_ERROR(rw_->Execute("SELECT pg_sleep(5)"), ErrorCode::kTimeout);
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(2));
  // The failed statement aborted the transaction: committing reports it.
  EXPECT_ERROR(rw_->EndWork(true), ErrorCode::kInternal);
  // The unit's settings ended with it.
  EXPECT_EQ(Scalar(*rw_, "SHOW statement_timeout"), "30s");
  EXPECT_EQ(Scalar(*rw_, "SHOW transaction_read_only"), "off");

  ASSERT_OK(rw_->BeginWork({.read_only = false}));
  ASSERT_OK(rw_->Execute("DELETE FROM t WHERE id = 3"));
  EXPECT_ERROR(rw_->BeginWork({}), ErrorCode::kInvalidArgument);  // one at a time
  ASSERT_OK(rw_->EndWork(true));
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM t"), "2");
}

TEST_F(PostgresWorkTest, EndWorkOnABrokenConnectionFailsFast) {
  auto c = Connect(*database_);
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->BeginWork({.read_only = false}));
  ASSERT_OK(server_->Query(fmt::format("SELECT pg_terminate_backend({})", BackendPid(*c))));
  const auto started = steady_clock::now();
  EXPECT_ERROR(c->Execute("DELETE FROM t"), ErrorCode::kConnection);
  EXPECT_ERROR(c->EndWork(false), ErrorCode::kConnection);
  EXPECT_ERROR(c->EndWork(true), ErrorCode::kConnection);
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM t"), "3");
}

// Text that COPY's text format must escape, and some that it must not touch.
std::string AwkwardText(int i) {
  switch (i % 7) {
    case 0:
      return fmt::format("tab\there {}", i);
    case 1:
      return fmt::format("new\nline\r\nand CR {}", i);
    case 2:
      return fmt::format("back\\slash \\N \\. {}", i);
    case 3:
      return fmt::format("ünïcødé ✓ 🏀 {}", i);
    case 4:
      return "";
    case 5:
      return fmt::format("'quotes' \"and\" ;semicolons; {}", i);
    default:
      return fmt::format("\\\t\n{}", i);
  }
}

TEST_F(PostgresWorkTest, CopyLoadsTenThousandAwkwardRowsIdentically) {
  ASSERT_OK(rw_->ExecuteScript(
      "CREATE TEMP TABLE loaded (id bigint, body text, ratio double precision)"));
  constexpr int kRows = 10000;
  const std::string_view columns[] = {"id", "body", "ratio"};
  auto loader = rw_->BeginBulkLoad("loaded", columns);
  ASSERT_OK(loader);
  for (int i = 0; i < kRows; ++i) {
    std::vector<Value> row = {int64_t{i}, AwkwardText(i), i / 7.0};
    if (i % 11 == 0) row[1] = std::monostate{};
    if (i % 13 == 0) row[2] = std::monostate{};
    ASSERT_OK((*loader)->AddRow(row));
  }
  auto written = (*loader)->Finish();
  ASSERT_OK(written);
  EXPECT_EQ(*written, kRows);
  loader->reset();

  auto read = rw_->Prepare("SELECT id, body, ratio FROM loaded ORDER BY id");
  ASSERT_OK(read);
  int i = 0;
  while (true) {
    auto row = (*read)->Step();
    ASSERT_OK(row);
    if (!*row) break;
    ASSERT_EQ((*read)->GetInt(0), i);
    if (i % 11 == 0) {
      ASSERT_TRUE((*read)->IsNull(1)) << i;
    } else {
      ASSERT_EQ((*read)->GetText(1), AwkwardText(i)) << i;
    }
    if (i % 13 == 0) {
      ASSERT_TRUE((*read)->IsNull(2)) << i;
    } else {
      ASSERT_EQ((*read)->GetDouble(2), i / 7.0) << i;
    }
    ++i;
  }
  EXPECT_EQ(i, kRows);
}

TEST_F(PostgresWorkTest, BadRowsFailTheLoadAndAnAbandonedLoadWritesNothing) {
  const std::string_view columns[] = {"id", "name"};
  {
    auto loader = rw_->BeginBulkLoad("t", columns);
    ASSERT_OK(loader);
    ASSERT_OK((*loader)->AddRow(std::vector<Value>{int64_t{10}, std::string("ok")}));
    EXPECT_ERROR((*loader)->AddRow(std::vector<Value>{int64_t{11}}), ErrorCode::kInvalidArgument);
    ASSERT_OK((*loader)->AddRow(std::vector<Value>{int64_t{1}, std::string("duplicate id")}));
    auto finished = (*loader)->Finish();
    EXPECT_ERROR(finished, ErrorCode::kAlreadyExists);
  }
  {
    auto loader = rw_->BeginBulkLoad("t", columns);
    ASSERT_OK(loader);
    ASSERT_OK((*loader)->AddRow(std::vector<Value>{int64_t{20}, std::string("never")}));
    // While it is open nothing else may run on the connection.
    EXPECT_ERROR(rw_->Prepare("SELECT 1"), ErrorCode::kInvalidArgument);
  }  // abandoned
  EXPECT_EQ(Scalar(*rw_, "SELECT count(*) FROM t"), "3");
  EXPECT_FALSE(rw_->broken());
  EXPECT_ERROR(rw_->BeginBulkLoad("no_such_table", columns), ErrorCode::kNotFound);
  EXPECT_OK(rw_->Ping());
}

}  // namespace
}  // namespace fastbreak::db
