// SQLite statement and connection classes; internal to the sqlite backend.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "db/sqlite/sqlite_database.hpp"

namespace fastbreak::db::detail {

// The checks on one untrusted statement (Connection::PrepareUntrusted), shared with the
// connection's authorizer and progress handler while the statement compiles or steps. Owned by
// the statement, so its address is stable for the statement's life.
struct UntrustedGuard {
  UntrustedLimits limits;
  std::chrono::steady_clock::time_point deadline;
  bool timed_out = false;  // set by the progress handler when it stopped the statement
  std::string refused;     // what the authorizer refused first: "INSERT into teams"
};

// The error for a failed compile or step of an untrusted statement: kTimeout when the deadline
// stopped it, kPermissionDenied naming what the authorizer refused, otherwise SqliteError.
Error UntrustedError(int code, const UntrustedGuard& guard, std::string_view sql, sqlite3* db);

class SqliteStatement final : public Statement {
 public:
  // `guard`, when set, makes the statement untrusted: each Step() runs under its checks
  // (installed through `scope_slot`, the connection's active-guard pointer), and GetValue()
  // reads a BLOB as the text "<blob N bytes>".
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db, DbMetrics* metrics, std::string_view key,
                  std::unique_ptr<UntrustedGuard> guard = nullptr,
                  UntrustedGuard** scope_slot = nullptr)
      : stmt_(stmt),
        db_(db),
        metrics_(metrics),
        key_(key),
        guard_(std::move(guard)),
        scope_slot_(scope_slot) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void BindNull(int index) override { Check(sqlite3_bind_null(stmt_, index)); }
  void Bind(int index, int64_t value) override { Check(sqlite3_bind_int64(stmt_, index, value)); }
  void Bind(int index, double value) override { Check(sqlite3_bind_double(stmt_, index, value)); }
  void Bind(int index, std::string_view value) override {
    Check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8));
  }
  void BindStatic(int index, std::string_view value) override {
    Check(
        sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  using Statement::Bind;

  Result<bool> Step() override;

  int ColumnCount() const override { return sqlite3_column_count(stmt_); }
  std::string_view ColumnName(int column) const override {
    const char* name = sqlite3_column_name(stmt_, column);
    return name == nullptr ? std::string_view() : std::string_view(name);
  }
  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int64_t GetInt(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double GetDouble(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string_view GetText(int column) const override;
  Value GetValue(int column) const override;
  void Reset() override;
  std::string_view Sql() const override { return key_; }
  std::string ExpandedSql() const override;

 private:
  Result<bool> StepOnce();
  void Finish(bool failed);
  // Remembers the first failed bind; Step() reports it.
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  }

  sqlite3_stmt* stmt_;
  sqlite3* db_;
  DbMetrics* metrics_;
  std::string key_;             // the SQL text as given to Prepare: the statement cache key
  int bind_error_ = SQLITE_OK;  // first failed bind since the last Reset
  bool running_ = false;
  int64_t rows_seen_ = 0;  // rows stepped through since the execution started
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<UntrustedGuard> guard_;  // null for trusted (cached) statements
  UntrustedGuard** scope_slot_;
};

// While alive, applies `guard` to `db`: the connection's authorizer consults it (through
// `slot`), a progress handler enforces its deadline, and its limits replace the connection's
// length limits. The destructor restores everything. REQUIRES: not nested.
class UntrustedScope {
 public:
  UntrustedScope(sqlite3* db, UntrustedGuard** slot, UntrustedGuard& guard);
  ~UntrustedScope();
  UntrustedScope(const UntrustedScope&) = delete;
  UntrustedScope& operator=(const UntrustedScope&) = delete;

 private:
  sqlite3* db_;
  UntrustedGuard** slot_;
  int saved_length_;
  int saved_sql_length_;
  int saved_attached_;
};

class SqliteConnection final : public Connection {
 public:
  // Installs the authorizer that checks untrusted statements; it allows everything while no
  // untrusted statement is compiling or stepping.
  SqliteConnection(sqlite3* db, AccessMode mode, int cache_capacity, DbMetrics* metrics);
  ~SqliteConnection() override;

  AccessMode mode() const override { return mode_; }
  Dialect dialect() const override { return Dialect::kSqlite; }
  Status Ping() override;
  std::string last_sql() const override;
  Status ExecuteScript(std::string_view sql) override;
  Result<StatementPtr> Prepare(std::string_view sql) override;
  Result<StatementPtr> PrepareUntrusted(std::string_view sql,
                                        const UntrustedLimits& limits) override;
  int64_t Changes() const override { return sqlite3_changes64(db_); }
  void Interrupt() override { sqlite3_interrupt(db_); }
  Status BeginTransaction() override {
    return ExecuteScript(mode_ == AccessMode::kReadWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  sqlite3* handle() const { return db_; }

 protected:
  void ReturnStatement(Statement* statement) override;

 private:
  // Idle statements, least recently returned first. A statement checked out by Prepare
  // belongs to its StatementPtr until it comes back through ReturnStatement.
  using IdleList = std::list<std::unique_ptr<SqliteStatement>>;
  sqlite3* db_;
  AccessMode mode_;
  int cache_capacity_;
  DbMetrics* metrics_;
  IdleList lru_;
  // Keys view the SQL text owned by the statements in lru_, so a lookup allocates nothing.
  std::unordered_multimap<std::string_view, IdleList::iterator> idle_;
  // The SQL of the last statement prepared, for last_sql() (read by a pool's leak check from
  // another thread).
  void NoteSql(std::string_view sql);
  mutable std::mutex last_sql_mutex_;
  std::string last_sql_;  // guarded by last_sql_mutex_
  // The untrusted statement compiling or stepping right now, or null; read by the authorizer.
  UntrustedGuard* active_guard_ = nullptr;
};

}  // namespace fastbreak::db::detail
