// The storage interfaces every backend implements (SQLite and PostgreSQL). Callers hold a
// Connection for a unit of work, prepare statements through it and read typed columns. SQL is
// written once, in the subset both engines accept; parameters are `?` or `?N` (1-based) and a
// backend that numbers them differently rewrites them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace fastbreak::db {

// The SQL dialect a connection speaks (for the few statements that differ: schema, admin).
enum class Dialect { kSqlite, kPostgres };

enum class AccessMode {
  kReadWrite,
  kReadOnly,  // refuses writes at the engine level (opened read-only, query_only)
};

// A value bound to or read from a statement. monostate is SQL NULL.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

// A compiled statement, checked out of its connection's cache. Not thread-safe: use it on the
// thread that holds the connection, and destroy it before the connection.
class Statement {
 public:
  virtual ~Statement() = default;

  // Parameters are 1-based. Text is copied unless stated otherwise.
  virtual void BindNull(int index) = 0;
  virtual void Bind(int index, int64_t value) = 0;
  virtual void Bind(int index, double value) = 0;
  virtual void Bind(int index, std::string_view value) = 0;
  // Binds text without copying it. REQUIRES: `value` stays valid and unchanged until the
  // statement is re-bound, reset or destroyed. Backends that must copy anyway may.
  virtual void BindStatic(int index, std::string_view value) { Bind(index, value); }
  void Bind(int index, int value) { Bind(index, static_cast<int64_t>(value)); }
  void Bind(int index, const char* value) { Bind(index, std::string_view(value)); }
  void Bind(int index, const std::string& value) { Bind(index, std::string_view(value)); }
  void Bind(int index, const Value& value);
  // Binds every argument in order starting at parameter 1.
  template <typename... Args>
  void BindAll(const Args&... args) {
    int index = 1;
    (Bind(index++, args), ...);
  }

  // Advances: true when a row is ready to read, false when the statement is done. A failed
  // Bind since the last Reset (index out of range, value too big) is reported here, as
  // kInvalidArgument / kPayloadTooLarge, before anything runs.
  virtual Result<bool> Step() = 0;
  // Runs to completion, discarding rows, then resets for the next execution (bindings cleared).
  Status Run();

  virtual int ColumnCount() const = 0;
  virtual std::string_view ColumnName(int column) const = 0;
  // Columns are 0-based; valid only after Step() returned true.
  virtual bool IsNull(int column) const = 0;
  virtual int64_t GetInt(int column) const = 0;
  virtual double GetDouble(int column) const = 0;
  // Valid until the next Step() or Reset().
  virtual std::string_view GetText(int column) const = 0;
  virtual Value GetValue(int column) const = 0;

  // Makes the statement ready to execute again and clears its bindings.
  virtual void Reset() = 0;
  virtual std::string_view Sql() const = 0;
  // The SQL with the current bindings inlined as literals (for samples and slow-query logs).
  // Valid while bound: before Reset(). Backends that cannot return Sql().
  virtual std::string ExpandedSql() const { return std::string(Sql()); }
};

// What one execution of a statement did, reported when it finishes: when Step() returns
// false or fails, or when the statement is reset or destroyed part way through its rows.
struct StatementEvent {
  const Statement* statement = nullptr;  // valid during the call only
  Dialect dialect = Dialect::kSqlite;
  std::chrono::nanoseconds elapsed{0};  // from the first Step() to the finish
  int64_t rows = 0;                     // rows stepped through
  bool failed = false;
  bool untrusted = false;  // prepared with PrepareUntrusted (an agent's SQL)
};

// Sees every statement a database's connections run (set through the backend's metrics).
class StatementObserver {
 public:
  virtual ~StatementObserver() = default;
  // Runs on the thread that ran the statement, right after it finished. Must be cheap, must
  // not throw, and must not use the statement's connection.
  virtual void OnStatement(const StatementEvent& event) noexcept = 0;
};

// Bounds on SQL written by an untrusted party (an agent's run_sql query).
struct UntrustedLimits {
  // Wall-clock budget from PrepareUntrusted until the statement is destroyed; past it Step()
  // fails with kTimeout. Longer lets heavier analytics finish; shorter frees the connection
  // sooner.
  std::chrono::milliseconds timeout{2000};
  // Longest SQL text accepted, bytes (longer: kPayloadTooLarge).
  size_t max_sql_bytes = 10000;
  // Largest string or blob the statement may read or build, bytes (larger: kPayloadTooLarge
  // from Step). Bounds memory spent on zeroblob(), printf('%.*c', ...) and the like.
  int max_value_bytes = 1 << 20;
};

// What one unit of work (a tool call, an import batch) asks of its connection.
struct WorkOptions {
  // Refuse writes for the whole unit (PostgreSQL: BEGIN READ ONLY).
  bool read_only = true;
  // Longest a single statement of the unit may run (PostgreSQL: SET LOCAL statement_timeout);
  // 0 = the connection's default. Past it the statement fails with kTimeout.
  std::chrono::milliseconds statement_timeout{0};
};

// Loads rows into one table as fast as the backend can (PostgreSQL: COPY FROM STDIN; SQLite: a
// prepared INSERT reused for every row). Rows become visible with the surrounding transaction.
// Not thread-safe. REQUIRES: the connection outlives the loader; nothing else runs on the
// connection until Finish() or destruction (which abandons the load: PostgreSQL fails the COPY).
class BulkLoader {
 public:
  virtual ~BulkLoader() = default;
  // One row, values in the column order given to BeginBulkLoad. Errors may surface here or
  // only at Finish() (PostgreSQL validates the rows server-side).
  virtual Status AddRow(std::span<const Value> row) = 0;
  // Ends the load; returns the rows written.
  virtual Result<int64_t> Finish() = 0;
};

class Connection;

// Returns a statement to its connection's cache instead of deleting it.
struct StatementReturner {
  Connection* owner = nullptr;
  void operator()(Statement* statement) const;
};
using StatementPtr = std::unique_ptr<Statement, StatementReturner>;

// All rows of a query, for small results (tests, admin commands). Hot paths step statements.
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
};

// One session with a database. Not thread-safe, except Interrupt().
class Connection {
 public:
  virtual ~Connection() = default;

  virtual AccessMode mode() const = 0;
  virtual Dialect dialect() const = 0;

  // One round trip that proves the session works. kConnection when it does not (the
  // connection is then broken()).
  virtual Status Ping() = 0;
  // True once the connection failed in a way that makes it unusable (the server went away, the
  // backend was terminated). A pool closes such a connection instead of reusing it.
  virtual bool broken() const { return false; }
  // The SQL of the statement most recently prepared or run (for leak and slow-call reports).
  // Thread-safe: a pool reads it while the holder goes on using the connection.
  virtual std::string last_sql() const { return {}; }

  // Runs one or more ';'-separated statements that return no rows (DDL, BEGIN, PRAGMA).
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // A prepared statement for one SQL statement, from this connection's cache when it was
  // prepared before. Errors: kSyntax (does not compile), kNotFound (no such table/column).
  virtual Result<StatementPtr> Prepare(std::string_view sql) = 0;

  // Prepares SQL from an untrusted source. Accepted: exactly one statement (comments and
  // whitespace may follow it) that only reads: SELECT, WITH (recursive CTEs included), VALUES,
  // EXPLAIN of those, calling ordinary functions. Refused, with the database unchanged:
  //   kInvalidArgument  empty text, or anything but comments after the first statement
  //   kPayloadTooLarge  text longer than limits.max_sql_bytes
  //   kPermissionDenied writes, DDL, ATTACH/DETACH, PRAGMA, transactions, ANALYZE, VACUUM,
  //                     REINDEX, load_extension() and file functions; the message names what
  //                     was refused
  //   kSyntax/kNotFound the text does not compile, with the engine's message
  // Step() on the result fails with kTimeout once limits.timeout has passed since this call,
  // and with kCancelled after Interrupt(). The statement is never cached, and the checks apply
  // to it alone: other statements on this connection are unaffected. Its GetValue() reads a
  // BLOB as the text "<blob N bytes>". Backends without support return kUnsupported.
  virtual Result<StatementPtr> PrepareUntrusted(std::string_view /*sql*/,
                                                const UntrustedLimits& /*limits*/) {
    return MakeError(ErrorCode::kUnsupported, "this database backend cannot run untrusted SQL");
  }

  // Rows changed by the last INSERT/UPDATE/DELETE.
  virtual int64_t Changes() const = 0;

  // Makes a running statement on this connection fail with kCancelled. Thread-safe.
  virtual void Interrupt() = 0;

  // Starts a transaction (SQLite: BEGIN IMMEDIATE, which takes the write lock up front so a
  // later write cannot fail on a lock upgrade). Use Transaction rather than calling this.
  virtual Status BeginTransaction() { return ExecuteScript("BEGIN"); }

  // Brackets one unit of work. PostgreSQL opens a transaction (READ ONLY when asked) with the
  // statement timeout; EndWork commits it, or rolls back when `commit` is false. SQLite runs
  // each statement on its own (read-only connections refuse writes already).
  virtual Status BeginWork(const WorkOptions& /*options*/) { return Ok(); }
  virtual Status EndWork(bool /*commit*/) { return Ok(); }

  // Sends every bound statement in `statements` before reading any result (PostgreSQL:
  // pipeline mode, one round trip for all); each statement's Step() then reads its own rows.
  // A statement that fails reports its error from its first Step(). Backends without
  // pipelining do nothing here and run each statement on its first Step().
  // REQUIRES: the statements came from this connection, are bound, and have not stepped.
  virtual Status Prefetch(std::span<Statement* const> /*statements*/) { return Ok(); }

  // Starts a bulk load into `table` (see BulkLoader). The default prepares
  // INSERT INTO table(columns) VALUES (?, ...).
  virtual Result<std::unique_ptr<BulkLoader>> BeginBulkLoad(
      std::string_view table, std::span<const std::string_view> columns);

  // Convenience wrappers over Prepare.
  Result<QueryResult> Query(std::string_view sql, std::span<const Value> params = {});
  // Executes and returns the number of rows changed.
  Result<int64_t> Execute(std::string_view sql, std::span<const Value> params = {});
  // The first column of the first row, or kNotFound when there is no row.
  Result<Value> QueryScalar(std::string_view sql, std::span<const Value> params = {});

 protected:
  friend struct StatementReturner;
  // Takes back a statement checked out by Prepare. REQUIRES: it came from this connection.
  virtual void ReturnStatement(Statement* statement) = 0;
};

// A transaction that rolls back unless committed. REQUIRES: the connection outlives it.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& connection);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status Commit();
  Status Rollback();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}
  Connection* connection_;
};

// A database: hands out connections. Thread-safe.
class Database {
 public:
  virtual ~Database() = default;
  virtual Result<std::unique_ptr<Connection>> Connect(AccessMode mode) = 0;
  // "sqlite" or "postgres"
  virtual std::string_view Kind() const = 0;
};

}  // namespace fastbreak::db
