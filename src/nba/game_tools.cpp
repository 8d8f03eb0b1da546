// Game tools: get_game, box_score, play_by_play.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "nba/args.hpp"
#include "nba/catalog_parts.hpp"
#include "nba/lookup.hpp"
#include "nba/render.hpp"

namespace fastbreak::nba::detail {
namespace {

Json IntOrNull(const db::Statement& statement, int column) {
  return statement.IsNull(column) ? Json(nullptr) : Json(statement.GetInt(column));
}

Json TextOrNull(const db::Statement& statement, int column) {
  if (statement.IsNull(column)) return nullptr;
  const std::string_view text = statement.GetText(column);
  return text.empty() ? Json(nullptr) : Json(std::string(text));
}

std::string IntText(const Json& value) {
  return value.is_number_integer() ? std::to_string(value.get<int64_t>()) : "-";
}

struct GameHeader {
  std::string game_id;
  Json date;  // null when the source did not carry it
  int64_t season = 0;
  std::string game_type, status;
  int64_t home_id = 0, away_id = 0;
  std::string home_abbreviation, away_abbreviation, home_name, away_name;
  Json home_score, away_score, periods, neutral_site, playoff_round, series_game, attendance;
};

// The required game_id argument.
Result<std::string> GameIdArgument(const Json& arguments) {
  Error error;
  const Json* value = RequiredArgument(arguments, "game_id", &error);
  if (value == nullptr) return tl::unexpected<Error>(error);
  return ParseGameId(*value);
}

// The statement reading a game's header, bound, not yet stepped; ReadGameHeader reads it.
Result<db::StatementPtr> PrepareGame(db::Connection& db, const std::string& game_id) {
  FB_ASSIGN_OR_RETURN(
      auto s, db.Prepare("SELECT g.game_id, g.game_date, g.season_id, g.game_type, g.status, "
                         "g.home_team_id, h.abbreviation, h.full_name, g.away_team_id, "
                         "a.abbreviation, a.full_name, g.home_score, g.away_score, g.periods, "
                         "g.neutral_site, g.playoff_round, g.series_game, g.attendance "
                         "FROM games g JOIN teams h ON h.team_id = g.home_team_id "
                         "JOIN teams a ON a.team_id = g.away_team_id WHERE g.game_id = ?"));
  s->Bind(1, game_id);
  return s;
}

// The game of a PrepareGame statement, or kNotFound telling how ids look.
Result<GameHeader> ReadGameHeader(db::Statement& s, const std::string& game_id) {
  FB_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return MakeError(ErrorCode::kNotFound,
                     "no game with id {} in the database; game ids are ten digits: 00, a type "
                     "digit (2 regular season, 4 playoffs, 5 play-in), the season's start year "
                     "and a sequence, e.g. 0022300061; use schedule to find a team's games",
                     game_id);
  }
  GameHeader g;
  g.game_id = s.GetText(0);
  g.date = TextOrNull(s, 1);
  g.season = s.GetInt(2);
  g.game_type = s.GetText(3);
  g.status = s.GetText(4);
  g.home_id = s.GetInt(5);
  g.home_abbreviation = s.GetText(6);
  g.home_name = s.GetText(7);
  g.away_id = s.GetInt(8);
  g.away_abbreviation = s.GetText(9);
  g.away_name = s.GetText(10);
  g.home_score = IntOrNull(s, 11);
  g.away_score = IntOrNull(s, 12);
  g.periods = IntOrNull(s, 13);
  g.neutral_site = s.GetInt(14) != 0;
  g.playoff_round = IntOrNull(s, 15);
  g.series_game = IntOrNull(s, 16);
  g.attendance = IntOrNull(s, 17);
  return g;
}

// The game named by the game_id argument, or kNotFound telling how ids look.
Result<GameHeader> LoadGame(db::Connection& db, const Json& arguments) {
  FB_ASSIGN_OR_RETURN(std::string game_id, GameIdArgument(arguments));
  FB_ASSIGN_OR_RETURN(auto statement, PrepareGame(db, game_id));
  return ReadGameHeader(*statement, game_id);
}

std::string Headline(const GameHeader& g) {
  return fmt::format("{} {} @ {} {} ({}, {} {}, {})", g.away_abbreviation, IntText(g.away_score),
                     g.home_abbreviation, IntText(g.home_score), g.game_id,
                     SeasonLabel(static_cast<int>(g.season)), g.game_type,
                     g.date.is_string() ? g.date.get<std::string>() : "date unknown");
}

Json GameTeamSchema() {
  return schema::Object({{"team_id", schema::Integer("NBA.com team id")},
                         {"abbreviation", schema::String("team code")},
                         {"name", schema::String("full team name")},
                         {"score", schema::Nullable(schema::Integer("points; null until played"))}},
                        {"team_id", "abbreviation", "name", "score"});
}

Json GameSummarySchema() {
  return schema::Object(
      {{"game_id", schema::String("ten-digit game id")},
       {"date", schema::Nullable(schema::String("YYYY-MM-DD; null when unknown"))},
       {"season", schema::Integer("season start year")},
       {"season_label", schema::String("e.g. 2023-24")},
       {"game_type", schema::String("regular, playin, playoffs, preseason or cup_final")},
       {"status", schema::String("final or scheduled")},
       {"home", GameTeamSchema()},
       {"away", GameTeamSchema()},
       {"winner", schema::Nullable(schema::String("winner's code; null until played"))},
       {"periods", schema::Nullable(schema::Integer("periods played, 4 plus overtimes"))},
       {"overtimes", schema::Nullable(schema::Integer("overtime periods"))},
       {"neutral_site", schema::Boolean("played at a neutral site")},
       {"attendance", schema::Nullable(schema::Integer("attendance"))},
       {"playoff_round", schema::Nullable(schema::Integer("1-4 for playoff games"))},
       {"series_game", schema::Nullable(schema::Integer("game number in the series"))}},
      {"game_id", "date", "season", "season_label", "game_type", "status", "home", "away", "winner",
       "periods", "overtimes", "neutral_site", "attendance", "playoff_round", "series_game"});
}

Json GameSummary(const GameHeader& g) {
  Json winner = nullptr;
  if (g.home_score.is_number_integer() && g.away_score.is_number_integer()) {
    winner = g.home_score.get<int64_t>() > g.away_score.get<int64_t>() ? g.home_abbreviation
                                                                       : g.away_abbreviation;
  }
  Json overtimes = nullptr;
  if (g.periods.is_number_integer()) overtimes = std::max<int64_t>(0, g.periods.get<int64_t>() - 4);
  return {{"game_id", g.game_id},
          {"date", g.date},
          {"season", g.season},
          {"season_label", SeasonLabel(static_cast<int>(g.season))},
          {"game_type", g.game_type},
          {"status", g.status},
          {"home",
           {{"team_id", g.home_id},
            {"abbreviation", g.home_abbreviation},
            {"name", g.home_name},
            {"score", g.home_score}}},
          {"away",
           {{"team_id", g.away_id},
            {"abbreviation", g.away_abbreviation},
            {"name", g.away_name},
            {"score", g.away_score}}},
          {"winner", winner},
          {"periods", g.periods},
          {"overtimes", overtimes},
          {"neutral_site", g.neutral_site},
          {"attendance", g.attendance},
          {"playoff_round", g.playoff_round},
          {"series_game", g.series_game}};
}

// ---------------------------------------------------------------------------------------------
// get_game

Result<ToolOutput> RunGetGame(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"game_id"}));
  FB_ASSIGN_OR_RETURN(std::string game_id, GameIdArgument(arguments));
  // The game and its line score in one round trip where the backend pipelines.
  FB_ASSIGN_OR_RETURN(auto header, PrepareGame(context.db, game_id));
  FB_ASSIGN_OR_RETURN(auto s, context.db.Prepare("SELECT team_id, period, points FROM "
                                                 "game_periods WHERE game_id = ? "
                                                 "ORDER BY team_id, period"));
  s->Bind(1, game_id);
  db::Statement* const batch[] = {header.get(), s.get()};
  FB_RETURN_IF_ERROR(context.db.Prefetch(batch));
  FB_ASSIGN_OR_RETURN(GameHeader g, ReadGameHeader(*header, game_id));
  std::map<int64_t, std::vector<int64_t>> periods;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    auto& points = periods[s->GetInt(0)];
    const auto period = static_cast<size_t>(s->GetInt(1));
    if (points.size() < period) points.resize(period, 0);
    points[period - 1] = s->GetInt(2);
  }
  Json line_score = Json::array();
  std::vector<std::vector<std::string>> table;
  size_t columns = 0;
  for (const auto& [team_id, points] : periods) columns = std::max(columns, points.size());
  for (const auto& [team_id, abbreviation] :
       {std::pair{g.away_id, g.away_abbreviation}, std::pair{g.home_id, g.home_abbreviation}}) {
    auto it = periods.find(team_id);
    if (it == periods.end()) continue;
    int64_t total = 0;
    std::vector<std::string> cells = {abbreviation};
    for (int64_t p : it->second) {
      total += p;
      cells.push_back(std::to_string(p));
    }
    cells.resize(columns + 1, "");
    cells.push_back(std::to_string(total));
    table.push_back(std::move(cells));
    line_score.push_back({{"team_id", team_id},
                          {"abbreviation", abbreviation},
                          {"periods", it->second},
                          {"total", total}});
  }
  std::string text = Headline(g);
  if (g.attendance.is_number_integer())
    text += fmt::format(", attendance {}", IntText(g.attendance));
  if (!table.empty()) {
    std::vector<std::string> headers = {"Team"};
    for (size_t i = 1; i <= columns; ++i) {
      headers.push_back(i <= 4 ? fmt::format("Q{}", i) : fmt::format("OT{}", i - 4));
    }
    headers.push_back("T");
    text += "\n" + RenderTable(headers, table, std::vector<bool>(columns + 2, true));
  }
  Json structured = GameSummary(g);
  structured["line_score"] = std::move(line_score);
  return ToolOutput{std::move(structured), std::move(text)};
}

ToolSpec GetGameTool() {
  ToolSpec tool;
  tool.name = "get_game";
  tool.title = "Game summary";
  tool.description =
      "One game's summary: date, season, type, teams, final score, status, periods and "
      "overtimes, attendance, playoff round and series game, and the line score (points per "
      "period for each team). Use it when you have a game id (from schedule or head_to_head) "
      "and need the result. Example: {\"game_id\": \"0022300061\"}.";
  tool.input_schema =
      schema::Object({{"game_id",
                       {{"type", Json::array({"string", "integer"})},
                        {"description", "Ten-digit NBA.com game id, e.g. \"0022300061\"."}}}},
                     {"game_id"});
  Json output = GameSummarySchema();
  output["properties"]["line_score"] = schema::Array(
      schema::Object({{"team_id", schema::Integer("NBA.com team id")},
                      {"abbreviation", schema::String("team code")},
                      {"periods", schema::Array(schema::Integer("points in the period"),
                                                "points by period; 5 and up are overtimes")},
                      {"total", schema::Integer("sum of the periods")}},
                     {"team_id", "abbreviation", "periods", "total"}));
  output["required"].push_back("line_score");
  tool.output_schema = std::move(output);
  tool.run = RunGetGame;
  return tool;
}

// ---------------------------------------------------------------------------------------------
// box_score

constexpr const char* kBoxStats[] = {"pts", "reb",  "ast",  "stl",       "blk",  "tov",
                                     "pf",  "fgm",  "fga",  "fg3m",      "fg3a", "ftm",
                                     "fta", "oreb", "dreb", "plus_minus"};
constexpr int kBoxStatCount = static_cast<int>(std::size(kBoxStats));

std::string BoxStatColumns(std::string_view alias) {
  std::string out;
  for (const char* stat : kBoxStats) out += fmt::format(", {}.{}", alias, stat);
  return out;
}

Json BoxStatProperties(Json properties) {
  for (const char* stat : kBoxStats) {
    properties[stat] = schema::Nullable(schema::Integer(stat));
  }
  return properties;
}

std::vector<std::string> BoxStatRequired(std::vector<std::string> required) {
  required.insert(required.end(), std::begin(kBoxStats), std::end(kBoxStats));
  return required;
}

Json BoxScoreOutputSchema() {
  Json player = schema::Object(
      BoxStatProperties({{"player_id", schema::Integer("player id")},
                         {"name", schema::String("full name")},
                         {"starter", schema::Boolean("started the game")},
                         {"position", schema::Nullable(schema::String("position if a starter"))},
                         {"seconds", schema::Nullable(schema::Integer("seconds played"))},
                         {"minutes", schema::String("MM:SS played")},
                         {"dnp_reason", schema::Nullable(schema::String("why he did not play"))}}),
      BoxStatRequired(
          {"player_id", "name", "starter", "position", "seconds", "minutes", "dnp_reason"}));
  Json totals = schema::Object(BoxStatProperties(Json::object()), BoxStatRequired({}));
  Json team = schema::Object({{"team_id", schema::Integer("NBA.com team id")},
                              {"abbreviation", schema::String("team code")},
                              {"name", schema::String("full team name")},
                              {"is_home", schema::Boolean("home team")},
                              {"players", schema::Array(player)},
                              {"totals", totals}},
                             {"team_id", "abbreviation", "name", "is_home", "players", "totals"});
  return schema::Object({{"game", GameSummarySchema()}, {"teams", schema::Array(team)}},
                        {"game", "teams"});
}

Result<ToolOutput> RunBoxScore(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"game_id", "team"}));
  FB_ASSIGN_OR_RETURN(std::string game_id, GameIdArgument(arguments));
  // The game, both teams' player lines and both teams' totals in one round trip where the
  // backend pipelines; everything is read before anything else runs on the connection.
  FB_ASSIGN_OR_RETURN(auto header, PrepareGame(context.db, game_id));
  FB_ASSIGN_OR_RETURN(
      auto players,
      context.db.Prepare("SELECT p.team_id, p.player_id, pl.full_name, p.starter, p.position, "
                         "p.seconds, p.dnp_reason" +
                         BoxStatColumns("p") +
                         " FROM player_game_stats p JOIN players pl ON pl.player_id = p.player_id "
                         "WHERE p.game_id = ? ORDER BY p.team_id, p.starter DESC, "
                         "COALESCE(p.seconds, 0) DESC, pl.full_name, p.player_id"));
  players->Bind(1, game_id);
  FB_ASSIGN_OR_RETURN(auto totals_statement,
                      context.db.Prepare("SELECT t.team_id" + BoxStatColumns("t") +
                                         " FROM team_game_stats t WHERE t.game_id = ?"));
  totals_statement->Bind(1, game_id);
  db::Statement* const batch[] = {header.get(), players.get(), totals_statement.get()};
  FB_RETURN_IF_ERROR(context.db.Prefetch(batch));
  FB_ASSIGN_OR_RETURN(GameHeader g, ReadGameHeader(*header, game_id));
  // Player lines by team, in box-score order: starters, then by minutes, then by name.
  std::map<int64_t, std::vector<Json>> team_lines;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, players->Step());
    if (!row) break;
    const Json seconds = IntOrNull(*players, 5);
    const int64_t played = seconds.is_number_integer() ? seconds.get<int64_t>() : 0;
    Json line = {{"player_id", players->GetInt(1)},
                 {"name", std::string(players->GetText(2))},
                 {"starter", players->GetInt(3) != 0},
                 {"position", TextOrNull(*players, 4)},
                 {"seconds", seconds},
                 {"minutes", FormatMinutes(played)},
                 {"dnp_reason", TextOrNull(*players, 6)}};
    for (int i = 0; i < kBoxStatCount; ++i) line[kBoxStats[i]] = IntOrNull(*players, 7 + i);
    team_lines[players->GetInt(0)].push_back(std::move(line));
  }
  std::map<int64_t, std::vector<Json>> team_totals;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, totals_statement->Step());
    if (!row) break;
    auto& values = team_totals[totals_statement->GetInt(0)];
    for (int i = 0; i < kBoxStatCount; ++i) values.push_back(IntOrNull(*totals_statement, 1 + i));
  }
  players.reset();
  totals_statement.reset();
  header.reset();
  std::optional<int64_t> only_team;
  if (const Json* value = FindArgument(arguments, "team")) {
    FB_ASSIGN_OR_RETURN(TeamRef team, ResolveTeam(context.db, *value));
    if (team.team_id != g.home_id && team.team_id != g.away_id) {
      return MakeError(ErrorCode::kInvalidArgument, "{} did not play in game {} ({} @ {})",
                       team.name, g.game_id, g.away_abbreviation, g.home_abbreviation);
    }
    only_team = team.team_id;
  }
  Json teams = Json::array();
  std::string text = Headline(g);
  for (const auto& [team_id, abbreviation, name, is_home] :
       {std::tuple{g.away_id, g.away_abbreviation, g.away_name, false},
        std::tuple{g.home_id, g.home_abbreviation, g.home_name, true}}) {
    if (only_team && *only_team != team_id) continue;
    Json lines = Json::array();
    std::vector<std::vector<std::string>> table;
    std::vector<int64_t> sums(kBoxStatCount, 0);
    for (Json& line : team_lines[team_id]) {
      const Json& seconds = line["seconds"];
      const int64_t played = seconds.is_number_integer() ? seconds.get<int64_t>() : 0;
      for (int i = 0; i < kBoxStatCount; ++i) {
        const Json& value = line[kBoxStats[i]];
        if (value.is_number_integer()) sums[static_cast<size_t>(i)] += value.get<int64_t>();
      }
      if (played > 0) {
        table.push_back(
            {line["name"].get<std::string>() + (line["starter"].get<bool>() ? "*" : ""),
             line["minutes"].get<std::string>(), IntText(line["pts"]), IntText(line["reb"]),
             IntText(line["ast"]), IntText(line["stl"]), IntText(line["blk"]), IntText(line["tov"]),
             IntText(line["fgm"]) + "-" + IntText(line["fga"]),
             IntText(line["fg3m"]) + "-" + IntText(line["fg3a"]),
             IntText(line["ftm"]) + "-" + IntText(line["fta"]), IntText(line["plus_minus"])});
      } else {
        const Json& reason = line["dnp_reason"];
        table.push_back({line["name"].get<std::string>(),
                         "DNP" + (reason.is_string() ? " " + reason.get<std::string>() : "")});
      }
      lines.push_back(std::move(line));
    }
    Json totals = Json::object();
    const auto found = team_totals.find(team_id);
    const bool has_totals = found != team_totals.end();
    for (int i = 0; i < kBoxStatCount; ++i) {
      totals[kBoxStats[i]] =
          has_totals ? found->second[static_cast<size_t>(i)]
                     : (lines.empty() ? Json(nullptr) : Json(sums[static_cast<size_t>(i)]));
    }
    table.push_back({"TOTAL", "", IntText(totals["pts"]), IntText(totals["reb"]),
                     IntText(totals["ast"]), IntText(totals["stl"]), IntText(totals["blk"]),
                     IntText(totals["tov"]), IntText(totals["fgm"]) + "-" + IntText(totals["fga"]),
                     IntText(totals["fg3m"]) + "-" + IntText(totals["fg3a"]),
                     IntText(totals["ftm"]) + "-" + IntText(totals["fta"]), ""});
    text +=
        "\n\n" + name + "\n" +
        RenderTable(
            {"Player", "MIN", "PTS", "REB", "AST", "STL", "BLK", "TOV", "FG", "3P", "FT", "+/-"},
            table, {false, true, true, true, true, true, true, true, true, true, true, true});
    teams.push_back({{"team_id", team_id},
                     {"abbreviation", abbreviation},
                     {"name", name},
                     {"is_home", is_home},
                     {"players", std::move(lines)},
                     {"totals", std::move(totals)}});
  }
  Json structured = {{"game", GameSummary(g)}, {"teams", std::move(teams)}};
  return ToolOutput{std::move(structured), std::move(text)};
}

ToolSpec BoxScoreTool() {
  ToolSpec tool;
  tool.name = "box_score";
  tool.title = "Box score";
  tool.description =
      "A game's box score: for each team (or one team), every listed player's line (starter, "
      "minutes, points, rebounds, assists, steals, blocks, turnovers, fouls, FGM-FGA, 3PM-3PA, "
      "FTM-FTA, offensive/defensive rebounds, plus-minus, or why he did not play) and the team "
      "totals. Use it for 'who led the Lakers in scoring in game 0022300061?' or 'how many "
      "minutes did the starters play?'. Find game ids with schedule. Example: {\"game_id\": "
      "\"0022300061\", \"team\": \"LAL\"}.";
  tool.input_schema = schema::Object(
      {{"game_id",
        {{"type", Json::array({"string", "integer"})},
         {"description", "Ten-digit NBA.com game id, e.g. \"0022300061\"."}}},
       {"team", schema::IdOrName("Only this team's side: abbreviation, name or team id.")}},
      {"game_id"});
  tool.output_schema = BoxScoreOutputSchema();
  tool.run = RunBoxScore;
  return tool;
}

// ---------------------------------------------------------------------------------------------
// play_by_play

struct EventType {
  const char* name;
  int code;
};
constexpr EventType kEventTypes[] = {
    {"made_shot", 1},   {"missed_shot", 2},     {"free_throw", 3},
    {"rebound", 4},     {"turnover", 5},        {"foul", 6},
    {"violation", 7},   {"substitution", 8},    {"timeout", 9},
    {"jump_ball", 10},  {"ejection", 11},       {"period_start", 12},
    {"period_end", 13}, {"instant_replay", 18}, {"credit", 0},
};

std::string EventTypeName(int64_t code) {
  for (const EventType& type : kEventTypes) {
    if (type.code == code) return type.name;
  }
  return "other";
}

std::string Clock(int64_t clock_ms) {
  const int64_t seconds = (clock_ms + 999) / 1000;
  return fmt::format("{:02}:{:02}", seconds / 60, seconds % 60);
}

Result<ToolOutput> RunPlayByPlay(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(
      CheckArguments(arguments, {"game_id", "period", "player", "event_type", "limit", "offset"}));
  FB_ASSIGN_OR_RETURN(GameHeader g, LoadGame(context.db, arguments));
  FB_ASSIGN_OR_RETURN(auto period, OptionalIntArgument(arguments, "period", 1, 10));
  std::optional<PlayerRef> player;
  if (const Json* value = FindArgument(arguments, "player")) {
    FB_ASSIGN_OR_RETURN(player, ResolvePlayer(context.db, *value));
  }
  FB_ASSIGN_OR_RETURN(
      std::string event_type,
      EnumArgument(arguments, "event_type",
                   {"any", "made_shot", "missed_shot", "free_throw", "rebound", "turnover", "foul",
                    "violation", "substitution", "timeout", "jump_ball", "ejection", "period_start",
                    "period_end", "instant_replay", "credit"},
                   "any"));
  std::optional<int> event_code;
  for (const EventType& type : kEventTypes) {
    if (event_type == type.name) event_code = type.code;
  }
  FB_ASSIGN_OR_RETURN(int64_t limit, IntArgument(arguments, "limit", 200, 1, 1000));
  FB_ASSIGN_OR_RETURN(int64_t offset, IntArgument(arguments, "offset", 0, 0, 100000));
  FB_ASSIGN_OR_RETURN(
      auto s,
      context.db.Prepare(
          "SELECT e.event_num, e.period, e.clock_ms, e.event_type, e.action, t.abbreviation, "
          "e.player_id, p1.full_name, e.player2_id, p2.full_name, e.description, e.home_score, "
          "e.away_score FROM play_by_play e LEFT JOIN teams t ON t.team_id = e.team_id "
          "LEFT JOIN players p1 ON p1.player_id = e.player_id "
          "LEFT JOIN players p2 ON p2.player_id = e.player2_id "
          "WHERE e.game_id = ?1 AND (CAST(?2 AS INTEGER) IS NULL OR e.period = ?2) "
          "AND (CAST(?3 AS BIGINT) IS NULL OR e.player_id = ?3 OR e.player2_id = ?3) "
          "AND (CAST(?4 AS INTEGER) IS NULL OR e.event_type = ?4) "
          "ORDER BY e.event_num LIMIT ?5 OFFSET ?6"));
  s->Bind(1, g.game_id);
  if (period) {
    s->Bind(2, *period);
  } else {
    s->BindNull(2);
  }
  if (player) {
    s->Bind(3, player->player_id);
  } else {
    s->BindNull(3);
  }
  if (event_code) {
    s->Bind(4, *event_code);
  } else {
    s->BindNull(4);
  }
  s->Bind(5, limit + 1);
  s->Bind(6, offset);
  Json events = Json::array();
  std::vector<std::vector<std::string>> table;
  bool truncated = false;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    if (static_cast<int64_t>(events.size()) == limit) {
      truncated = true;
      break;
    }
    const std::string clock = Clock(s->GetInt(2));
    Json event = {{"event_num", s->GetInt(0)},
                  {"period", s->GetInt(1)},
                  {"clock", clock},
                  {"event_type", EventTypeName(s->GetInt(3))},
                  {"action", TextOrNull(*s, 4)},
                  {"team", TextOrNull(*s, 5)},
                  {"player_id", IntOrNull(*s, 6)},
                  {"player", TextOrNull(*s, 7)},
                  {"player2_id", IntOrNull(*s, 8)},
                  {"player2", TextOrNull(*s, 9)},
                  {"description", TextOrNull(*s, 10)},
                  {"home_score", s->GetInt(11)},
                  {"away_score", s->GetInt(12)}};
    const Json& description = event["description"];
    table.push_back({std::to_string(s->GetInt(1)), clock,
                     event["team"].is_string() ? event["team"].get<std::string>() : "",
                     fmt::format("{}-{}", s->GetInt(12), s->GetInt(11)),
                     description.is_string() ? description.get<std::string>()
                                             : event["event_type"].get<std::string>()});
    events.push_back(std::move(event));
  }
  const size_t count = events.size();
  const Json next_offset = truncated ? Json(offset + static_cast<int64_t>(count)) : Json(nullptr);
  std::string text = Headline(g) + fmt::format("\n{} events from offset {}", count, offset);
  if (truncated) text += fmt::format(" (more: call again with offset {})", offset + limit);
  text += "\n" + RenderTable({"Q", "Clock", "Team", "Score", "Play"}, table,
                             {true, true, false, true, false});
  Json structured = {{"game_id", g.game_id},
                     {"home", g.home_abbreviation},
                     {"away", g.away_abbreviation},
                     {"offset", offset},
                     {"count", count},
                     {"truncated", truncated},
                     {"next_offset", next_offset},
                     {"events", std::move(events)}};
  return ToolOutput{std::move(structured), std::move(text)};
}

ToolSpec PlayByPlayTool() {
  ToolSpec tool;
  tool.name = "play_by_play";
  tool.title = "Play-by-play";
  tool.description =
      "A game's play-by-play events in order: period, clock (MM:SS left), team, players, "
      "description and the running score. Filter by period (5+ are overtimes), player (name "
      "or id; matches the main or second player, e.g. the assister) and event type. Pages with "
      "limit/offset; `truncated` and `next_offset` say when more events match. Use it for 'how "
      "did the fourth quarter go?' or 'every shot Curry made in game 0022300061'. Example: "
      "{\"game_id\": \"0022300061\", \"period\": 4, \"event_type\": \"made_shot\"}.";
  std::vector<std::string> type_names = {"any"};
  for (const EventType& type : kEventTypes) type_names.emplace_back(type.name);
  tool.input_schema = schema::Object(
      {{"game_id",
        {{"type", Json::array({"string", "integer"})},
         {"description", "Ten-digit NBA.com game id, e.g. \"0022300061\"."}}},
       {"period", schema::Integer("Only this period (5 and up are overtimes).", 1, 10)},
       {"player", schema::IdOrName("Only events involving this player (name or id).")},
       {"event_type", schema::Enum("Only this kind of event.", type_names, "any")},
       {"limit", schema::Integer("Most events returned.", 1, 1000, 200)},
       {"offset", schema::Integer("Events to skip (for paging).", 0, 100000, 0)}},
      {"game_id"});
  Json event = schema::Object(
      {{"event_num", schema::Integer("order within the game")},
       {"period", schema::Integer("period, 5+ overtime")},
       {"clock", schema::String("time left in the period, MM:SS")},
       {"event_type", schema::String("made_shot, missed_shot, free_throw, rebound, ...")},
       {"action", schema::Nullable(schema::String("Jump Shot, Layup, Personal, ..."))},
       {"team", schema::Nullable(schema::String("team code"))},
       {"player_id", schema::Nullable(schema::Integer("main player id"))},
       {"player", schema::Nullable(schema::String("main player"))},
       {"player2_id", schema::Nullable(schema::Integer("second player id"))},
       {"player2", schema::Nullable(schema::String("assister, fouled player, player in"))},
       {"description", schema::Nullable(schema::String("play description"))},
       {"home_score", schema::Integer("home score after the event")},
       {"away_score", schema::Integer("away score after the event")}},
      {"event_num", "period", "clock", "event_type", "action", "team", "player_id", "player",
       "player2_id", "player2", "description", "home_score", "away_score"});
  tool.output_schema = schema::Object(
      {{"game_id", schema::String("game id")},
       {"home", schema::String("home team code")},
       {"away", schema::String("away team code")},
       {"offset", schema::Integer("events skipped")},
       {"count", schema::Integer("events returned")},
       {"truncated", schema::Boolean("more events match after these")},
       {"next_offset", schema::Nullable(schema::Integer("offset for the next page"))},
       {"events", schema::Array(event)}},
      {"game_id", "home", "away", "offset", "count", "truncated", "next_offset", "events"});
  tool.run = RunPlayByPlay;
  return tool;
}

}  // namespace

void AddGameTools(Catalog& catalog) {
  catalog.tools.push_back(GetGameTool());
  catalog.tools.push_back(BoxScoreTool());
  catalog.tools.push_back(PlayByPlayTool());
}

}  // namespace fastbreak::nba::detail
