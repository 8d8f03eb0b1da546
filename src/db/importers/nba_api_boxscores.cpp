// BoxScoreTraditionalV2 (resultSets PlayerStats + TeamStats) and BoxScoreTraditionalV3.
#include "db/importers/nba_api_internal.hpp"
#include "db/importers/parse_util.hpp"

namespace fastbreak::db::detail {
namespace {

OptText NonEmpty(std::optional<std::string> text) {
  if (!text || text->find_first_not_of(' ') == std::string::npos) return std::nullopt;
  return text;
}

// The V3 "statistics" object of a player or team.
Result<BoxLine> ReadV3Box(const JsonRef& stats) {
  BoxLine box;
  const std::pair<OptInt*, std::string_view> fields[] = {{&box.pts, "points"},
                                                         {&box.fgm, "fieldGoalsMade"},
                                                         {&box.fga, "fieldGoalsAttempted"},
                                                         {&box.fg3m, "threePointersMade"},
                                                         {&box.fg3a, "threePointersAttempted"},
                                                         {&box.ftm, "freeThrowsMade"},
                                                         {&box.fta, "freeThrowsAttempted"},
                                                         {&box.oreb, "reboundsOffensive"},
                                                         {&box.dreb, "reboundsDefensive"},
                                                         {&box.reb, "reboundsTotal"},
                                                         {&box.ast, "assists"},
                                                         {&box.stl, "steals"},
                                                         {&box.blk, "blocks"},
                                                         {&box.tov, "turnovers"},
                                                         {&box.pf, "foulsPersonal"},
                                                         {&box.plus_minus, "plusMinusPoints"}};
  for (const auto& [stat, name] : fields) {
    FB_ASSIGN_OR_RETURN(auto field, stats.OptionalField(name));
    if (!field) continue;
    FB_ASSIGN_OR_RETURN(*stat, field->OptInt());
  }
  return box;
}

struct V3Team {
  int64_t team_id = 0;
  BoxLine box;
  OptInt seconds;
};

Result<V3Team> ReadV3Team(const JsonRef& team) {
  V3Team out;
  FB_ASSIGN_OR_RETURN(JsonRef id, team.Field("teamId"));
  FB_ASSIGN_OR_RETURN(out.team_id, id.Int());
  FB_ASSIGN_OR_RETURN(JsonRef stats, team.Field("statistics"));
  FB_ASSIGN_OR_RETURN(out.box, ReadV3Box(stats));
  if (!out.box.pts) return tl::unexpected(stats.Fail("\"points\" is missing or null"));
  FB_ASSIGN_OR_RETURN(auto minutes, stats.OptionalField("minutes"));
  if (minutes) {
    FB_ASSIGN_OR_RETURN(out.seconds, ReadMinutes(*minutes));
  }
  return out;
}

Status ImportV3Players(const JsonRef& team, const std::string& game_id, int64_t team_id,
                       Writer& writer) {
  FB_ASSIGN_OR_RETURN(JsonRef players, team.Field("players"));
  FB_ASSIGN_OR_RETURN(size_t count, players.Size());
  for (size_t i = 0; i < count; ++i) {
    const JsonRef player = players.At(i);
    FB_ASSIGN_OR_RETURN(JsonRef id, player.Field("personId"));
    FB_ASSIGN_OR_RETURN(int64_t player_id, id.Int());
    FB_ASSIGN_OR_RETURN(JsonRef first_ref, player.Field("firstName"));
    FB_ASSIGN_OR_RETURN(std::string first, first_ref.String());
    FB_ASSIGN_OR_RETURN(JsonRef last_ref, player.Field("familyName"));
    FB_ASSIGN_OR_RETURN(std::string last, last_ref.String());
    const std::string full = first.empty() ? last : first + " " + last;
    FB_RETURN_IF_ERROR(Located(writer.EnsurePlayer(player_id, first, last, full), player));

    PlayerGameRecord line;
    line.game_id = game_id;
    line.player_id = player_id;
    line.team_id = team_id;
    FB_ASSIGN_OR_RETURN(auto position, player.OptionalField("position"));
    if (position) {
      FB_ASSIGN_OR_RETURN(line.position, position->OptString());
    }
    line.position = NonEmpty(line.position);
    line.starter = line.position ? 1 : 0;  // V3 gives a position to starters only
    FB_ASSIGN_OR_RETURN(auto comment, player.OptionalField("comment"));
    if (comment) {
      FB_ASSIGN_OR_RETURN(line.dnp_reason, comment->OptString());
    }
    line.dnp_reason = NonEmpty(line.dnp_reason);
    FB_ASSIGN_OR_RETURN(JsonRef stats, player.Field("statistics"));
    FB_ASSIGN_OR_RETURN(line.box, ReadV3Box(stats));
    FB_ASSIGN_OR_RETURN(auto minutes, stats.OptionalField("minutes"));
    if (minutes) {
      FB_ASSIGN_OR_RETURN(line.seconds, ReadMinutes(*minutes));
    }
    if (!line.seconds && line.dnp_reason) line.seconds = 0;
    FB_RETURN_IF_ERROR(Located(writer.UpsertPlayerGame(line), player));
  }
  return Ok();
}

}  // namespace

Status ImportBoxScoreTraditionalV3(const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(JsonRef box, root.Field("boxScoreTraditional"));
  FB_ASSIGN_OR_RETURN(JsonRef id_ref, box.Field("gameId"));
  FB_ASSIGN_OR_RETURN(std::string game_id, id_ref.GameId());
  FB_ASSIGN_OR_RETURN(JsonRef home_ref, box.Field("homeTeam"));
  FB_ASSIGN_OR_RETURN(JsonRef away_ref, box.Field("awayTeam"));
  FB_ASSIGN_OR_RETURN(V3Team home, ReadV3Team(home_ref));
  FB_ASSIGN_OR_RETURN(V3Team away, ReadV3Team(away_ref));
  auto game = GameFromId(game_id);
  if (!game || !IsNbaTeam(home.team_id) || !IsNbaTeam(away.team_id)) {
    writer.Skip("games", !game ? kUnstoredType : kForeignTeam);
    return Ok();
  }
  game->home_team_id = home.team_id;
  game->away_team_id = away.team_id;
  game->home_score = home.box.pts;
  game->away_score = away.box.pts;
  game->periods = PeriodsFromTeamSeconds(home.seconds);
  FB_RETURN_IF_ERROR(Located(writer.UpsertGame(*game), box));
  for (const auto* side : {&home, &away}) {
    const V3Team& other = side == &home ? away : home;
    TeamGameRecord team;
    team.game_id = game_id;
    team.team_id = side->team_id;
    team.opponent_id = other.team_id;
    team.is_home = side == &home;
    team.win = *side->box.pts > *other.box.pts ? 1 : 0;
    team.seconds = side->seconds;
    team.box = side->box;
    const JsonRef& where = side == &home ? home_ref : away_ref;
    FB_RETURN_IF_ERROR(Located(writer.UpsertTeamGame(team), where));
    FB_RETURN_IF_ERROR(ImportV3Players(where, game_id, side->team_id, writer));
  }
  return Ok();
}

// V2 box scores do not say which team was at home: the game must already be stored (from a game
// log, scoreboard or V3 box score imported before or in the same run).
Status ImportBoxScoreTraditionalV2(const JsonRef& root, Writer& writer) {
  FB_ASSIGN_OR_RETURN(auto teams_set, ResultSet::Find(root, "TeamStats"));
  FB_ASSIGN_OR_RETURN(auto players_set, ResultSet::Find(root, "PlayerStats"));
  if (!teams_set || !players_set) {
    return tl::unexpected(root.Fail("expected result sets PlayerStats and TeamStats"));
  }
  if (teams_set->rows() == 0) return Ok();
  FB_ASSIGN_OR_RETURN(JsonRef id_cell, teams_set->Cell(0, "GAME_ID"));
  FB_ASSIGN_OR_RETURN(std::string game_id, id_cell.GameId());
  auto game = GameFromId(game_id);
  if (!game) {
    writer.Skip("games", kUnstoredType);
    return Ok();
  }
  FB_ASSIGN_OR_RETURN(auto stored, writer.GameTeams(game_id));
  if (!stored) {
    return tl::unexpected(id_cell.Fail(fmt::format(
        "game {} is not in the database and BoxScoreTraditionalV2 does not say which team was "
        "at home; import the game's LeagueGameLog, ScoreboardV3 or BoxScoreTraditionalV3 too",
        game_id)));
  }
  const auto [home_id, away_id] = *stored;
  std::map<int64_t, OptInt> points;
  for (size_t row = 0; row < teams_set->rows(); ++row) {
    FB_ASSIGN_OR_RETURN(JsonRef team_cell, teams_set->Cell(row, "TEAM_ID"));
    FB_ASSIGN_OR_RETURN(auto team_id, team_cell.OptLenientInt());
    FB_ASSIGN_OR_RETURN(JsonRef pts_cell, teams_set->Cell(row, "PTS"));
    FB_ASSIGN_OR_RETURN(OptInt pts, pts_cell.OptInt());
    if (!team_id || (*team_id != home_id && *team_id != away_id)) {
      return tl::unexpected(team_cell.Fail(fmt::format("team is not in game {}", game_id)));
    }
    points[*team_id] = pts;
  }
  game->home_team_id = home_id;
  game->away_team_id = away_id;
  game->home_score = points[home_id];
  game->away_score = points[away_id];
  FB_RETURN_IF_ERROR(Located(writer.UpsertGame(*game), teams_set->Row(0)));
  for (size_t row = 0; row < teams_set->rows(); ++row) {
    FB_ASSIGN_OR_RETURN(JsonRef team_cell, teams_set->Cell(row, "TEAM_ID"));
    FB_ASSIGN_OR_RETURN(auto team_id, team_cell.OptLenientInt());
    TeamGameRecord team;
    team.game_id = game_id;
    team.team_id = *team_id;
    team.opponent_id = *team_id == home_id ? away_id : home_id;
    team.is_home = *team_id == home_id;
    FB_ASSIGN_OR_RETURN(team.box, ReadBoxLine(*teams_set, row, "TO"));
    if (!team.box.pts) return tl::unexpected(teams_set->Row(row).Fail("PTS is null"));
    const OptInt& opponent_pts = points[team.opponent_id];
    if (opponent_pts) team.win = *team.box.pts > *opponent_pts ? 1 : 0;
    FB_ASSIGN_OR_RETURN(JsonRef minutes, teams_set->Cell(row, "MIN"));
    FB_ASSIGN_OR_RETURN(team.seconds, ReadMinutes(minutes));
    FB_RETURN_IF_ERROR(Located(writer.UpsertTeamGame(team), teams_set->Row(row)));
  }
  for (size_t row = 0; row < players_set->rows(); ++row) {
    const JsonRef where = players_set->Row(row);
    FB_ASSIGN_OR_RETURN(JsonRef player_cell, players_set->Cell(row, "PLAYER_ID"));
    FB_ASSIGN_OR_RETURN(int64_t player_id, player_cell.Int());
    FB_ASSIGN_OR_RETURN(JsonRef team_cell, players_set->Cell(row, "TEAM_ID"));
    FB_ASSIGN_OR_RETURN(auto team_id, team_cell.OptLenientInt());
    if (!team_id || (*team_id != home_id && *team_id != away_id)) {
      return tl::unexpected(team_cell.Fail(fmt::format("team is not in game {}", game_id)));
    }
    FB_ASSIGN_OR_RETURN(JsonRef name_cell, players_set->Cell(row, "PLAYER_NAME"));
    FB_ASSIGN_OR_RETURN(auto name, name_cell.OptString());
    auto [first, last] = SplitFullName(name.value_or(""));
    FB_RETURN_IF_ERROR(
        Located(writer.EnsurePlayer(player_id, first, last, name.value_or("")), where));
    PlayerGameRecord line;
    line.game_id = game_id;
    line.player_id = player_id;
    line.team_id = *team_id;
    FB_ASSIGN_OR_RETURN(JsonRef position, players_set->Cell(row, "START_POSITION"));
    FB_ASSIGN_OR_RETURN(line.position, position.OptString());
    line.position = NonEmpty(line.position);
    line.starter = line.position ? 1 : 0;
    FB_ASSIGN_OR_RETURN(JsonRef comment, players_set->Cell(row, "COMMENT"));
    FB_ASSIGN_OR_RETURN(line.dnp_reason, comment.OptString());
    line.dnp_reason = NonEmpty(line.dnp_reason);
    FB_ASSIGN_OR_RETURN(JsonRef minutes, players_set->Cell(row, "MIN"));
    FB_ASSIGN_OR_RETURN(line.seconds, ReadMinutes(minutes));
    if (!line.seconds && line.dnp_reason) line.seconds = 0;
    FB_ASSIGN_OR_RETURN(line.box, ReadBoxLine(*players_set, row, "TO"));
    FB_RETURN_IF_ERROR(Located(writer.UpsertPlayerGame(line), where));
  }
  return Ok();
}

}  // namespace fastbreak::db::detail
