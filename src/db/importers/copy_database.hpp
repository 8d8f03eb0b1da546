// Copies a fastbreak database into another (SQLite to PostgreSQL, or any backend to any): every
// NBA table in parent-first order, through the target's BulkLoader (COPY on PostgreSQL), in one
// transaction. Used by `fastbreak import sqlite PATH --pg DSN` and `fastbreak generate --pg`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace fastbreak::db {

struct CopyOptions {
  // Empty the target's NBA tables first. Without it the target's NBA tables must be empty
  // (kAlreadyExists naming the first table that is not).
  bool replace = false;
  // Rows read from the source per query: tables are read in primary-key order a page at a
  // time, so memory stays bounded on a backend that buffers a query's whole result. Larger
  // pages mean fewer queries; the default costs a few MB per page.
  int64_t page_rows = 50'000;
  // Called every ~50k rows and at the end of each table, on the calling thread. rows_done and
  // rows_total count the whole copy (every table), `table` is the one in flight.
  std::function<void(std::string_view table, int64_t rows_done, int64_t rows_total)> progress =
      nullptr;
};

struct TableCopy {
  std::string table;
  int64_t rows = 0;
  double seconds = 0;
  double RowsPerSecond() const { return seconds > 0 ? static_cast<double>(rows) / seconds : 0; }
};

struct CopyReport {
  std::vector<TableCopy> tables;
  int64_t rows = 0;
  double seconds = 0;  // wall time of the whole copy, commit (and ANALYZE) included
  // PostgreSQL: the part of `seconds` spent after the load building the secondary indexes and
  // validating the foreign keys (dropped for the load; see CopyDatabase).
  double constraint_seconds = 0;
  // PostgreSQL: the ANALYZE run after the commit failed with this message. The copy itself
  // succeeded; the planner works from stale statistics until autovacuum analyzes the tables.
  std::string analyze_error;
  double RowsPerSecond() const { return seconds > 0 ? static_cast<double>(rows) / seconds : 0; }
};

// Migrates `target` and, unless `options.replace`, checks that its NBA tables are empty
// (kAlreadyExists naming the first that is not). CopyDatabase does this itself; call it first
// to fail before long work that precedes the copy (generating the league to copy).
Status PrepareCopyTarget(Connection& target, const CopyOptions& options);

// Errors: kInvalidArgument when `source` is not a fastbreak database, kUnsupported when it is
// at another schema version, kAlreadyExists as above, and the databases' own errors, their
// message naming the table they happened in (on PostgreSQL with the server's message).
// On PostgreSQL the copied tables' foreign keys and secondary indexes are dropped for the load
// and recreated after it, in the same transaction (validating a key once per table is several
// times faster than once per row); the tables are locked (ACCESS EXCLUSIVE) until the commit.
// `source` must be a fastbreak database at the latest schema version (checked); `target` is
// migrated here to the latest version when it is not (the migration stays even when the copy
// then fails). Otherwise the target is unchanged on failure.
// REQUIRES: `target` is a read-write connection; neither connection has a transaction open.
Result<CopyReport> CopyDatabase(Connection& source, Connection& target,
                                const CopyOptions& options = {});

}  // namespace fastbreak::db
