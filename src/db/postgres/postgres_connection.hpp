// PostgreSQL connection and statement classes; internal to the postgres backend.
//
// The socket is non-blocking and every wait is a poll() bounded by a deadline: the statement
// timeout (the unit of work's, else the session's) plus a grace period, or the connect timeout
// for Ping. A server that does not answer by then is treated as gone: the connection becomes
// broken(). Results are read whole (PQexecPrepared semantics) except for untrusted statements,
// which stream one row at a time so that a huge result cannot fill memory.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/postgres/postgres_database.hpp"

namespace fastbreak::db::detail {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// The error of a failed command: the SQLSTATE's class (PostgresErrorCode), the server's
// message and detail, and `sql` (shortened) for context. A null `result` means the connection
// failed (kConnection, libpq's message).
Error PostgresError(const PGresult* result, PGconn* conn, std::string_view sql, bool cancelled);

// True for failures after which the session cannot be used: SQLSTATE class 08, 57P01..57P03.
bool IsConnectionFailure(std::string_view sqlstate);

class PostgresConnection;

// The checks and state of one untrusted statement (Connection::PrepareUntrusted).
struct UntrustedState {
  UntrustedLimits limits;
  std::chrono::steady_clock::time_point deadline;
  bool in_outer_transaction = false;  // guarded by a savepoint rather than BEGIN/ROLLBACK
  bool streaming = false;             // rows are being read; the connection is busy
};

class PostgresStatement final : public Statement {
 public:
  // `description` is PQdescribePrepared's result for `name`. `untrusted`, when set, makes the
  // statement untrusted (never cached, run under its limits).
  PostgresStatement(PostgresConnection* connection, std::string_view key, std::string name,
                    PgResult description, DbMetrics* metrics,
                    std::unique_ptr<UntrustedState> untrusted = nullptr);
  ~PostgresStatement() override;
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

  void BindNull(int index) override;
  void Bind(int index, int64_t value) override;
  void Bind(int index, double value) override;
  void Bind(int index, std::string_view value) override;
  using Statement::Bind;

  Result<bool> Step() override;

  int ColumnCount() const override { return PQnfields(description_.get()); }
  std::string_view ColumnName(int column) const override;
  bool IsNull(int column) const override;
  int64_t GetInt(int column) const override;
  double GetDouble(int column) const override;
  std::string_view GetText(int column) const override;
  Value GetValue(int column) const override;
  void Reset() override;
  std::string_view Sql() const override { return key_; }
  std::string ExpandedSql() const override;

  const std::string& name() const { return name_; }
  bool untrusted() const { return untrusted_ != nullptr; }
  // For Prefetch: true when the statement may be sent now (bound without error, not run).
  bool ReadyToSend() const { return !executed_ && !prefetched_ && bind_error_.empty(); }
  // Sends the execution (pipeline mode); the result arrives through SetPrefetched.
  bool SendPrepared(PGconn* conn);
  // Hands over the pipelined result (or its error) for the first Step() to read.
  void SetPrefetched(Result<PgResult> result);
  // Stops a streaming untrusted statement (cancel, drain, end its transaction). The connection
  // calls it with `by_other` before anything else runs on it; the statement's next Step()
  // then fails rather than pretend its rows ended.
  void Abandon(bool by_other = false);

 private:
  friend class PostgresConnection;
  Status Execute();
  Result<bool> StepUntrusted();
  // Ends the untrusted statement's transaction (or savepoint), undoing its settings.
  Status FinishUntrusted();
  // Marks the stream over: the connection is free for other commands.
  void EndStream();
  void Finish(bool failed);
  const char* Cell(int column) const { return PQgetvalue(result_.get(), row_, column); }
  std::string* Slot(int index);
  Oid Type(int column) const { return PQftype(description_.get(), column); }

  PostgresConnection* connection_;
  DbMetrics* metrics_;
  std::string key_;   // the SQL as given to Prepare: the statement cache key
  std::string name_;  // the server-side prepared statement
  PgResult description_;
  int param_count_;
  // Parameters as text; a null pointer in pointers_ is SQL NULL.
  std::vector<std::string> values_;
  std::vector<const char*> pointers_;
  std::string bind_error_;  // the first failed bind since the last Reset
  PgResult result_;
  int row_ = -1;
  int rows_ = 0;
  bool executed_ = false;
  bool prefetched_ = false;
  bool running_ = false;   // between the first Step and completion, for metrics
  int64_t rows_seen_ = 0;  // rows stepped through since the execution started
  std::chrono::steady_clock::time_point started_;
  Result<PgResult> prefetched_result_;
  std::unique_ptr<UntrustedState> untrusted_;
  bool stopped_by_other_ = false;  // Abandon(true) ended the stream early
};

class PostgresConnection final : public Connection {
 public:
  // Takes ownership of `conn` (connected); `options` gives the timeouts and the statement
  // cache's capacity. REQUIRES: `metrics` (may be null) outlives the connection.
  PostgresConnection(PGconn* conn, AccessMode mode, const PostgresOptions& options,
                     DbMetrics* metrics);
  ~PostgresConnection() override;

  AccessMode mode() const override { return mode_; }
  Dialect dialect() const override { return Dialect::kPostgres; }
  Status Ping() override;
  bool broken() const override { return broken_; }
  std::string last_sql() const override {
    std::lock_guard lock(last_sql_mutex_);
    return last_sql_;
  }
  Status ExecuteScript(std::string_view sql) override;
  Result<StatementPtr> Prepare(std::string_view sql) override;
  Result<StatementPtr> PrepareUntrusted(std::string_view sql,
                                        const UntrustedLimits& limits) override;
  int64_t Changes() const override { return changes_; }
  // Thread-safe. While a command runs, sends a cancel request (PQcancel: a short connection
  // to the server, so the caller blocks for a round trip); the waiting thread sends it again
  // if the command has not stopped 250 ms later (a request that reached the server between
  // two commands is ignored there). Does nothing while no command runs.
  void Interrupt() override;
  Status BeginWork(const WorkOptions& options) override;
  Status EndWork(bool commit) override;
  Status Prefetch(std::span<Statement* const> statements) override;
  Result<std::unique_ptr<BulkLoader>> BeginBulkLoad(
      std::string_view table, std::span<const std::string_view> columns) override;

  // --- for the statement and the bulk loader ---
  PGconn* conn() const { return conn_; }
  // kConnection when broken; finishes a streaming untrusted statement first.
  Status CheckUsable();
  // Marks the connection unusable; later calls fail with kConnection naming `reason`.
  void MarkBroken(std::string_view reason);
  // The deadline for waiting on one command: the statement timeout in force plus a grace.
  std::chrono::steady_clock::time_point CommandDeadline() const;
  // Starts / ends a command that Interrupt() may cancel; Begin clears an earlier interrupt.
  void BeginCommand();
  void EndCommand() { running_.store(false); }
  bool interrupted() const { return interrupt_requested_.load(); }
  // Flushes what libpq has queued to the socket.
  Status Flush(std::chrono::steady_clock::time_point deadline);
  // The next result of the command in flight, or null when it has no more. Errors (no answer
  // by the deadline, socket failure) mark the connection broken.
  Result<PgResult> NextResult(std::chrono::steady_clock::time_point deadline);
  // Every result of the command in flight: the first failed one as an error, else the last.
  Result<PgResult> Collect(std::string_view sql, std::chrono::steady_clock::time_point deadline);
  // Sends a simple-protocol query (one or more statements) and collects it.
  Result<PgResult> Exec(std::string_view sql, std::chrono::steady_clock::time_point deadline);
  // Turns a failed result (null: a failed send or socket) into an Error, marking the
  // connection broken for connection-class failures.
  Error Fail(const PGresult* result, std::string_view sql);
  // Records PQcmdTuples of a completed INSERT/UPDATE/DELETE/MERGE/COPY for Changes().
  void RecordChanges(const PGresult* result);
  void set_streaming(PostgresStatement* statement) { streaming_ = statement; }
  PostgresStatement* streaming() const { return streaming_; }
  void set_bulk_loading(bool loading) { bulk_loading_ = loading; }
  // Remembers the SQL for last_sql() (reusing the buffer: no allocation once it is large).
  void NoteSql(std::string_view sql) {
    std::lock_guard lock(last_sql_mutex_);
    last_sql_.assign(sql);
  }
  // Asks the server to cancel the command in flight (PQcancel; blocks for one round trip).
  void SendCancel();

 protected:
  void ReturnStatement(Statement* statement) override;

 private:
  // Waits until the socket is readable (and writable, when `write`) or the deadline passes.
  Status Wait(bool write, std::chrono::steady_clock::time_point deadline);
  // Runs DEALLOCATE for statements evicted from the cache (batched; only while no
  // transaction is open).
  void DeallocateEvicted();
  Result<PgResult> PrepareNamed(const std::string& name, std::string_view sql);

  using IdleList = std::list<std::unique_ptr<PostgresStatement>>;
  PGconn* conn_;
  PGcancel* cancel_;  // made at connect; PQcancel on it is thread-safe
  AccessMode mode_;
  PostgresOptions options_;
  DbMetrics* metrics_;
  bool broken_ = false;
  std::string broken_reason_;
  mutable std::mutex last_sql_mutex_;  // last_sql() is read by the pool's leak check
  std::string last_sql_;               // guarded by last_sql_mutex_
  int64_t changes_ = 0;
  uint64_t next_name_ = 0;
  // The statement timeout of the open unit of work (BeginWork), 0 when none or none set.
  std::chrono::milliseconds work_timeout_{0};
  bool in_work_ = false;
  bool bulk_loading_ = false;
  PostgresStatement* streaming_ = nullptr;
  std::atomic<bool> running_{false};
  std::atomic<bool> interrupt_requested_{false};
  std::chrono::steady_clock::time_point last_cancel_;
  // Idle statements, least recently returned first; keys view the SQL text owned by the
  // statements, so a lookup allocates nothing.
  IdleList lru_;
  std::unordered_multimap<std::string_view, IdleList::iterator> idle_;
  std::vector<std::string> evicted_;  // server-side names waiting for DEALLOCATE
};

}  // namespace fastbreak::db::detail
