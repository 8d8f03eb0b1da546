// The PostgreSQL backend on libpq: prepared statements (named, cached per connection), text
// results read on demand, pipeline mode for Prefetch, COPY for bulk loads, cancellation with
// PQcancel, and SQLSTATE classes mapped onto the same error codes as SQLite.
//
// How it differs from the SQLite backend, where the engines differ:
// - Parameters travel as text with no declared type, so the server infers each from its
//   context: `SELECT ?` reads back as text, `? + 1` wants an integer. Cast where the context
//   says nothing (`?::bigint`). Doubles are sent as the shortest text that reads back exactly.
//   BindStatic copies (libpq needs NUL-terminated text).
// - `?` is always a placeholder outside literals and comments: PostgreSQL's jsonb operators
//   ?, ?| and ?& cannot be written (SQLite has no such operators either).
// - Every wait on the server is bounded: by the statement timeout in force (the unit of
//   work's, else the session's) plus 2 s, and Ping by the connect timeout. A server silent
//   past that is treated as gone (kConnection, broken()). With statement_timeout = 0 there is
//   no bound.
// - Changes() counts rows of the last INSERT/UPDATE/DELETE/MERGE/COPY; a SELECT leaves it.
// - Prefetch sends each statement with its own pipeline sync, so outside a unit of work each
//   is its own implicit transaction and one failure leaves the others' results intact (inside
//   a unit of work a failure aborts the transaction, as it would without the pipeline). A
//   statement the server reports as pipeline-aborted is simply run by its first Step().
// - Untrusted SQL: checked lexically first (one statement; SELECT, WITH, VALUES, TABLE or
//   EXPLAIN of those; no calls of file, session, configuration, sleep, lock, sequence or
//   SQL-running functions), then run in a READ ONLY transaction (a read-only savepoint inside
//   an open one) whose SET LOCAL statement_timeout is what is left of limits.timeout; writes
//   hidden in a WITH are refused there, at the first Step(). Rows are streamed one at a time
//   (single-row mode), so a huge result costs no memory; a statement dropped early cancels the
//   rest. max_value_bytes applies to the values returned, not to intermediate values. BYTEA
//   reads as "<blob N bytes>". The DSN's user should still be one that may only read.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "db/database.hpp"
#include "db/sqlite/sqlite_database.hpp"  // DbMetrics

namespace fastbreak::db {

struct PostgresOptions {
  // libpq connection string or URI: "host=127.0.0.1 port=5432 dbname=nba user=fastbreak" or
  // "postgresql://user@127.0.0.1:5432/nba".
  std::string dsn;
  // Longest a connection attempt may take (libpq connect_timeout, rounded up to whole seconds,
  // minimum 1 s). Bounds how long a pool waits on an unreachable server.
  std::chrono::milliseconds connect_timeout{3000};
  // Default statement_timeout of every session; a unit of work may set its own (WorkOptions).
  // 0 = no limit.
  std::chrono::milliseconds statement_timeout{30000};
  // Shown in pg_stat_activity.application_name.
  std::string application_name = "fastbreak";
  // Prepared statements kept per connection (LRU; evicted ones are DEALLOCATEd, in one batch
  // before the next statement is prepared). Each costs server memory for its plan.
  int statement_cache_capacity = 128;
};

class PostgresDatabase final : public Database {
 public:
  // Checks the DSN parses (kInvalidArgument otherwise); does not connect. `metrics` may be null.
  // REQUIRES: metrics outlives the database.
  static Result<std::unique_ptr<PostgresDatabase>> Open(PostgresOptions options,
                                                        DbMetrics* metrics = nullptr);

  // A new session. kReadOnly sessions run with default_transaction_read_only = on. The
  // session's statement_timeout and application_name (unless the DSN names one) are set at
  // connect, through the startup packet's options. Interrupt() on the connection opens a
  // short connection to the server to cancel (PQcancel), so it blocks its caller for a round
  // trip. Errors: kConnection (unreachable, refused, authentication failed, server starting
  // up or shutting down), with libpq's message.
  Result<std::unique_ptr<Connection>> Connect(AccessMode mode) override;
  std::string_view Kind() const override { return "postgres"; }
  const PostgresOptions& options() const { return options_; }

 private:
  PostgresDatabase(PostgresOptions options, DbMetrics* metrics)
      : options_(std::move(options)), metrics_(metrics) {}
  PostgresOptions options_;
  DbMetrics* metrics_;
};

// The error class of a SQLSTATE (five characters), as the SQLite driver would report the same
// failure:
//   08xxx, 57P01..57P03, 53300 (too many connections)  kConnection
//   57014 (query_canceled)                            kTimeout (statement timeout) or
//                                                     kCancelled (PQcancel), by `cancelled`
//   40001, 40P01 (serialization, deadlock), 55P03      kBusy
//   23505 (unique)                                     kAlreadyExists
//   23xxx (other integrity)                            kConstraint
//   42601, 42xxx syntax/grouping errors                kSyntax
//   42P01, 42703, 42883 (undefined table/column/fn)    kNotFound
//   25006 (read_only_sql_transaction), 42501           kPermissionDenied
//   22xxx (data exception)                             kInvalidArgument
//   54xxx (program limit)                              kPayloadTooLarge
//   anything else                                      kInternal
ErrorCode PostgresErrorCode(std::string_view sqlstate, bool cancelled = false);

// Rewrites `?` and `?N` placeholders to `$N`, leaving string literals, quoted identifiers,
// dollar-quoted strings and comments alone. `?` after `?N` continues from the highest N seen,
// as SQLite numbers them. Returns the number of parameters.
int RewritePlaceholders(std::string_view sql, std::string& out);
// `sql` with each `?`/`?N` placeholder replaced by the literal of values[N-1]: NULL for a
// null pointer or a missing value, numbers as written, anything else as a quoted string.
// For logs and samples, never for execution.
std::string InlineParameters(std::string_view sql, std::span<const char* const> values);

}  // namespace fastbreak::db
