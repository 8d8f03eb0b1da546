// The Kaggle table readers: player, common_player_info, game, line_score, play_by_play.
#include <array>

#include "db/importers/kaggle_internal.hpp"
#include "db/importers/parse_util.hpp"
#include "db/importers/play_by_play_v2.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr std::string_view kGameNotImported = "game not imported";

// "Guard-Forward" -> "G-F"; other spellings are kept as they are.
OptText ShortPosition(const OptText& position) {
  if (!position) return std::nullopt;
  std::string out;
  std::string_view rest = *position;
  while (true) {
    const size_t dash = rest.find('-');
    const std::string_view word = rest.substr(0, dash);
    if (word == "Guard" || word == "Forward" || word == "Center") {
      out += word[0];
    } else {
      return position;
    }
    if (dash == std::string_view::npos) return out;
    out += '-';
    rest.remove_prefix(dash + 1);
  }
}

// The counting stats of one side of a `game` row; `first` is the column of fgm_<side>.
Result<BoxLine> ReadGameBox(const KaggleTable& t, int first) {
  BoxLine box;
  // fgm fga fg_pct fg3m fg3a fg3_pct ftm fta ft_pct oreb dreb reb ast stl blk tov pf pts pm
  OptInt* const targets[] = {&box.fgm,  &box.fga, nullptr,  &box.fg3m,      &box.fg3a,
                             nullptr,   &box.ftm, &box.fta, nullptr,        &box.oreb,
                             &box.dreb, &box.reb, &box.ast, &box.stl,       &box.blk,
                             &box.tov,  &box.pf,  &box.pts, &box.plus_minus};
  for (int i = 0; i < static_cast<int>(std::size(targets)); ++i) {
    if (targets[i] == nullptr) continue;
    FB_ASSIGN_OR_RETURN(*targets[i], t.Int(first + i));
  }
  return box;
}

std::vector<std::string_view> GameColumns() {
  std::vector<std::string_view> columns = {"game_id", "game_date", "season_type", "min"};
  static constexpr std::array<std::string_view, 19> kStats = {
      "fgm",  "fga", "fg_pct", "fg3m", "fg3a", "fg3_pct", "ftm", "fta", "ft_pct",    "oreb",
      "dreb", "reb", "ast",    "stl",  "blk",  "tov",     "pf",  "pts", "plus_minus"};
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (std::string_view side : {"home", "away"}) {
      out.push_back(fmt::format("team_id_{}", side));
      out.push_back(fmt::format("wl_{}", side));
      for (std::string_view stat : kStats) out.push_back(fmt::format("{}_{}", stat, side));
    }
    return out;
  }();
  columns.insert(columns.end(), names.begin(), names.end());
  return columns;
}

}  // namespace

Status ImportKagglePlayers(Connection& source, const std::string& path, Writer& writer,
                           const KaggleProgress& progress) {
  const std::vector<std::string_view> columns = {"id", "full_name", "first_name", "last_name",
                                                 "is_active"};
  FB_ASSIGN_OR_RETURN(StatementPtr select, SelectColumns(source, path, "player", columns));
  KaggleTable t(path, "player", columns, *select);
  return t.ForEachRow(
      [&]() -> Status {
        PlayerRecord player;
        FB_ASSIGN_OR_RETURN(player.player_id, t.RequiredInt(0));
        player.full_name = t.Text(1).value_or("");
        player.first_name = t.Text(2).value_or("");
        player.last_name = t.Text(3).value_or("");
        FB_ASSIGN_OR_RETURN(player.is_active, t.Int(4));
        if (player.is_active && *player.is_active != 0) player.is_active = 1;
        if (auto s = writer.UpsertPlayer(player); !s) return tl::unexpected(t.Locate(s.error()));
        return Ok();
      },
      progress);
}

Status ImportKagglePlayerInfo(Connection& source, const std::string& path, Writer& writer,
                              const KaggleProgress& progress) {
  const std::vector<std::string_view> columns = {
      "person_id", "first_name", "last_name",   "display_first_last", "birthdate",   "height",
      "weight",    "position",   "country",     "draft_year",         "draft_round", "draft_number",
      "from_year", "to_year",    "rosterstatus"};
  FB_ASSIGN_OR_RETURN(StatementPtr select,
                      SelectColumns(source, path, "common_player_info", columns));
  KaggleTable t(path, "common_player_info", columns, *select);
  return t.ForEachRow(
      [&]() -> Status {
        PlayerRecord player;
        player.names_authoritative = false;
        FB_ASSIGN_OR_RETURN(player.player_id, t.RequiredInt(0));
        player.first_name = t.Text(1).value_or("");
        player.last_name = t.Text(2).value_or("");
        player.full_name = t.Text(3).value_or(player.first_name + " " + player.last_name);
        if (auto birth = t.Text(4)) {
          if (auto date = ParseDate(*birth)) player.birth_date = *date;
        }
        if (auto height = t.Text(5)) player.height_cm = HeightToCm(*height);
        if (auto weight = t.LenientInt(6)) {
          player.weight_kg = PoundsToKg(static_cast<double>(*weight));
        }
        player.position = ShortPosition(t.Text(7));
        player.country = t.Text(8);
        player.draft_year = t.LenientInt(9);  // "Undrafted" -> NULL
        player.draft_round = t.LenientInt(10);
        player.draft_number = t.LenientInt(11);
        player.from_year = t.LenientInt(12);
        player.to_year = t.LenientInt(13);
        if (auto status = t.Text(14)) player.is_active = *status == "Active" ? 1 : 0;
        if (auto s = writer.UpsertPlayer(player); !s) return tl::unexpected(t.Locate(s.error()));
        return Ok();
      },
      progress);
}

Status ImportKaggleGames(Connection& source, const std::string& path, Writer& writer,
                         const KaggleProgress& progress) {
  const std::vector<std::string_view> columns = GameColumns();
  FB_ASSIGN_OR_RETURN(StatementPtr select, SelectColumns(source, path, "game", columns));
  KaggleTable t(path, "game", columns, *select);
  constexpr int kHome = 4;  // team_id_home; the away side starts 21 columns later
  constexpr int kSide = 21;
  return t.ForEachRow(
      [&]() -> Status {
        auto id = NormalizeGameId(t.Text(0).value_or(""));
        if (!id) {
          return tl::unexpected(t.Fail(fmt::format("column game_id: {}", id.error().message)));
        }
        const std::string season_type = t.Text(2).value_or("");
        auto game = GameFromId(*id);
        if (!game || season_type == "All Star" || season_type == "All-Star" ||
            season_type == "All-NBA") {
          writer.Skip("games", kUnstoredType);
          return Ok();
        }
        FB_ASSIGN_OR_RETURN(OptInt home_id, t.Int(kHome));
        FB_ASSIGN_OR_RETURN(OptInt away_id, t.Int(kHome + kSide));
        if (!home_id || !away_id || !IsNbaTeam(*home_id) || !IsNbaTeam(*away_id)) {
          writer.Skip("games", kForeignTeam);
          return Ok();
        }
        auto date = ParseDate(t.Text(1).value_or(""));
        if (!date) {
          return tl::unexpected(t.Fail(fmt::format("column game_date: {}", date.error().message)));
        }
        FB_ASSIGN_OR_RETURN(OptInt minutes, t.Int(3));
        OptInt seconds;  // team player-seconds; a 0 or negative "min" means unknown
        if (minutes && *minutes > 0) {
          seconds = SecondsFromMinutes(static_cast<double>(*minutes));
          if (!seconds) {
            return tl::unexpected(
                t.Fail(fmt::format("column min: {} minutes is out of range", *minutes)));
          }
        }
        FB_ASSIGN_OR_RETURN(BoxLine home, ReadGameBox(t, kHome + 2));
        FB_ASSIGN_OR_RETURN(BoxLine away, ReadGameBox(t, kHome + kSide + 2));
        game->game_date = *date;
        game->home_team_id = *home_id;
        game->away_team_id = *away_id;
        game->home_score = home.pts;
        game->away_score = away.pts;
        game->periods = PeriodsFromTeamSeconds(seconds);
        if (auto s = writer.UpsertGame(*game); !s) return tl::unexpected(t.Locate(s.error()));
        const OptText wl_home = t.Text(kHome + 1);
        for (bool is_home : {true, false}) {
          const BoxLine& box = is_home ? home : away;
          if (!box.pts) continue;
          TeamGameRecord team;
          team.game_id = *id;
          team.team_id = is_home ? *home_id : *away_id;
          team.opponent_id = is_home ? *away_id : *home_id;
          team.is_home = is_home;
          team.seconds = seconds;
          team.box = box;
          if (wl_home == "W" || wl_home == "L") {
            team.win = (wl_home == "W") == is_home ? 1 : 0;
          } else if (home.pts && away.pts) {
            team.win = (*home.pts > *away.pts) == is_home ? 1 : 0;
          }
          if (auto s = writer.UpsertTeamGame(team); !s) return tl::unexpected(t.Locate(s.error()));
        }
        return Ok();
      },
      progress);
}

Status ImportKaggleLineScores(Connection& source, const std::string& path, Writer& writer,
                              const KaggleProgress& progress) {
  std::vector<std::string> names = {"game_id"};
  for (std::string_view side : {"home", "away"}) {
    names.push_back(fmt::format("team_id_{}", side));
    for (int q = 1; q <= 4; ++q) names.push_back(fmt::format("pts_qtr{}_{}", q, side));
    for (int ot = 1; ot <= 10; ++ot) names.push_back(fmt::format("pts_ot{}_{}", ot, side));
  }
  const std::vector<std::string_view> columns(names.begin(), names.end());
  FB_ASSIGN_OR_RETURN(StatementPtr select, SelectColumns(source, path, "line_score", columns));
  KaggleTable t(path, "line_score", columns, *select);
  constexpr int kSide = 15;  // team id + 4 quarters + 10 overtimes
  return t.ForEachRow(
      [&]() -> Status {
        auto id = NormalizeGameId(t.Text(0).value_or(""));
        if (!id) {
          return tl::unexpected(t.Fail(fmt::format("column game_id: {}", id.error().message)));
        }
        FB_ASSIGN_OR_RETURN(bool exists, writer.GameExists(*id));
        if (!exists) {
          writer.Skip("game_periods", kGameNotImported);
          return Ok();
        }
        for (int side = 0; side < 2; ++side) {
          const int base = 1 + side * kSide;
          FB_ASSIGN_OR_RETURN(OptInt team_id, t.Int(base));
          if (!team_id || !IsNbaTeam(*team_id)) {
            writer.Skip("game_periods", kForeignTeam);
            continue;
          }
          for (int period = 1; period <= 14; ++period) {
            FB_ASSIGN_OR_RETURN(OptInt points, t.Int(base + period));
            FB_ASSIGN_OR_RETURN(OptInt other, t.Int((1 - side) * kSide + 1 + period));
            // Unplayed overtimes read 0 (or NULL) for both teams.
            if (!points || (period > 4 && *points == 0 && other.value_or(0) == 0)) continue;
            if (*points < 0) return tl::unexpected(t.Fail("negative period points"));
            if (auto s = writer.UpsertPeriod(*id, *team_id, period, *points); !s) {
              return tl::unexpected(t.Locate(s.error()));
            }
          }
        }
        return Ok();
      },
      progress);
}

Status ImportKagglePlays(Connection& source, const std::string& path, Writer& writer,
                         const KaggleProgress& progress) {
  const std::vector<std::string_view> columns = {
      "game_id",      "eventnum",        "eventmsgtype",       "period",
      "pctimestring", "homedescription", "neutraldescription", "visitordescription",
      "score",        "player1_id",      "player1_team_id",    "player2_id"};
  FB_ASSIGN_OR_RETURN(StatementPtr select, SelectColumns(source, path, "play_by_play", columns));
  KaggleTable t(path, "play_by_play", columns, *select);
  V2PlayConverter converter;
  std::string missing_game;  // last game found missing, to skip its rows without a lookup each
  V2Event event;
  return t.ForEachRow(
      [&]() -> Status {
        auto id = NormalizeGameId(t.Text(0).value_or(""));
        if (!id) {
          return tl::unexpected(t.Fail(fmt::format("column game_id: {}", id.error().message)));
        }
        event.game_id = *std::move(id);
        if (event.game_id == missing_game) {
          writer.Skip("play_by_play", kGameNotImported);
          return Ok();
        }
        FB_ASSIGN_OR_RETURN(bool exists, writer.GameExists(event.game_id));
        if (!exists) {
          missing_game = event.game_id;
          writer.Skip("play_by_play", kGameNotImported);
          return Ok();
        }
        FB_ASSIGN_OR_RETURN(event.event_num, t.RequiredInt(1));
        FB_ASSIGN_OR_RETURN(event.event_type, t.RequiredInt(2));
        FB_ASSIGN_OR_RETURN(event.period, t.RequiredInt(3));
        event.clock = t.Text(4).value_or("");
        event.home_description = t.Text(5);
        event.neutral_description = t.Text(6);
        event.visitor_description = t.Text(7);
        event.score = t.Text(8);
        FB_ASSIGN_OR_RETURN(event.player1_id, t.Int(9));
        FB_ASSIGN_OR_RETURN(event.player1_team_id, t.Int(10));
        FB_ASSIGN_OR_RETURN(event.player2_id, t.Int(11));
        auto play = converter.Convert(event);
        if (!play) return tl::unexpected(t.Locate(play.error()));
        if (auto s = writer.UpsertPlay(*play); !s) return tl::unexpected(t.Locate(s.error()));
        return Ok();
      },
      progress);
}

}  // namespace fastbreak::db::detail
