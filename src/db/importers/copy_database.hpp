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
  // Called every ~50k rows and at the end of each table, on the calling thread.
  std::function<void(std::string_view table, int64_t rows_done, int64_t rows_total)> progress;
};

struct TableCopy {
  std::string table;
  int64_t rows = 0;
  double seconds = 0;
};

struct CopyReport {
  std::vector<TableCopy> tables;
  int64_t rows = 0;
  double seconds = 0;  // wall time of the whole copy, commit included
  double RowsPerSecond() const { return seconds > 0 ? static_cast<double>(rows) / seconds : 0; }
};

// REQUIRES: `source` is at the latest schema version; `target` is a read-write connection
// (migrated here to the latest version when it is not). The target is unchanged on failure.
Result<CopyReport> CopyDatabase(Connection& source, Connection& target,
                                const CopyOptions& options = {});

}  // namespace fastbreak::db
