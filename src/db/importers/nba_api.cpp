#include "db/importers/nba_api.hpp"

#include <fmt/ranges.h>

#include <algorithm>

#include "db/importers/nba_api_internal.hpp"
#include "db/importers/parse_util.hpp"

namespace fastbreak::db::detail {
namespace {

// Names of the result sets in a resultSets / resultSet document.
std::vector<std::string> ResultSetNames(const nlohmann::json& root) {
  std::vector<std::string> names;
  auto add = [&](const nlohmann::json& set) {
    if (set.is_object() && set.contains("name") && set["name"].is_string()) {
      names.push_back(set["name"].get<std::string>());
    }
  };
  for (const char* key : {"resultSets", "resultSet"}) {
    if (!root.contains(key)) continue;
    const auto& sets = root[key];
    if (sets.is_array()) {
      for (const auto& set : sets) add(set);
    } else {
      add(sets);
    }
  }
  return names;
}

}  // namespace

std::string_view EndpointName(NbaApiEndpoint endpoint) {
  switch (endpoint) {
    case NbaApiEndpoint::kCommonAllPlayers:
      return "CommonAllPlayers";
    case NbaApiEndpoint::kScoreboardV3:
      return "ScoreboardV3";
    case NbaApiEndpoint::kLeagueGameLog:
      return "LeagueGameLog";
    case NbaApiEndpoint::kPlayerGameLog:
      return "PlayerGameLog";
    case NbaApiEndpoint::kBoxScoreTraditionalV3:
      return "BoxScoreTraditionalV3";
    case NbaApiEndpoint::kBoxScoreTraditionalV2:
      return "BoxScoreTraditionalV2";
    case NbaApiEndpoint::kPlayByPlayV3:
      return "PlayByPlayV3";
    case NbaApiEndpoint::kPlayByPlayV2:
      return "PlayByPlayV2";
  }
  return "?";
}

Result<NbaApiEndpoint> DetectEndpoint(const nlohmann::json& root, const std::string& file) {
  if (!root.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{}: not an NBA stats API response (the document is not a JSON object)", file);
  }
  if (root.contains("boxScoreTraditional")) return NbaApiEndpoint::kBoxScoreTraditionalV3;
  if (root.contains("game") && root["game"].is_object() && root["game"].contains("actions")) {
    return NbaApiEndpoint::kPlayByPlayV3;
  }
  if (root.contains("scoreboard") && root["scoreboard"].is_object() &&
      root["scoreboard"].contains("games")) {
    return NbaApiEndpoint::kScoreboardV3;
  }
  const std::vector<std::string> names = ResultSetNames(root);
  auto has = [&](std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (has("CommonAllPlayers")) return NbaApiEndpoint::kCommonAllPlayers;
  if (has("LeagueGameLog")) return NbaApiEndpoint::kLeagueGameLog;
  if (has("PlayerGameLog")) return NbaApiEndpoint::kPlayerGameLog;
  if (has("PlayByPlay")) return NbaApiEndpoint::kPlayByPlayV2;
  if (has("PlayerStats") && has("TeamStats")) {
    // Other V2 box scores (advanced, tracking...) share the set names but not the columns.
    const JsonRef doc(root, "$", file);
    auto set = ResultSet::Find(doc, "TeamStats");
    if (set && *set && (*set)->Has("PTS") && (*set)->Has("FGM")) {
      return NbaApiEndpoint::kBoxScoreTraditionalV2;
    }
  }
  std::string resource = root.contains("resource") && root["resource"].is_string()
                             ? root["resource"].get<std::string>()
                             : "";
  return MakeError(ErrorCode::kUnsupported,
                   "{}: not a supported NBA stats API response (resource '{}', result sets [{}]); "
                   "supported: CommonAllPlayers, LeagueGameLog, PlayerGameLog, "
                   "BoxScoreTraditionalV2/V3, PlayByPlayV2/V3, ScoreboardV3",
                   file, resource, fmt::join(names, ", "));
}

namespace {

Status ImportDocument(NbaApiEndpoint endpoint, const JsonRef& doc, Writer& writer) {
  switch (endpoint) {
    case NbaApiEndpoint::kCommonAllPlayers:
      return ImportCommonAllPlayers(doc, writer);
    case NbaApiEndpoint::kScoreboardV3:
      return ImportScoreboardV3(doc, writer);
    case NbaApiEndpoint::kLeagueGameLog:
      return ImportLeagueGameLog(doc, writer);
    case NbaApiEndpoint::kPlayerGameLog:
      return ImportPlayerGameLog(doc, writer);
    case NbaApiEndpoint::kBoxScoreTraditionalV3:
      return ImportBoxScoreTraditionalV3(doc, writer);
    case NbaApiEndpoint::kBoxScoreTraditionalV2:
      return ImportBoxScoreTraditionalV2(doc, writer);
    case NbaApiEndpoint::kPlayByPlayV3:
      return ImportPlayByPlayV3(doc, writer);
    case NbaApiEndpoint::kPlayByPlayV2:
      return ImportPlayByPlayV2(doc, writer);
  }
  return MakeError(ErrorCode::kInternal, "unknown endpoint");
}

}  // namespace

Status ImportNbaApiDocument(NbaApiEndpoint endpoint, const nlohmann::json& root,
                            const std::string& file, Writer& writer) {
  // The readers check types before every access; this only guards against a missed check.
  try {
    return ImportDocument(endpoint, JsonRef(root, "$", file), writer);
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorCode::kParseError, "{}: unexpected JSON content: {}", file, e.what());
  }
}

Result<ResultSet> ResultSet::Create(const JsonRef& set) {
  ResultSet result(set);
  FB_ASSIGN_OR_RETURN(JsonRef headers, set.Field("headers"));
  FB_ASSIGN_OR_RETURN(size_t columns, headers.Size());
  for (size_t i = 0; i < columns; ++i) {
    FB_ASSIGN_OR_RETURN(std::string name, headers.At(i).String());
    result.headers_.push_back(std::move(name));
  }
  FB_ASSIGN_OR_RETURN(JsonRef rows, set.Field("rowSet"));
  FB_ASSIGN_OR_RETURN(result.rows_, rows.Size());
  for (size_t r = 0; r < result.rows_; ++r) {
    const JsonRef row = rows.At(r);
    FB_ASSIGN_OR_RETURN(size_t cells, row.Size());
    if (cells != columns) {
      return tl::unexpected(
          row.Fail(fmt::format("row has {} values but there are {} headers", cells, columns)));
    }
  }
  return result;
}

Result<std::optional<ResultSet>> ResultSet::Find(const JsonRef& root, std::string_view name) {
  for (const char* key : {"resultSets", "resultSet"}) {
    FB_ASSIGN_OR_RETURN(auto sets, root.OptionalField(key));
    if (!sets) continue;
    std::vector<JsonRef> candidates;
    if (sets->json().is_array()) {
      for (size_t i = 0; i < sets->json().size(); ++i) candidates.push_back(sets->At(i));
    } else {
      candidates.push_back(*sets);
    }
    for (const JsonRef& set : candidates) {
      FB_ASSIGN_OR_RETURN(auto set_name, set.OptionalField("name"));
      if (!set_name || !set_name->json().is_string() ||
          set_name->json().get_ref<const std::string&>() != name) {
        continue;
      }
      FB_ASSIGN_OR_RETURN(ResultSet result, Create(set));
      return std::optional<ResultSet>(std::move(result));
    }
  }
  return std::optional<ResultSet>();
}

std::optional<size_t> ResultSet::Index(std::string_view column) const {
  for (size_t i = 0; i < headers_.size(); ++i) {
    if (EqualsIgnoreCase(headers_[i], column)) return i;
  }
  return std::nullopt;
}

Result<JsonRef> ResultSet::Cell(size_t row, std::string_view column) const {
  auto index = Index(column);
  if (!index) {
    return tl::unexpected(set_.Fail(fmt::format("missing column {} in headers", column)));
  }
  const auto& cell = set_.json()["rowSet"][row][*index];
  return JsonRef(cell,
                 fmt::format("{}.rowSet[{}][{}] ({})", set_.path(), row, *index, headers_[*index]),
                 set_.file());
}

JsonRef ResultSet::Row(size_t row) const {
  return JsonRef(set_.json()["rowSet"][row], fmt::format("{}.rowSet[{}]", set_.path(), row),
                 set_.file());
}

Status Located(Status status, const JsonRef& at) {
  if (status) return status;
  return tl::unexpected(
      AtLocation(std::move(status).error(), fmt::format("{}: {}", at.file(), at.path())));
}

Result<OptInt> ReadMinutes(const JsonRef& cell) {
  if (cell.is_null()) return OptInt();
  if (cell.json().is_string()) {
    const auto& text = cell.json().get_ref<const std::string&>();
    if (text.empty()) return OptInt();
    auto seconds = ParseMinutes(text);
    if (!seconds) return tl::unexpected(cell.Fail(seconds.error().message));
    return OptInt(*seconds);
  }
  FB_ASSIGN_OR_RETURN(auto minutes, cell.OptDouble());
  auto seconds = SecondsFromMinutes(*minutes);
  if (!seconds) return tl::unexpected(cell.Fail(fmt::format("invalid minutes {}", *minutes)));
  return OptInt(*seconds);
}

Result<OptInt> OptionalInt(const JsonRef& object, std::string_view key) {
  FB_ASSIGN_OR_RETURN(auto field, object.OptionalField(key));
  if (!field) return OptInt();
  return field->OptInt();
}

Result<OptText> OptionalString(const JsonRef& object, std::string_view key) {
  FB_ASSIGN_OR_RETURN(auto field, object.OptionalField(key));
  if (!field) return OptText();
  return field->OptString();
}

Result<BoxLine> ReadBoxLine(const ResultSet& set, size_t row, std::string_view turnovers) {
  BoxLine box;
  const std::pair<OptInt*, std::string_view> columns[] = {
      {&box.pts, "PTS"},   {&box.fgm, "FGM"},     {&box.fga, "FGA"}, {&box.fg3m, "FG3M"},
      {&box.fg3a, "FG3A"}, {&box.ftm, "FTM"},     {&box.fta, "FTA"}, {&box.oreb, "OREB"},
      {&box.dreb, "DREB"}, {&box.reb, "REB"},     {&box.ast, "AST"}, {&box.stl, "STL"},
      {&box.blk, "BLK"},   {&box.tov, turnovers}, {&box.pf, "PF"}};
  for (const auto& [stat, column] : columns) {
    FB_ASSIGN_OR_RETURN(JsonRef cell, set.Cell(row, column));
    FB_ASSIGN_OR_RETURN(*stat, cell.OptInt());
  }
  if (set.Has("PLUS_MINUS")) {
    FB_ASSIGN_OR_RETURN(JsonRef cell, set.Cell(row, "PLUS_MINUS"));
    FB_ASSIGN_OR_RETURN(box.plus_minus, cell.OptInt());
  }
  return box;
}

std::optional<Matchup> ParseMatchup(std::string_view text) {
  for (const auto& [separator, home] :
       {std::pair<std::string_view, bool>{" vs. ", true}, {" vs ", true}, {" @ ", false}}) {
    const size_t at = text.find(separator);
    if (at == std::string_view::npos) continue;
    Matchup matchup;
    matchup.team = FindTeamByAbbreviation(text.substr(0, at));
    matchup.opponent = FindTeamByAbbreviation(text.substr(at + separator.size()));
    matchup.is_home = home;
    return matchup;
  }
  return std::nullopt;
}

std::pair<std::string, std::string> SplitFullName(std::string_view full_name) {
  const size_t space = full_name.find(' ');
  if (space == std::string_view::npos) return {"", std::string(full_name)};
  return {std::string(full_name.substr(0, space)), std::string(full_name.substr(space + 1))};
}

}  // namespace fastbreak::db::detail
