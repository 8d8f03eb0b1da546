#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/commands.hpp"
#include "app/service.hpp"
#include "core/progress.hpp"
#include "db/importers/copy_database.hpp"
#include "db/importers/importer.hpp"

namespace fastbreak::app {

namespace {

int ImportUsageError(const std::string& message) {
  fmt::print(stderr, "fastbreak: {}\nRun 'fastbreak import --help' for usage.\n", message);
  return kExitUsage;
}

// Tells the cache that `tables` changed: their tags are invalidated in Redis (L2) and published
// on the bus, so every running instance drops its L1 copies. Failures are reported, not fatal:
// the import itself is committed.
void InvalidateCaches(const std::string& redis_url, const std::vector<std::string>& tables) {
  telemetry::MetricsRegistry registry;
  RedisSettings settings;
  settings.url = redis_url;
  settings.command_timeout_ms = 2000;
  settings.connect_timeout_ms = 2000;
  auto client = cache::RedisClient::Create(RedisOptionsFrom(settings), registry);
  if (!client) {
    spdlog::warn("cached results not invalidated: {}", client.error().message);
    return;
  }
  cache::Invalidation invalidation;
  for (const auto& table : tables) invalidation.tags.push_back("table:" + table);
  cache::RedisCache l2(**client, registry);
  l2.Invalidate(invalidation.tags, {}, {}, false);
  cache::RedisBus bus(**client, registry);
  invalidation.origin = bus.instance_id();
  if (auto status = bus.Publish(invalidation); !status) {
    spdlog::warn("running servers not told to drop cached results: {}", status.error().message);
    return;
  }
  fmt::print("invalidated cached results that read: {}\n", fmt::join(tables, ", "));
}

Result<WritableDatabase> OpenTarget(const ImportArgs& args) {
  return args.pg_dsn.empty() ? OpenForWriting(args.db_path) : OpenPostgresForWriting(args.pg_dsn);
}

// `import sqlite FILE`: copies a fastbreak database (read-only) into the target, COPY on
// PostgreSQL.
int RunCopy(const ImportArgs& args) {
  if (args.sources.size() != 1) {
    return ImportUsageError(
        fmt::format("import sqlite copies one database file ({} given)", args.sources.size()));
  }
  const std::string& path = args.sources.front();
  std::error_code ec;
  if (!args.db_path.empty() && std::filesystem::equivalent(path, args.db_path, ec)) {
    return ImportUsageError(fmt::format("'{}' is both the source and the target", path));
  }
  auto source_database = db::SqliteDatabase::Open({.path = path, .create_if_missing = false});
  if (!source_database) {
    spdlog::error("cannot open '{}': {}", path, source_database.error().message);
    return kExitFailure;
  }
  auto source = (*source_database)->Connect(db::AccessMode::kReadOnly);
  if (!source) {
    spdlog::error("cannot open '{}': {}", path, source.error().message);
    return kExitFailure;
  }
  auto target = OpenTarget(args);
  if (!target) {
    spdlog::error("{}", target.error().message);
    return kExitFailure;
  }

  ProgressBar progress("import sqlite", 0, "rows");
  if (args.quiet) progress.Silence();
  db::CopyOptions options;
  options.replace = args.replace;
  options.progress = [&progress](std::string_view, int64_t done, int64_t total) {
    progress.SetTotal(total);
    progress.Update(done);
  };
  auto report = db::CopyDatabase(**source, *target->connection, options);
  progress.Finish();
  if (!report) {
    spdlog::error("import failed, {} unchanged: '{}': {}", target->name, path,
                  report.error().message);
    return kExitFailure;
  }
  if (!report->analyze_error.empty()) {
    spdlog::warn("copied, but ANALYZE failed (query plans may be poor until autovacuum runs): {}",
                 report->analyze_error);
  }
  fmt::print("copied {} into {} in {:.2f} s\n", path, target->name, report->seconds);
  fmt::print("{:<20} {:>10} {:>10} {:>12}\n", "table", "rows", "seconds", "rows/s");
  for (const auto& table : report->tables) {
    fmt::print("{:<20} {:>10} {:>10.2f} {:>12.0f}\n", table.table, table.rows, table.seconds,
               table.RowsPerSecond());
  }
  fmt::print("{:<20} {:>10} {:>10.2f} {:>12.0f}\n", "total", report->rows, report->seconds,
             report->RowsPerSecond());
  if (report->constraint_seconds > 0) {
    fmt::print("(total includes {:.2f} s rebuilding indexes and checking foreign keys)\n",
               report->constraint_seconds);
  }
  if (!args.redis_url.empty()) {
    std::vector<std::string> changed;
    for (const auto& table : report->tables) {
      // With --replace every table may have lost rows, even one copied empty.
      if (table.rows > 0 || args.replace) changed.push_back(table.table);
    }
    InvalidateCaches(args.redis_url, changed);
  }
  return kExitOk;
}

}  // namespace

int RunImport(const ImportArgs& args) {
  if (args.db_path.empty() == args.pg_dsn.empty()) {
    return ImportUsageError("import needs --db PATH or --pg DSN");
  }
  if (args.format == "sqlite") return RunCopy(args);
  auto format = db::ParseImportFormat(args.format);
  if (!format) {
    return ImportUsageError(fmt::format(
        "unknown import format '{}' (expected kaggle, nba-api, 538 or sqlite)", args.format));
  }
  if (args.replace) return ImportUsageError("--replace applies to the sqlite format only");
  auto opened = OpenTarget(args);
  if (!opened) {
    spdlog::error("{}", opened.error().message);
    return kExitFailure;
  }
  ProgressBar progress("import " + args.format, 0, "records");
  if (args.quiet) progress.Silence();
  db::ImportOptions options;
  options.on_progress = [&progress](int64_t done, int64_t total) {
    progress.SetTotal(total);
    progress.Update(done);
  };
  auto report = db::Import(*opened->connection, *format, args.sources, options);
  progress.Finish();
  if (!report) {
    spdlog::error("import failed, database unchanged: {}", report.error().message);
    return kExitFailure;
  }
  fmt::print("imported {} file(s) into {} in {:.2f} s\n", report->files, opened->name,
             report->seconds);
  fmt::print("{:<20} {:>10} {:>10} {:>10}\n", "table", "inserted", "updated", "skipped");
  for (const auto& [table, counts] : report->tables) {
    fmt::print("{:<20} {:>10} {:>10} {:>10}\n", table, counts.inserted, counts.updated,
               counts.skipped);
  }
  const auto total = report->Total();
  fmt::print("{:<20} {:>10} {:>10} {:>10}\n", "total", total.inserted, total.updated,
             total.skipped);
  const int64_t rows = total.inserted + total.updated + total.skipped;
  fmt::print("{} rows in {:.2f} s ({:.0f} rows/s)\n", rows, report->seconds,
             report->seconds > 0 ? static_cast<double>(rows) / report->seconds : 0.0);
  if (!args.redis_url.empty()) {
    std::vector<std::string> changed;
    for (const auto& [table, counts] : report->tables) {
      if (counts.inserted + counts.updated > 0) changed.push_back(table);
    }
    // The import log is read by player lookups; it always changes.
    changed.emplace_back("imports");
    InvalidateCaches(args.redis_url, changed);
  }
  return kExitOk;
}

}  // namespace fastbreak::app
