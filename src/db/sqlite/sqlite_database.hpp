// The SQLite backend: one file, WAL journal, many readers and one writer at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "db/database.hpp"
#include "telemetry/metrics.hpp"

struct sqlite3;

namespace fastbreak::db {

struct SqliteOptions {
  // Database file. Created (with its directory missing => error) on the first read-write
  // connection when `create_if_missing`.
  std::string path;
  bool create_if_missing = true;
  // How long a statement waits for another connection's lock before failing with kBusy.
  // Longer absorbs write bursts; shorter surfaces contention sooner.
  int busy_timeout_ms = 5000;
  // Page cache per connection, KiB. More keeps hot indexes in memory at the cost of RSS per
  // connection.
  int cache_size_kib = 64 * 1024;
  // Bytes of the file mapped into memory for reads (0 disables). Saves a copy per page read.
  int64_t mmap_size_bytes = int64_t{1} << 30;
  // Prepared statements kept per connection (LRU). Each costs a few KiB.
  int statement_cache_capacity = 128;
};

// Counts and times every statement executed through the backend.
struct DbMetrics {
  explicit DbMetrics(telemetry::MetricsRegistry& registry, std::string_view backend = "sqlite");
  telemetry::Counter& statements;
  telemetry::Counter& errors;
  telemetry::Counter& prepares;
  telemetry::Counter& statement_cache_hits;
  telemetry::Histogram& statement_duration;
  // Told about every finished statement when set (query statistics). Set it before opening
  // connections; it must outlive them.
  StatementObserver* observer = nullptr;
};

class SqliteDatabase final : public Database {
 public:
  // `metrics` may be null (no recording). REQUIRES: it outlives the database.
  static Result<std::unique_ptr<SqliteDatabase>> Open(SqliteOptions options,
                                                      DbMetrics* metrics = nullptr);

  Result<std::unique_ptr<Connection>> Connect(AccessMode mode) override;
  std::string_view Kind() const override { return "sqlite"; }
  const SqliteOptions& options() const { return options_; }

 private:
  SqliteDatabase(SqliteOptions options, DbMetrics* metrics)
      : options_(std::move(options)), metrics_(metrics) {}
  SqliteOptions options_;
  DbMetrics* metrics_;
};

// Maps a SQLite result code (primary or extended) to an error class, with `context` and the
// engine's message.
Error SqliteError(int code, std::string_view context, sqlite3* handle);

}  // namespace fastbreak::db
