#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/service.hpp"
#include "core/progress.hpp"
#include "db/importers/importer.hpp"

namespace fastbreak::app {

namespace {

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

}  // namespace

int RunImport(const ImportArgs& args) {
  auto format = db::ParseImportFormat(args.format);
  if (!format) {
    fmt::print(stderr, "fastbreak: {}\nRun 'fastbreak import --help' for usage.\n",
               format.error().message);
    return kExitUsage;
  }
  auto opened = OpenForWriting(args.db_path);
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
  fmt::print("imported {} file(s) into {} in {:.2f} s\n", report->files, args.db_path,
             report->seconds);
  fmt::print("{:<20} {:>10} {:>10} {:>10}\n", "table", "inserted", "updated", "skipped");
  for (const auto& [table, counts] : report->tables) {
    fmt::print("{:<20} {:>10} {:>10} {:>10}\n", table, counts.inserted, counts.updated,
               counts.skipped);
  }
  const auto total = report->Total();
  fmt::print("{:<20} {:>10} {:>10} {:>10}\n", "total", total.inserted, total.updated,
             total.skipped);
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
