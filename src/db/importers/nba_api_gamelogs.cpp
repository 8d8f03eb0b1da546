// LeagueGameLog (team rows or player rows) and PlayerGameLog.
#include <cstdint>
#include <map>
#include <set>

#include "db/importers/nba_api_internal.hpp"
#include "db/importers/parse_util.hpp"

namespace fastbreak::db::detail {
namespace {

// What every game log row has: game, date, matchup, result, minutes and counting stats.
struct LogRow {
  std::string game_id;
  ImportedGame game;  // season, type, date, teams from the row
  int64_t team_id = 0;
  int64_t opponent_id = 0;
  bool is_home = false;
  OptInt win;
  OptInt seconds;
  BoxLine box;
};

// Reads the shared columns of `row`; nullopt (after counting the skip into `table`) when the
// game's type is not stored or a team is not one of the 30.
Result<std::optional<LogRow>> ReadLogRow(const ResultSet& set, size_t row, Writer& writer,
                                         std::string_view table) {
  LogRow out;
  FB_ASSIGN_OR_RETURN(JsonRef id_cell, set.Cell(row, "GAME_ID"));
  FB_ASSIGN_OR_RETURN(out.game_id, id_cell.GameId());
  auto game = GameFromId(out.game_id);
  if (!game) {
    writer.Skip(table, kUnstoredType);
    return std::optional<LogRow>();
  }
  out.game = *std::move(game);
  FB_ASSIGN_OR_RETURN(JsonRef matchup_cell, set.Cell(row, "MATCHUP"));
  FB_ASSIGN_OR_RETURN(std::string matchup_text, matchup_cell.String());
  auto matchup = ParseMatchup(matchup_text);
  if (!matchup) {
    return tl::unexpected(matchup_cell.Fail(fmt::format(
        "invalid matchup \"{}\" (expected \"BOS vs. NYK\" or \"BOS @ NYK\")", matchup_text)));
  }
  OptInt team_id = matchup->team ? OptInt(matchup->team->team_id) : std::nullopt;
  if (set.Has("TEAM_ID")) {
    FB_ASSIGN_OR_RETURN(JsonRef team_cell, set.Cell(row, "TEAM_ID"));
    FB_ASSIGN_OR_RETURN(team_id, team_cell.OptLenientInt());
  }
  if (!team_id || !IsNbaTeam(*team_id) || matchup->opponent == nullptr) {
    writer.Skip(table, kForeignTeam);
    return std::optional<LogRow>();
  }
  out.team_id = *team_id;
  out.opponent_id = matchup->opponent->team_id;
  out.is_home = matchup->is_home;
  out.game.home_team_id = out.is_home ? out.team_id : out.opponent_id;
  out.game.away_team_id = out.is_home ? out.opponent_id : out.team_id;

  FB_ASSIGN_OR_RETURN(JsonRef date_cell, set.Cell(row, "GAME_DATE"));
  FB_ASSIGN_OR_RETURN(std::string date_text, date_cell.String());
  auto date = ParseDate(date_text);
  if (!date) return tl::unexpected(date_cell.Fail(date.error().message));
  out.game.game_date = *date;

  FB_ASSIGN_OR_RETURN(JsonRef wl_cell, set.Cell(row, "WL"));
  FB_ASSIGN_OR_RETURN(auto wl, wl_cell.OptString());
  if (wl == "W" || wl == "L") out.win = *wl == "W" ? 1 : 0;
  FB_ASSIGN_OR_RETURN(JsonRef minutes_cell, set.Cell(row, "MIN"));
  FB_ASSIGN_OR_RETURN(out.seconds, ReadMinutes(minutes_cell));
  FB_ASSIGN_OR_RETURN(out.box, ReadBoxLine(set, row, "TOV"));
  return std::optional<LogRow>(std::move(out));
}

// The opponent's score from a team's points and plus-minus; nullopt when that would be negative
// (or overflow, for absurd input).
OptInt OpponentScore(int64_t points, int64_t plus_minus) {
  if (plus_minus > points || (plus_minus < 0 && points > INT64_MAX + plus_minus)) {
    return std::nullopt;
  }
  return points - plus_minus;
}

// Team rows: two per game, grouped so that each game is written once with both scores.
Status ImportTeamRows(const ResultSet& set, Writer& writer) {
  std::map<std::string, std::vector<std::pair<size_t, LogRow>>> by_game;
  std::vector<std::string> order;
  for (size_t row = 0; row < set.rows(); ++row) {
    FB_ASSIGN_OR_RETURN(auto log, ReadLogRow(set, row, writer, "team_game_stats"));
    if (!log) continue;
    auto& rows = by_game[log->game_id];
    if (rows.empty()) order.push_back(log->game_id);
    rows.emplace_back(row, *std::move(log));
  }
  for (const std::string& game_id : order) {
    const auto& rows = by_game[game_id];
    ImportedGame game = rows.front().second.game;
    game.periods = PeriodsFromTeamSeconds(rows.front().second.seconds);
    for (const auto& [row, log] : rows) {
      OptInt& own = log.is_home ? game.home_score : game.away_score;
      OptInt& other = log.is_home ? game.away_score : game.home_score;
      own = log.box.pts;
      if (!other && log.box.pts && log.box.plus_minus) {
        other = OpponentScore(*log.box.pts, *log.box.plus_minus);
      }
    }
    FB_RETURN_IF_ERROR(Located(writer.UpsertGame(game), set.Row(rows.front().first)));
    for (const auto& [row, log] : rows) {
      if (!log.box.pts) {
        return tl::unexpected(set.Row(row).Fail("PTS is null"));
      }
      TeamGameRecord team;
      team.game_id = game_id;
      team.team_id = log.team_id;
      team.opponent_id = log.opponent_id;
      team.is_home = log.is_home;
      team.win = log.win;
      team.seconds = log.seconds;
      team.box = log.box;
      FB_RETURN_IF_ERROR(Located(writer.UpsertTeamGame(team), set.Row(row)));
    }
  }
  return Ok();
}

// Player rows (LeagueGameLog with PlayerOrTeam=P, PlayerGameLog): each writes the game once per
// file (without scores), the player if new, and his box score line.
Status ImportPlayerRows(const ResultSet& set, Writer& writer) {
  std::set<std::string> games_written;
  for (size_t row = 0; row < set.rows(); ++row) {
    FB_ASSIGN_OR_RETURN(auto log, ReadLogRow(set, row, writer, "player_game_stats"));
    if (!log) continue;
    const JsonRef where = set.Row(row);
    if (games_written.insert(log->game_id).second) {
      FB_RETURN_IF_ERROR(Located(writer.UpsertGame(log->game), where));
    }
    FB_ASSIGN_OR_RETURN(JsonRef player_cell, set.Cell(row, "PLAYER_ID"));
    FB_ASSIGN_OR_RETURN(auto player_id, player_cell.OptLenientInt());
    if (!player_id) return tl::unexpected(player_cell.Fail("expected a player id, got null"));
    std::string full_name;
    if (set.Has("PLAYER_NAME")) {
      FB_ASSIGN_OR_RETURN(JsonRef name_cell, set.Cell(row, "PLAYER_NAME"));
      FB_ASSIGN_OR_RETURN(auto name, name_cell.OptString());
      full_name = name.value_or("");
    }
    auto [first, last] = SplitFullName(full_name);
    FB_RETURN_IF_ERROR(Located(writer.EnsurePlayer(*player_id, first, last, full_name), where));
    PlayerGameRecord line;
    line.game_id = log->game_id;
    line.player_id = *player_id;
    line.team_id = log->team_id;
    line.seconds = log->seconds;
    line.box = log->box;
    FB_RETURN_IF_ERROR(Located(writer.UpsertPlayerGame(line), where));
  }
  return Ok();
}

Result<ResultSet> RequireSet(const JsonRef& root, std::string_view name) {
  FB_ASSIGN_OR_RETURN(auto set, ResultSet::Find(root, name));
  if (!set) return tl::unexpected(root.Fail(fmt::format("no result set named {}", name)));
  return *std::move(set);
}

}  // namespace

Status ImportLeagueGameLog(const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(ResultSet set, RequireSet(root, "LeagueGameLog"));
  return set.Has("PLAYER_ID") ? ImportPlayerRows(set, writer) : ImportTeamRows(set, writer);
}

Status ImportPlayerGameLog(const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(ResultSet set, RequireSet(root, "PlayerGameLog"));
  return ImportPlayerRows(set, writer);
}

}  // namespace fastbreak::db::detail
