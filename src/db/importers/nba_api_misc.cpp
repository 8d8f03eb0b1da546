// CommonAllPlayers (players) and ScoreboardV3 (games and line scores of one day).
#include "db/importers/nba_api_internal.hpp"
#include "db/importers/parse_util.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int64_t kFinalStatus = 3;  // ScoreboardV3 gameStatus: 1 scheduled, 2 live, 3 final

// ROSTERSTATUS is 0/1, or "Active"/"Inactive" in some seasons.
Result<OptInt> RosterStatus(const JsonRef& cell) {
  if (cell.json().is_string()) {
    const auto& text = cell.json().get_ref<const std::string&>();
    if (text == "Active") return OptInt(1);
    if (text == "Inactive" || text.empty()) return OptInt(0);
  }
  FB_ASSIGN_OR_RETURN(OptInt value, cell.OptLenientInt());
  if (value && *value != 0 && *value != 1) return tl::unexpected(cell.Fail("expected 0 or 1"));
  return value;
}

struct ScoreboardTeam {
  int64_t team_id = 0;
  OptInt score;
  std::vector<std::pair<int64_t, int64_t>> periods;  // period, points
};

Result<ScoreboardTeam> ReadScoreboardTeam(const JsonRef& team) {
  ScoreboardTeam out;
  FB_ASSIGN_OR_RETURN(JsonRef id, team.Field("teamId"));
  FB_ASSIGN_OR_RETURN(out.team_id, id.Int());
  FB_ASSIGN_OR_RETURN(out.score, OptionalInt(team, "score"));
  FB_ASSIGN_OR_RETURN(auto periods, team.OptionalField("periods"));
  if (!periods) return out;
  FB_ASSIGN_OR_RETURN(size_t count, periods->Size());
  for (size_t i = 0; i < count; ++i) {
    const JsonRef period = periods->At(i);
    FB_ASSIGN_OR_RETURN(JsonRef number, period.Field("period"));
    FB_ASSIGN_OR_RETURN(JsonRef points, period.Field("score"));
    FB_ASSIGN_OR_RETURN(int64_t n, number.Int());
    FB_ASSIGN_OR_RETURN(int64_t p, points.Int());
    if (n < 1 || p < 0) return tl::unexpected(period.Fail("invalid period or score"));
    out.periods.emplace_back(n, p);
  }
  return out;
}

Status ImportScoreboardGame(const JsonRef& entry, const std::string& board_date, Writer& writer) {
  FB_ASSIGN_OR_RETURN(JsonRef id_ref, entry.Field("gameId"));
  FB_ASSIGN_OR_RETURN(std::string game_id, id_ref.GameId());
  FB_ASSIGN_OR_RETURN(JsonRef home_ref, entry.Field("homeTeam"));
  FB_ASSIGN_OR_RETURN(JsonRef away_ref, entry.Field("awayTeam"));
  FB_ASSIGN_OR_RETURN(ScoreboardTeam home, ReadScoreboardTeam(home_ref));
  FB_ASSIGN_OR_RETURN(ScoreboardTeam away, ReadScoreboardTeam(away_ref));
  auto game = GameFromId(game_id);
  if (!game || !IsNbaTeam(home.team_id) || !IsNbaTeam(away.team_id)) {
    writer.Skip("games", !game ? kUnstoredType : kForeignTeam);
    return Ok();
  }
  game->home_team_id = home.team_id;
  game->away_team_id = away.team_id;
  game->game_date = board_date;
  FB_ASSIGN_OR_RETURN(auto game_et, entry.OptionalField("gameEt"));
  if (game_et && game_et->json().is_string()) {
    auto date = ParseDate(game_et->json().get<std::string>().substr(0, 10));
    if (date) game->game_date = *date;  // the local (Eastern) date of the game
  }
  FB_ASSIGN_OR_RETURN(OptInt status, OptionalInt(entry, "gameStatus"));
  const bool is_final = status == kFinalStatus;
  game->status = is_final ? "final" : "scheduled";
  if (is_final) {
    game->home_score = home.score;
    game->away_score = away.score;
    FB_ASSIGN_OR_RETURN(OptInt period, OptionalInt(entry, "period"));
    if (period && *period >= 4) game->periods = period;
  }
  FB_ASSIGN_OR_RETURN(auto neutral, entry.OptionalField("isNeutral"));
  if (neutral && neutral->json().is_boolean()) game->neutral_site = neutral->json().get<bool>();
  FB_RETURN_IF_ERROR(Located(writer.UpsertGame(*game), entry));
  if (!is_final) return Ok();
  for (const ScoreboardTeam* team : {&home, &away}) {
    for (const auto& [period, points] : team->periods) {
      FB_RETURN_IF_ERROR(
          Located(writer.UpsertPeriod(game_id, team->team_id, period, points), entry));
    }
  }
  return Ok();
}

}  // namespace

Status ImportCommonAllPlayers(const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(auto set, ResultSet::Find(root, "CommonAllPlayers"));
  if (!set) return tl::unexpected(root.Fail("no result set named CommonAllPlayers"));
  for (size_t row = 0; row < set->rows(); ++row) {
    PlayerRecord player;
    FB_ASSIGN_OR_RETURN(JsonRef id, set->Cell(row, "PERSON_ID"));
    FB_ASSIGN_OR_RETURN(player.player_id, id.Int());
    FB_ASSIGN_OR_RETURN(JsonRef full_cell, set->Cell(row, "DISPLAY_FIRST_LAST"));
    FB_ASSIGN_OR_RETURN(player.full_name, full_cell.String());
    FB_ASSIGN_OR_RETURN(JsonRef comma_cell, set->Cell(row, "DISPLAY_LAST_COMMA_FIRST"));
    FB_ASSIGN_OR_RETURN(std::string last_comma_first, comma_cell.String());
    if (const size_t comma = last_comma_first.find(", "); comma != std::string::npos) {
      player.last_name = last_comma_first.substr(0, comma);
      player.first_name = last_comma_first.substr(comma + 2);
    } else {
      player.last_name = last_comma_first;  // one-word names ("Nene")
    }
    FB_ASSIGN_OR_RETURN(JsonRef status, set->Cell(row, "ROSTERSTATUS"));
    FB_ASSIGN_OR_RETURN(player.is_active, RosterStatus(status));
    FB_ASSIGN_OR_RETURN(JsonRef from, set->Cell(row, "FROM_YEAR"));
    FB_ASSIGN_OR_RETURN(player.from_year, from.OptLenientInt());
    FB_ASSIGN_OR_RETURN(JsonRef to, set->Cell(row, "TO_YEAR"));
    FB_ASSIGN_OR_RETURN(player.to_year, to.OptLenientInt());
    FB_RETURN_IF_ERROR(Located(writer.UpsertPlayer(player), set->Row(row)));
  }
  return Ok();
}

Status ImportScoreboardV3(const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(JsonRef board, root.Field("scoreboard"));
  FB_ASSIGN_OR_RETURN(JsonRef date_ref, board.Field("gameDate"));
  FB_ASSIGN_OR_RETURN(std::string date_text, date_ref.String());
  auto board_date = ParseDate(date_text);
  if (!board_date) return tl::unexpected(date_ref.Fail(board_date.error().message));
  FB_ASSIGN_OR_RETURN(JsonRef games, board.Field("games"));
  FB_ASSIGN_OR_RETURN(size_t count, games.Size());
  for (size_t i = 0; i < count; ++i) {
    FB_RETURN_IF_ERROR(ImportScoreboardGame(games.At(i), *board_date, writer));
  }
  return Ok();
}

}  // namespace fastbreak::db::detail
