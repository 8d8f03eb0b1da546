#include "db/importers/fivethirtyeight.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <span>
#include <vector>

#include "db/calendar.hpp"
#include "db/importers/csv_reader.hpp"
#include "db/importers/parse_util.hpp"
#include "db/schema/nba_schema.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db::detail {
namespace {

// The synthesized id's sequence has five digits.
constexpr int64_t kMaxSequence = 99999;

constexpr std::array<std::string_view, 8> kRequiredColumns = {
    "date", "season", "neutral", "playoff", "team1", "team2", "score1", "score2"};

enum class TeamLookup { kFound, kDefunct, kUnknown };

TeamLookup LookUpTeam(std::string_view code, int64_t& team_id) {
  if (const TeamInfo* team = FindTeamByAbbreviation(code)) {
    team_id = team->team_id;
    return TeamLookup::kFound;
  }
  return IsDefunctFranchiseCode(code) ? TeamLookup::kDefunct : TeamLookup::kUnknown;
}

char TypeDigit(std::string_view game_type) {
  if (game_type == schema::kPlayIn) return '5';
  if (game_type == schema::kPlayoffs) return '4';
  return '2';
}

// One game row, parsed.
struct EloRow {
  std::string date;
  int64_t season_start = 0;
  int64_t neutral = 0;
  std::string_view game_type;
  OptInt playoff_round;
  std::string home_code, away_code;
  std::string score1, score2;
};

Result<EloRow> ParseRow(const std::vector<std::string>& fields, const std::vector<size_t>& at) {
  EloRow row;
  FB_ASSIGN_OR_RETURN(row.date, ParseDate(fields[at[0]]));
  if (fields[at[0]].size() != 10) {
    return MakeError(ErrorCode::kParseError, "invalid date '{}'", fields[at[0]]);
  }
  auto season = ParseInt(fields[at[1]]);
  if (!season || *season < 1947 || *season > 2200) {
    return MakeError(ErrorCode::kParseError, "invalid season '{}'", fields[at[1]]);
  }
  row.season_start = *season - 1;
  auto neutral = ParseInt(fields[at[2]]);
  if (!neutral || (*neutral != 0 && *neutral != 1)) {
    return MakeError(ErrorCode::kParseError, "invalid neutral '{}' (expected 0 or 1)",
                     fields[at[2]]);
  }
  row.neutral = *neutral;
  const std::string& playoff = fields[at[3]];
  static constexpr std::string_view kRounds = "qscf";
  if (playoff.empty()) {
    row.game_type = schema::kRegular;
  } else if (playoff == "p") {
    row.game_type = schema::kPlayIn;
  } else if (playoff == "t") {
    row.game_type = schema::kPlayoffs;  // a tiebreaker game, outside the rounds
  } else if (playoff.size() == 1 && kRounds.find(playoff[0]) != std::string_view::npos) {
    row.game_type = schema::kPlayoffs;
    row.playoff_round = static_cast<int64_t>(kRounds.find(playoff[0])) + 1;
  } else {
    return MakeError(ErrorCode::kParseError,
                     "invalid playoff '{}' (expected '', p, q, s, c, f or t)", playoff);
  }
  row.home_code = fields[at[4]];
  row.away_code = fields[at[5]];
  row.score1 = fields[at[6]];
  row.score2 = fields[at[7]];
  return row;
}

}  // namespace

Result<std::string> FiveThirtyEightGameId(int64_t season_start, std::string_view game_type,
                                          std::string_view date, int64_t home_team_id) {
  const TeamInfo* home = FindTeam(home_team_id);
  const bool is_date = date.size() == 10 && date[4] == '-' && date[7] == '-';
  auto year = is_date ? ParseInt(date.substr(0, 4)) : std::nullopt;
  auto month = is_date ? ParseInt(date.substr(5, 2)) : std::nullopt;
  auto day_of_month = is_date ? ParseInt(date.substr(8, 2)) : std::nullopt;
  if (home == nullptr || !year || !month || !day_of_month || season_start < 1000 ||
      season_start > 9999) {
    return MakeError(ErrorCode::kInvalidArgument, "no FiveThirtyEight game id for {} {} at {}",
                     season_start, date, home_team_id);
  }
  const std::span<const TeamInfo> teams = NbaTeams();
  const auto index = static_cast<int64_t>(home - teams.data());  // team id - 1610612737
  const int64_t day = DaysFromCivil(static_cast<int>(*year), static_cast<int>(*month),
                                    static_cast<int>(*day_of_month)) -
                      DaysFromCivil(static_cast<int>(season_start), 7, 1);
  const int64_t sequence = day * static_cast<int64_t>(teams.size()) + index;
  if (day < 0 || sequence > kMaxSequence) {
    return MakeError(ErrorCode::kInvalidArgument, "date {} is not within season {}", date,
                     SeasonLabel(static_cast<int>(season_start)));
  }
  return fmt::format("5{}{}{:02}{:05}", (season_start / 100) % 10, TypeDigit(game_type),
                     season_start % 100, sequence);
}

Status ImportFiveThirtyEightFile(const std::string& path, Writer& writer) {
  FB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  CsvReader reader(std::move(text));
  std::vector<std::string> header;
  auto at_line = [&](Error error) {
    return tl::unexpected(
        AtLocation(std::move(error), fmt::format("{}: line {}", path, reader.line())));
  };
  auto has_header = reader.Next(header);
  if (!has_header) return at_line(has_header.error());
  if (!*has_header) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{}: empty file, expected a FiveThirtyEight "
                     "game CSV",
                     path);
  }
  std::vector<size_t> at;
  for (std::string_view column : kRequiredColumns) {
    auto it = std::find(header.begin(), header.end(), column);
    if (it == header.end()) {
      return at_line(Error{ErrorCode::kInvalidArgument,
                           fmt::format("missing column '{}': not a FiveThirtyEight game file "
                                       "(nba_elo.csv)",
                                       column)});
    }
    at.push_back(static_cast<size_t>(it - header.begin()));
  }

  std::map<std::string, int64_t> series_games;  // "season round low-id high-id" -> games so far
  std::vector<std::string> fields;
  while (true) {
    auto more = reader.Next(fields);
    if (!more) return at_line(more.error());
    if (!*more) break;
    if (fields.size() != header.size()) {
      return at_line(Error{ErrorCode::kParseError, fmt::format("expected {} fields, found {}",
                                                               header.size(), fields.size())});
    }
    auto row = ParseRow(fields, at);
    if (!row) return at_line(row.error());

    int64_t home_id = 0;
    int64_t away_id = 0;
    const TeamLookup home = LookUpTeam(row->home_code, home_id);
    const TeamLookup away = LookUpTeam(row->away_code, away_id);
    if (home == TeamLookup::kUnknown || away == TeamLookup::kUnknown) {
      return at_line(
          Error{ErrorCode::kParseError,
                fmt::format("unknown team code '{}'",
                            home == TeamLookup::kUnknown ? row->home_code : row->away_code)});
    }
    if (home == TeamLookup::kDefunct || away == TeamLookup::kDefunct) {
      writer.Skip("games", "defunct franchise");
      continue;
    }
    if (row->score1.empty() && row->score2.empty()) {
      writer.Skip("games", "unplayed game");
      continue;
    }
    auto score1 = ParseInt(row->score1);
    auto score2 = ParseInt(row->score2);
    if (!score1 || !score2 || *score1 < 0 || *score2 < 0) {
      return at_line(Error{ErrorCode::kParseError,
                           fmt::format("invalid score '{}'-'{}'", row->score1, row->score2)});
    }

    ImportedGame game;
    game.season_id = row->season_start;
    game.game_type = row->game_type;
    game.game_date = row->date;
    game.home_team_id = home_id;
    game.away_team_id = away_id;
    game.home_score = score1;
    game.away_score = score2;
    game.neutral_site = row->neutral;
    game.playoff_round = row->playoff_round;
    if (row->playoff_round) {
      const std::string series =
          fmt::format("{} {} {} {}", row->season_start, *row->playoff_round,
                      std::min(home_id, away_id), std::max(home_id, away_id));
      const int64_t number = ++series_games[series];
      if (number <= 7) game.series_game = number;
    }
    FB_ASSIGN_OR_RETURN(auto existing, writer.FindGame(row->date, home_id, away_id));
    if (existing) {
      game.game_id = *existing;
    } else {
      auto id = FiveThirtyEightGameId(row->season_start, row->game_type, row->date, home_id);
      if (!id) return at_line(id.error());
      game.game_id = *id;
    }
    if (auto status = writer.UpsertGame(game); !status) return at_line(status.error());
  }
  return Ok();
}

}  // namespace fastbreak::db::detail
