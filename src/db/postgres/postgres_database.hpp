// The PostgreSQL backend on libpq: prepared statements (named, cached per connection), text
// results read on demand, pipeline mode for Prefetch, COPY for bulk loads, cancellation with
// PQcancel, and SQLSTATE classes mapped onto the same error codes as SQLite.
#pragma once

#include <chrono>
#include <memory>
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
  // Prepared statements kept per connection (LRU; evicted ones are DEALLOCATEd).
  int statement_cache_capacity = 128;
};

class PostgresDatabase final : public Database {
 public:
  // Checks the DSN parses (kInvalidArgument otherwise); does not connect. `metrics` may be null.
  // REQUIRES: metrics outlives the database.
  static Result<std::unique_ptr<PostgresDatabase>> Open(PostgresOptions options,
                                                        DbMetrics* metrics = nullptr);

  // A new session. kReadOnly sessions run with default_transaction_read_only = on.
  // Errors: kConnection (unreachable, refused, authentication failed, server starting up or
  // shutting down), with libpq's message.
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

}  // namespace fastbreak::db
