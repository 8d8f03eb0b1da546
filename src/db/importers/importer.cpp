#include "db/importers/importer.hpp"

#include <algorithm>
#include <chrono>

#include "db/importers/fivethirtyeight.hpp"
#include "db/importers/json_ref.hpp"
#include "db/importers/kaggle.hpp"
#include "db/importers/nba_api.hpp"
#include "db/importers/parse_util.hpp"
#include "db/importers/writer.hpp"
#include "db/schema/migrations.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db {
namespace {

TableCounts Minus(const TableCounts& a, const TableCounts& b) {
  return {a.inserted - b.inserted, a.updated - b.updated, a.skipped - b.skipped};
}

// Reads, parses and detects the endpoint of every file first (so that a malformed or unsupported
// file fails before anything is written), then imports them in dependency order, keeping the
// given order within an endpoint. Each file is read and parsed once; its document is held until
// imported and freed right after.
Status ImportNbaApiFiles(const std::vector<std::string>& sources, detail::Writer& writer,
                         const std::function<Status(const std::string&, const Status&)>& done) {
  struct Parsed {
    detail::NbaApiEndpoint endpoint;
    size_t index;  // into sources
    nlohmann::json root;
  };
  std::vector<Parsed> files;
  files.reserve(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    nlohmann::json root;
    {
      FB_ASSIGN_OR_RETURN(std::string text, detail::ReadFile(sources[i]));
      FB_ASSIGN_OR_RETURN(root, detail::ParseJson(text, sources[i]));
    }  // the text is freed before the next file is read
    FB_ASSIGN_OR_RETURN(detail::NbaApiEndpoint endpoint, detail::DetectEndpoint(root, sources[i]));
    files.push_back({endpoint, i, std::move(root)});
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const Parsed& a, const Parsed& b) { return a.endpoint < b.endpoint; });
  for (Parsed& file : files) {
    const std::string& path = sources[file.index];
    FB_RETURN_IF_ERROR(
        done(path, detail::ImportNbaApiDocument(file.endpoint, file.root, path, writer)));
    file.root = nlohmann::json();
  }
  return Ok();
}

}  // namespace

Result<ImportFormat> ParseImportFormat(std::string_view name) {
  if (name == "kaggle") return ImportFormat::kKaggle;
  if (name == "nba-api" || name == "nba_api" || name == "nbaapi") return ImportFormat::kNbaApi;
  if (name == "538" || name == "fivethirtyeight") return ImportFormat::kFiveThirtyEight;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown import format '{}' (expected kaggle, nba-api or 538)", name);
}

std::string_view ImportFormatName(ImportFormat format) {
  switch (format) {
    case ImportFormat::kKaggle:
      return "kaggle";
    case ImportFormat::kNbaApi:
      return "nba-api";
    case ImportFormat::kFiveThirtyEight:
      return "538";
  }
  return "?";
}

TableCounts ImportReport::Total() const {
  TableCounts total;
  for (const auto& [table, counts] : tables) {
    total.inserted += counts.inserted;
    total.updated += counts.updated;
    total.skipped += counts.skipped;
  }
  return total;
}

Result<ImportReport> Import(Connection& connection, ImportFormat format,
                            const std::vector<std::string>& sources, const ImportOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (sources.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no files to import");
  }
  FB_RETURN_IF_ERROR(Migrate(connection));
  FB_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(connection));
  ImportReport report;
  FB_ASSIGN_OR_RETURN(report.tables["teams"].inserted, SeedTeams(connection));
  FB_ASSIGN_OR_RETURN(auto writer,
                      detail::Writer::Create(connection, ImportFormatName(format), report));
  FB_ASSIGN_OR_RETURN(StatementPtr record,
                      connection.Prepare("INSERT INTO imports(format, source, inserted, updated, "
                                         "skipped) VALUES (?, ?, ?, ?, ?)"));

  // Called after each source: records it in `imports` with the counts it added.
  TableCounts before = report.Total();
  const auto total_files = static_cast<int64_t>(sources.size());
  auto done = [&](const std::string& path, const Status& status) -> Status {
    FB_RETURN_IF_ERROR(status);
    const TableCounts now = report.Total();
    const TableCounts added = Minus(now, before);
    before = now;
    record->BindAll(ImportFormatName(format), path, added.inserted, added.updated, added.skipped);
    FB_RETURN_IF_ERROR(record->Run());
    ++report.files;
    if (options.on_progress && format != ImportFormat::kKaggle) {
      options.on_progress(report.files, total_files);
    }
    return Ok();
  };

  switch (format) {
    case ImportFormat::kFiveThirtyEight:
      for (const std::string& path : sources) {
        FB_RETURN_IF_ERROR(done(path, detail::ImportFiveThirtyEightFile(path, *writer)));
      }
      break;
    case ImportFormat::kKaggle:
      for (const std::string& path : sources) {
        FB_RETURN_IF_ERROR(done(path, detail::ImportKaggleFile(path, *writer, options)));
      }
      break;
    case ImportFormat::kNbaApi:
      FB_RETURN_IF_ERROR(ImportNbaApiFiles(sources, *writer, done));
      break;
  }
  FB_RETURN_IF_ERROR(writer->Finish());
  writer.reset();
  record.reset();
  FB_RETURN_IF_ERROR(transaction.Commit());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace fastbreak::db
