// Helpers shared by the nba_api endpoint readers: result-set tables, box score lines, matchups.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/importers/json_ref.hpp"
#include "db/importers/writer.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db::detail {

// One entry of "resultSets": a table of `headers` and `rowSet` rows. Columns are looked up by
// name, case-insensitively ("Player_ID" and "PLAYER_ID" both work).
class ResultSet {
 public:
  // Validates the shape: headers an array of strings, rowSet an array of arrays as long as
  // headers.
  static Result<ResultSet> Create(const JsonRef& set);
  // The set named `name` in root.resultSets (or root.resultSet), or nullopt.
  static Result<std::optional<ResultSet>> Find(const JsonRef& root, std::string_view name);

  size_t rows() const { return rows_; }
  bool Has(std::string_view column) const { return Index(column).has_value(); }
  // A cell; its path reads "$.resultSets[0].rowSet[3][26] (PTS)". Error when the column is
  // missing.
  Result<JsonRef> Cell(size_t row, std::string_view column) const;
  // The whole row, for locating errors that concern it.
  JsonRef Row(size_t row) const;

 private:
  explicit ResultSet(JsonRef set) : set_(std::move(set)) {}
  std::optional<size_t> Index(std::string_view column) const;

  JsonRef set_;
  std::vector<std::string> headers_;
  size_t rows_ = 0;
};

// A stats API row's counting stats. `turnovers` names the turnover column ("TOV" in game logs,
// "TO" in box scores). PLUS_MINUS is optional.
Result<BoxLine> ReadBoxLine(const ResultSet& set, size_t row, std::string_view turnovers);

// "BOS vs. NYK" (BOS at home) or "BOS @ NYK" (BOS away).
struct Matchup {
  const TeamInfo* team = nullptr;      // the row's team, null when not one of the 30
  const TeamInfo* opponent = nullptr;  // null when not one of the 30
  bool is_home = false;
};
std::optional<Matchup> ParseMatchup(std::string_view text);

// Splits "LeBron James" into first "LeBron", last "James"; "Nene" -> last "Nene".
std::pair<std::string, std::string> SplitFullName(std::string_view full_name);

// `status`, with "<file>: <path>: " put in front of its message when it is an error.
Status Located(Status status, const JsonRef& at);

// A player's minutes as the API sends them, in seconds: a number of minutes or a "MM:SS"
// string; null and "" read as nullopt.
Result<OptInt> ReadMinutes(const JsonRef& cell);

// Member `key` of `object`: nullopt when missing or null; error when of another type.
Result<OptInt> OptionalInt(const JsonRef& object, std::string_view key);
Result<OptText> OptionalString(const JsonRef& object, std::string_view key);

// Endpoint readers (one per endpoint; `root` is the whole document).
Status ImportCommonAllPlayers(const JsonRef& root, Writer& writer);
Status ImportScoreboardV3(const JsonRef& root, Writer& writer);
Status ImportLeagueGameLog(const JsonRef& root, Writer& writer);
Status ImportPlayerGameLog(const JsonRef& root, Writer& writer);
Status ImportBoxScoreTraditionalV2(const JsonRef& root, Writer& writer);
Status ImportBoxScoreTraditionalV3(const JsonRef& root, Writer& writer);
Status ImportPlayByPlayV2(const JsonRef& root, Writer& writer);
Status ImportPlayByPlayV3(const JsonRef& root, Writer& writer);

}  // namespace fastbreak::db::detail
