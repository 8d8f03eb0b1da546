#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "core/progress.hpp"
#include "db/importers/importer.hpp"

namespace fastbreak::app {

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
  return kExitOk;
}

}  // namespace fastbreak::app
