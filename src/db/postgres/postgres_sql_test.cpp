// The PostgreSQL driver's pure parts: placeholder rewriting, the lexical checks on untrusted
// SQL, and the SQLSTATE classes. No server needed.
#include "db/postgres/postgres_sql.hpp"

#include <gtest/gtest.h>

#include "db/postgres/postgres_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

std::string Rewrite(std::string_view sql, int* count = nullptr) {
  std::string out = "garbage from before";
  const int n = RewritePlaceholders(sql, out);
  if (count != nullptr) *count = n;
  return out;
}

TEST(RewritePlaceholdersTest, NumbersBarePlaceholdersInOrder) {
  int count = 0;
  EXPECT_EQ(Rewrite("SELECT * FROM t WHERE a = ? AND b = ?", &count),
            "SELECT * FROM t WHERE a = $1 AND b = $2");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(Rewrite("INSERT INTO t VALUES(?,?,?)", &count), "INSERT INTO t VALUES($1,$2,$3)");
  EXPECT_EQ(count, 3);
  EXPECT_EQ(Rewrite("SELECT 1", &count), "SELECT 1");
  EXPECT_EQ(count, 0);
  EXPECT_EQ(Rewrite("", &count), "");
  EXPECT_EQ(count, 0);
}

TEST(RewritePlaceholdersTest, NumberedPlaceholdersMayRepeatAndBareOnesContinue) {
  int count = 0;
  EXPECT_EQ(Rewrite("SELECT ?1 + ?1, ?2", &count), "SELECT $1 + $1, $2");
  EXPECT_EQ(count, 2);
  // As SQLite numbers them: a bare ? takes one more than the highest number so far.
  EXPECT_EQ(Rewrite("SELECT ?3, ?, ?1, ?", &count), "SELECT $3, $4, $1, $5");
  EXPECT_EQ(count, 5);
  EXPECT_EQ(Rewrite("SELECT ?, ?1", &count), "SELECT $1, $1");
  EXPECT_EQ(count, 1);
  EXPECT_EQ(Rewrite("SELECT ?12", &count), "SELECT $12");
  EXPECT_EQ(count, 12);
  // Already in PostgreSQL's form: left alone.
  EXPECT_EQ(Rewrite("SELECT $1::int", &count), "SELECT $1::int");
  EXPECT_EQ(count, 0);
}

TEST(RewritePlaceholdersTest, LiteralsIdentifiersAndCommentsAreLeftAlone) {
  int count = 0;
  EXPECT_EQ(Rewrite("SELECT '?', 'it''s ?', ? FROM t", &count), "SELECT '?', 'it''s ?', $1 FROM t");
  EXPECT_EQ(count, 1);
  EXPECT_EQ(Rewrite("SELECT \"a?b\", \"say \"\"?\"\"\" FROM t WHERE x = ?", &count),
            "SELECT \"a?b\", \"say \"\"?\"\"\" FROM t WHERE x = $1");
  EXPECT_EQ(Rewrite("SELECT ? -- why ?\n, ? /* what ? /* nested ? */ still ? */ , ?", &count),
            "SELECT $1 -- why ?\n, $2 /* what ? /* nested ? */ still ? */ , $3");
  EXPECT_EQ(count, 3);
  EXPECT_EQ(Rewrite("SELECT $$ ? $$, $tag$ it's ? $ $tag$, ?", &count),
            "SELECT $$ ? $$, $tag$ it's ? $ $tag$, $1");
  // E-strings escape quotes with a backslash; standard strings do not.
  EXPECT_EQ(Rewrite("SELECT E'\\' ?', '\\', ?", &count), "SELECT E'\\' ?', '\\', $1");
  EXPECT_EQ(count, 1);
  // A word ending in e before a quote is not an E-string prefix.
  EXPECT_EQ(Rewrite("SELECT 'x' AS name, ? FROM t WHERE type='\\'", &count),
            "SELECT 'x' AS name, $1 FROM t WHERE type='\\'");
  EXPECT_EQ(count, 1);
  // Identifiers may contain $ (not a dollar quote).
  EXPECT_EQ(Rewrite("SELECT a$b, ? FROM t", &count), "SELECT a$b, $1 FROM t");
  // An unterminated literal swallows the rest, as the server would.
  EXPECT_EQ(Rewrite("SELECT 'open ?", &count), "SELECT 'open ?");
  EXPECT_EQ(count, 0);
}

TEST(InlineParametersTest, LiteralsReplacePlaceholdersForLogs) {
  const std::vector<const char*> values = {"42", "it's", nullptr, "-1.5"};
  EXPECT_EQ(InlineParameters("SELECT ? , ?2, ?, '?' FROM t WHERE a = ?4 -- ?", values),
            "SELECT 42 , 'it''s', NULL, '?' FROM t WHERE a = -1.5 -- ?");
  EXPECT_EQ(InlineParameters("SELECT ?9", values), "SELECT NULL");
  EXPECT_EQ(InlineParameters("SELECT 1", {}), "SELECT 1");
}

TEST(StatementEndTest, FindsTheFirstSemicolonOutsideLiterals) {
  using detail::StatementEnd;
  EXPECT_EQ(StatementEnd("SELECT 1"), 8u);
  EXPECT_EQ(StatementEnd("SELECT ';'; SELECT 2"), 10u);
  EXPECT_EQ(StatementEnd("SELECT $$;$$ -- ;\n;"), 18u);
  EXPECT_EQ(detail::SkipBlanks("  ; -- x\n /* y */ SELECT", 0), 18u);
}

TEST(UntrustedSqlCheckTest, QueriesPass) {
  for (const char* sql : {
           "SELECT 1", "  -- leading comment\n select name from t; /* trailing */ ; -- done",
           "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT * FROM c",
           "VALUES (1, 2)", "TABLE teams", "(SELECT 1) UNION (SELECT 2)", "EXPLAIN SELECT 1",
           "EXPLAIN ANALYZE VERBOSE SELECT 1",
           "EXPLAIN (ANALYZE, FORMAT JSON) WITH a AS (SELECT 1) SELECT * FROM a",
           "SELECT current_setting('server_version'), upper('pg_sleep(1)'), \"my col\" FROM t",
           "SELECT pg_sleep_col FROM t",  // a column, not a call
       }) {
    auto status = detail::CheckUntrustedSql(sql);
    EXPECT_TRUE(status.has_value()) << sql << " -> " << status.error().ToString();
  }
}

TEST(UntrustedSqlCheckTest, RefusalsNameWhatWasRefused) {
  const struct {
    const char* sql;
    ErrorCode code;
    const char* named;
  } cases[] = {
      {"", ErrorCode::kInvalidArgument, "no SQL statement"},
      {"  ; -- nothing\n", ErrorCode::kInvalidArgument, "no SQL statement"},
      {"SELECT 1; DELETE FROM t", ErrorCode::kInvalidArgument, "one statement at a time"},
      {"SELECT 1; -- fine\n SELECT 2", ErrorCode::kInvalidArgument, "one statement"},
      {"DELETE FROM t", ErrorCode::kPermissionDenied, "DELETE is not allowed"},
      {"insert into t values (1)", ErrorCode::kPermissionDenied, "INSERT is not allowed"},
      {"/* hi */ DROP TABLE t", ErrorCode::kPermissionDenied, "DROP"},
      {"SET statement_timeout = 0", ErrorCode::kPermissionDenied, "SET"},
      {"BEGIN", ErrorCode::kPermissionDenied, "BEGIN"},
      {"COPY t TO '/tmp/x'", ErrorCode::kPermissionDenied, "COPY"},
      {"DO $$ BEGIN END $$", ErrorCode::kPermissionDenied, "DO"},
      {"EXPLAIN DELETE FROM t", ErrorCode::kPermissionDenied, "EXPLAIN DELETE"},
      {"EXPLAIN ANALYZE UPDATE t SET x = 1", ErrorCode::kPermissionDenied, "EXPLAIN UPDATE"},
      {"SELECT pg_read_file('/etc/passwd')", ErrorCode::kPermissionDenied,
       "function pg_read_file()"},
      {"SELECT * FROM PG_CATALOG.PG_LS_DIR('.')", ErrorCode::kPermissionDenied,
       "function PG_LS_DIR()"},
      {"SELECT \"pg_sleep\" (10)", ErrorCode::kPermissionDenied, "function pg_sleep()"},
      {"SELECT pg_sleep_for('1 minute')", ErrorCode::kPermissionDenied, "pg_sleep_for"},
      {"SELECT pg_advisory_lock(1)", ErrorCode::kPermissionDenied, "pg_advisory_lock"},
      {"SELECT pg_terminate_backend(1)", ErrorCode::kPermissionDenied, "pg_terminate_backend"},
      {"SELECT set_config('statement_timeout', '0', false)", ErrorCode::kPermissionDenied,
       "set_config"},
      {"SELECT nextval('s')", ErrorCode::kPermissionDenied, "nextval"},
      {"SELECT dblink_exec('x', 'y')", ErrorCode::kPermissionDenied, "dblink_exec"},
      {"SELECT query_to_xml('DELETE FROM t', true, true, '')", ErrorCode::kPermissionDenied,
       "query_to_xml"},
      {"SELECT U&\"\\0070g_sleep\"(1)", ErrorCode::kPermissionDenied, "Unicode escapes"},
      {"WITH a AS (SELECT pg_reload_conf()) SELECT * FROM a", ErrorCode::kPermissionDenied,
       "pg_reload_conf"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.sql);
    auto status = detail::CheckUntrustedSql(c.sql);
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().code, c.code) << status.error().ToString();
    EXPECT_NE(status.error().message.find(c.named), std::string::npos) << status.error().message;
  }
}

TEST(UntrustedSqlCheckTest, NamesInsideLiteralsAndCommentsAreNotCalls) {
  EXPECT_OK(detail::CheckUntrustedSql("SELECT 'pg_sleep(1)', $x$ pg_read_file('a') $x$"));
  EXPECT_OK(detail::CheckUntrustedSql("SELECT 1 -- pg_sleep(100)\n /* nextval('s') */"));
  EXPECT_OK(detail::CheckUntrustedSql("SELECT 'a; DELETE FROM t'"));
}

TEST(PostgresErrorCodeTest, SqlstatesMapToClasses) {
  EXPECT_EQ(PostgresErrorCode("08006"), ErrorCode::kConnection);
  EXPECT_EQ(PostgresErrorCode("08P01"), ErrorCode::kConnection);
  EXPECT_EQ(PostgresErrorCode("57P01"), ErrorCode::kConnection);
  EXPECT_EQ(PostgresErrorCode("57P03"), ErrorCode::kConnection);
  EXPECT_EQ(PostgresErrorCode("53300"), ErrorCode::kConnection);
  EXPECT_EQ(PostgresErrorCode("57014"), ErrorCode::kTimeout);
  EXPECT_EQ(PostgresErrorCode("57014", true), ErrorCode::kCancelled);
  EXPECT_EQ(PostgresErrorCode("40001"), ErrorCode::kBusy);
  EXPECT_EQ(PostgresErrorCode("40P01"), ErrorCode::kBusy);
  EXPECT_EQ(PostgresErrorCode("55P03"), ErrorCode::kBusy);
  EXPECT_EQ(PostgresErrorCode("23505"), ErrorCode::kAlreadyExists);
  EXPECT_EQ(PostgresErrorCode("23503"), ErrorCode::kConstraint);
  EXPECT_EQ(PostgresErrorCode("23514"), ErrorCode::kConstraint);
  EXPECT_EQ(PostgresErrorCode("42601"), ErrorCode::kSyntax);
  EXPECT_EQ(PostgresErrorCode("42803"), ErrorCode::kSyntax);
  EXPECT_EQ(PostgresErrorCode("42P01"), ErrorCode::kNotFound);
  EXPECT_EQ(PostgresErrorCode("42703"), ErrorCode::kNotFound);
  EXPECT_EQ(PostgresErrorCode("42883"), ErrorCode::kNotFound);
  EXPECT_EQ(PostgresErrorCode("25006"), ErrorCode::kPermissionDenied);
  EXPECT_EQ(PostgresErrorCode("42501"), ErrorCode::kPermissionDenied);
  EXPECT_EQ(PostgresErrorCode("22P02"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(PostgresErrorCode("54000"), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(PostgresErrorCode("XX000"), ErrorCode::kInternal);
  EXPECT_EQ(PostgresErrorCode(""), ErrorCode::kInternal);
}

TEST(PostgresOpenTest, BadDsnsAndOptionsAreRefusedWithoutConnecting) {
  EXPECT_ERROR(PostgresDatabase::Open({.dsn = "host=127.0.0.1 bogus_key=1"}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(PostgresDatabase::Open({.dsn = "postgresql://[::1"}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(PostgresDatabase::Open({.dsn = "host=x", .statement_cache_capacity = 0}),
               ErrorCode::kInvalidArgument);
  auto database = PostgresDatabase::Open({.dsn = "host=127.0.0.1 port=1 dbname=x"});
  ASSERT_OK(database);
  EXPECT_EQ((*database)->Kind(), "postgres");
  // Nothing listens on port 1: the error is a connection error, quickly.
  EXPECT_ERROR((*database)->Connect(AccessMode::kReadOnly), ErrorCode::kConnection);
}

}  // namespace
}  // namespace fastbreak::db
