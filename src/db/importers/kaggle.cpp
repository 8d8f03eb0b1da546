#include "db/importers/kaggle.hpp"

#include <fmt/ranges.h>

#include <filesystem>
#include <set>

#include "db/importers/kaggle_internal.hpp"
#include "db/importers/parse_util.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace fastbreak::db::detail {
namespace {

Result<std::set<std::string>> TableNames(Connection& source) {
  FB_ASSIGN_OR_RETURN(QueryResult result,
                      source.Query("SELECT name FROM sqlite_master WHERE type IN ('table', "
                                   "'view')"));
  std::set<std::string> names;
  for (const auto& row : result.rows) {
    if (const auto* name = std::get_if<std::string>(&row[0])) names.insert(*name);
  }
  return names;
}

// Rows in `table`, estimated from its largest rowid (exact for the append-only Kaggle file, and
// O(log n) where COUNT(*) would scan 13.6 M play-by-play rows).
int64_t EstimatedRows(Connection& source, std::string_view table) {
  auto value = source.QueryScalar(fmt::format("SELECT MAX(rowid) FROM \"{}\"", table));
  if (!value) return 0;
  const auto* rows = std::get_if<int64_t>(&*value);
  return rows != nullptr ? *rows : 0;
}

}  // namespace

Status KaggleTable::ForEachRow(const std::function<Status()>& on_row,
                               const std::function<void(int64_t rows)>& on_progress) {
  int64_t since_progress = 0;
  while (true) {
    auto has_row = statement_.Step();
    if (!has_row) return tl::unexpected(Locate(has_row.error()));
    if (!*has_row) break;
    ++row_;
    FB_RETURN_IF_ERROR(on_row());
    if (++since_progress == kProgressEvery) {
      on_progress(since_progress);
      since_progress = 0;
    }
  }
  statement_.Reset();
  if (since_progress > 0) on_progress(since_progress);
  return Ok();
}

Result<OptInt> KaggleTable::Int(int c) const {
  const Value value = statement_.GetValue(c);
  if (const auto* i = std::get_if<int64_t>(&value)) return OptInt(*i);
  std::optional<double> real;
  if (const auto* d = std::get_if<double>(&value)) real = *d;
  if (const auto* text = std::get_if<std::string>(&value)) {
    if (text->find_first_not_of(' ') == std::string::npos) return OptInt();
    if (auto i = ParseInt(*text)) return OptInt(*i);
    real = ParseDouble(*text);
    if (!real) {
      return tl::unexpected(
          Fail(fmt::format("column {}: expected a number, got '{}'", columns_[c], *text)));
    }
  }
  if (!real) return OptInt();  // NULL
  auto integral = IntegralValue(*real);
  if (!integral) {
    return tl::unexpected(
        Fail(fmt::format("column {}: expected a whole number, got {}", columns_[c], *real)));
  }
  return OptInt(*integral);
}

Result<int64_t> KaggleTable::RequiredInt(int c) const {
  FB_ASSIGN_OR_RETURN(OptInt value, Int(c));
  if (!value) return tl::unexpected(Fail(fmt::format("column {}: missing value", columns_[c])));
  return *value;
}

OptText KaggleTable::Text(int c) const {
  if (statement_.IsNull(c)) return std::nullopt;
  std::string text(statement_.GetText(c));
  if (text.empty()) return std::nullopt;
  return text;
}

OptInt KaggleTable::LenientInt(int c) const {
  auto value = Int(c);
  return value ? *value : std::nullopt;
}

Error KaggleTable::Fail(std::string_view what) const {
  return Error{ErrorCode::kParseError,
               fmt::format("{}: table {}, row {}: {}", path_, table_, row_, what)};
}

Error KaggleTable::Locate(Error error) const {
  return AtLocation(std::move(error), fmt::format("{}: table {}, row {}", path_, table_, row_));
}

Result<StatementPtr> SelectColumns(Connection& source, const std::string& path,
                                   std::string_view table,
                                   const std::vector<std::string_view>& columns) {
  FB_ASSIGN_OR_RETURN(QueryResult info,
                      source.Query(fmt::format("PRAGMA table_info(\"{}\")", table)));
  std::set<std::string> present;
  for (const auto& row : info.rows) {
    if (const auto* name = std::get_if<std::string>(&row[1])) present.insert(*name);
  }
  for (std::string_view column : columns) {
    if (!present.contains(std::string(column))) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "{}: table {} has no column '{}': not a Kaggle NBA database", path, table,
                       column);
    }
  }
  return source.Prepare(fmt::format("SELECT {} FROM \"{}\"", fmt::join(columns, ", "), table));
}

Status ImportKaggleFile(const std::string& path, Writer& writer, const ImportOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return MakeError(ErrorCode::kNotFound, "{}: no such file", path);
  }
  auto database = SqliteDatabase::Open({.path = path, .create_if_missing = false});
  if (!database) return tl::unexpected(AtLocation(database.error(), path));
  auto source = (*database)->Connect(AccessMode::kReadOnly);
  if (!source) return tl::unexpected(AtLocation(source.error(), path));
  auto tables = TableNames(**source);
  if (!tables) {
    return MakeError(ErrorCode::kInvalidArgument, "{}: not a readable SQLite database: {}", path,
                     tables.error().message);
  }
  if (!tables->contains("game")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{}: not a Kaggle NBA database (it has no 'game' table)", path);
  }

  using Reader = Status (*)(Connection&, const std::string&, Writer&, const KaggleProgress&);
  const std::pair<std::string_view, Reader> readers[] = {
      {"player", ImportKagglePlayers},
      {"common_player_info", ImportKagglePlayerInfo},
      {"game", ImportKaggleGames},
      {"line_score", ImportKaggleLineScores},
      {"play_by_play", ImportKagglePlays}};
  int64_t total = 0;
  for (const auto& [table, reader] : readers) {
    if (tables->contains(std::string(table))) total += EstimatedRows(**source, table);
  }
  int64_t done = 0;
  const KaggleProgress progress = [&](int64_t rows) {
    done += rows;
    if (options.on_progress) options.on_progress(done, std::max(done, total));
  };
  for (const auto& [table, reader] : readers) {
    if (!tables->contains(std::string(table))) continue;
    FB_RETURN_IF_ERROR(reader(**source, path, writer, progress));
  }
  return Ok();
}

}  // namespace fastbreak::db::detail
