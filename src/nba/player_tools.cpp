// Player tools: search_players, get_player, player_season_stats, player_game_log,
// compare_players, league_leaders.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "nba/args.hpp"
#include "nba/catalog_parts.hpp"
#include "nba/lookup.hpp"
#include "nba/render.hpp"
#include "nba/stats.hpp"

namespace fastbreak::nba::detail {
namespace {

// ---------------------------------------------------------------------------------------------
// Shared helpers.

template <typename T>
Json OptionalJson(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json OptionalJson(std::optional<double> value) { return value ? Json(*value) : Json(nullptr); }

Json PlayerJson(const PlayerRef& player) {
  return {{"player_id", player.player_id}, {"name", player.name}};
}

Json PlayerSchema() {
  return schema::Object(
      {{"player_id", schema::Integer("player id")}, {"name", schema::String("full name")}},
      {"player_id", "name"});
}

// The statement reading a player's position and the abbreviation of the team of his most
// recent game (NULL without games), bound, not yet stepped.
Result<db::StatementPtr> PreparePlayerSummary(db::Connection& db, int64_t player_id) {
  FB_ASSIGN_OR_RETURN(auto statement,
                      db.Prepare("SELECT pl.position, (SELECT t.abbreviation "
                                 "FROM player_game_stats p JOIN games g ON g.game_id = p.game_id "
                                 "JOIN teams t ON t.team_id = p.team_id "
                                 "WHERE p.player_id = pl.player_id "
                                 "ORDER BY g.game_date DESC, g.game_id DESC LIMIT 1) "
                                 "FROM players pl WHERE pl.player_id = ?"));
  statement->Bind(1, player_id);
  return statement;
}

Json SeasonTypeSchema() {
  return schema::Enum("Regular season, playoffs or play-in games.",
                      {"regular", "playoffs", "playin"}, "regular");
}

// The seasons (start years, ascending) in which the player played a game of `season_type`.
Result<std::vector<int>> PlayerSeasons(db::Connection& db, int64_t player_id,
                                       std::string_view season_type) {
  FB_ASSIGN_OR_RETURN(auto statement,
                      db.Prepare("SELECT DISTINCT g.season_id FROM player_game_stats p "
                                 "JOIN games g ON g.game_id = p.game_id "
                                 "WHERE p.player_id = ? AND g.game_type = ? AND p.seconds > 0 "
                                 "ORDER BY g.season_id"));
  statement->BindAll(player_id, season_type);
  std::vector<int> seasons;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    seasons.push_back(static_cast<int>(statement->GetInt(0)));
  }
  return seasons;
}

std::string SeasonList(const std::vector<int>& seasons) {
  std::string out;
  for (size_t i = 0; i < seasons.size(); ++i) {
    if (seasons.size() > 12 && i == 5) {
      out += ", ...";
      i = seasons.size() - 6;
      continue;
    }
    if (!out.empty()) out += ", ";
    out += SeasonLabel(seasons[i]);
  }
  return out;
}

Error NoSeasonData(const PlayerRef& player, std::optional<int> season, std::string_view season_type,
                   const std::vector<int>& seasons) {
  const std::string what = season ? fmt::format("in {} ", SeasonLabel(*season)) : "";
  if (seasons.empty()) {
    return Error{ErrorCode::kNotFound, fmt::format("{} played no {} games {}in this database",
                                                   player.name, season_type, what)};
  }
  return Error{ErrorCode::kNotFound,
               fmt::format("{} played no {} games {}; he has {} games in: {}", player.name,
                           season_type, what, season_type, SeasonList(seasons))};
}

// The season named by the "season" argument, or the latest season the player played.
Result<int> PlayerSeason(CallContext& context, const Json& arguments, const PlayerRef& player,
                         std::string_view season_type) {
  FB_ASSIGN_OR_RETURN(auto seasons, PlayerSeasons(context.db, player.player_id, season_type));
  const Json* value = FindArgument(arguments, "season");
  if (value == nullptr) {
    if (seasons.empty()) return tl::unexpected(NoSeasonData(player, {}, season_type, seasons));
    return seasons.back();
  }
  FB_ASSIGN_OR_RETURN(int season, ResolveSeason(context.db, value));
  if (std::find(seasons.begin(), seasons.end(), season) == seasons.end()) {
    return tl::unexpected(NoSeasonData(player, season, season_type, seasons));
  }
  return season;
}

// A player's stats with one team in one season.
struct TeamLine {
  int64_t team_id = 0;
  std::string team;
  CountingStats stats;
  TeamShare share;
};

// The statement reading the player's lines in `season` by team, bound, not yet stepped.
Result<db::StatementPtr> PrepareSeasonLines(db::Connection& db, int64_t player_id, int season,
                                            std::string_view season_type) {
  static const std::string sql = fmt::format(
      "SELECT p.team_id, t.abbreviation, SUM(tg.seconds), SUM(tg.fga), SUM(tg.fta), "
      "SUM(tg.tov), {} FROM player_game_stats p "
      "JOIN games g ON g.game_id = p.game_id "
      "JOIN teams t ON t.team_id = p.team_id "
      "LEFT JOIN team_game_stats tg ON tg.game_id = p.game_id AND tg.team_id = p.team_id "
      "WHERE p.player_id = ?1 AND g.season_id = ?2 AND g.game_type = ?3 AND p.seconds > 0 "
      "GROUP BY p.team_id, t.abbreviation ORDER BY MIN(g.game_date), p.team_id",
      CountingSelect("p"));
  FB_ASSIGN_OR_RETURN(auto statement, db.Prepare(sql));
  statement->BindAll(player_id, int64_t{season}, season_type);
  return statement;
}

// The lines of a PrepareSeasonLines statement, in the order he played for the teams.
Result<std::vector<TeamLine>> ReadSeasonLines(db::Statement& statement) {
  std::vector<TeamLine> lines;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) break;
    TeamLine line;
    line.team_id = statement.GetInt(0);
    line.team = std::string(statement.GetText(1));
    auto read = [&](int column) { return statement.IsNull(column) ? 0 : statement.GetInt(column); };
    line.share = TeamShare{read(2), read(3), read(4), read(5)};
    line.stats = ReadCountingStats(statement, 6);
    lines.push_back(std::move(line));
  }
  return lines;
}

// The player's lines in `season` by team, in the order he played for them.
Result<std::vector<TeamLine>> SeasonLines(db::Connection& db, int64_t player_id, int season,
                                          std::string_view season_type) {
  FB_ASSIGN_OR_RETURN(auto statement, PrepareSeasonLines(db, player_id, season, season_type));
  return ReadSeasonLines(*statement);
}

// All teams together; `team` is "TOT" for a traded player.
TeamLine Combine(const std::vector<TeamLine>& lines) {
  TeamLine total;
  total.team = lines.size() == 1 ? lines[0].team : "TOT";
  total.team_id = lines.size() == 1 ? lines[0].team_id : 0;
  for (const auto& line : lines) {
    total.stats += line.stats;
    total.share.seconds += line.share.seconds;
    total.share.fga += line.share.fga;
    total.share.fta += line.share.fta;
    total.share.tov += line.share.tov;
  }
  return total;
}

Result<ToolOutput> RunSearchPlayers(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"query", "active_only", "limit"}));
  FB_ASSIGN_OR_RETURN(std::string query, RequiredStringArgument(arguments, "query", 100));
  FB_ASSIGN_OR_RETURN(bool active_only, BoolArgument(arguments, "active_only", false));
  FB_ASSIGN_OR_RETURN(int64_t limit, IntArgument(arguments, "limit", 10, 1, 50));
  FB_ASSIGN_OR_RETURN(auto players,
                      SearchPlayers(context.db, query, static_cast<size_t>(limit), active_only));
  // Each player's position and latest team, up to kBatch players per round trip where the
  // backend pipelines.
  constexpr size_t kBatch = 10;
  std::vector<Json> positions;
  std::vector<std::optional<std::string>> teams;
  for (size_t first = 0; first < players.size(); first += kBatch) {
    std::vector<db::StatementPtr> statements;
    std::vector<db::Statement*> batch;
    for (size_t i = first; i < players.size() && i < first + kBatch; ++i) {
      FB_ASSIGN_OR_RETURN(auto statement, PreparePlayerSummary(context.db, players[i].player_id));
      batch.push_back(statement.get());
      statements.push_back(std::move(statement));
    }
    FB_RETURN_IF_ERROR(context.db.Prefetch(batch));
    for (auto& statement : statements) {
      FB_ASSIGN_OR_RETURN(bool found, statement->Step());
      positions.push_back(found && !statement->IsNull(0) ? Json(std::string(statement->GetText(0)))
                                                         : Json(nullptr));
      teams.push_back(found && !statement->IsNull(1)
                          ? std::optional<std::string>(std::string(statement->GetText(1)))
                          : std::nullopt);
    }
  }
  ToolOutput output;
  Json rows = Json::array();
  std::vector<std::vector<std::string>> table;
  for (size_t i = 0; i < players.size(); ++i) {
    const PlayerRef& player = players[i];
    const Json& position = positions[i];
    const std::optional<std::string>& team = teams[i];
    rows.push_back({{"player_id", player.player_id},
                    {"name", player.name},
                    {"from_year", OptionalJson(player.from_year)},
                    {"to_year", OptionalJson(player.to_year)},
                    {"is_active", player.is_active},
                    {"position", position},
                    {"team", OptionalJson(team)}});
    table.push_back({std::to_string(player.player_id), player.name,
                     player.from_year ? std::to_string(*player.from_year) : "-",
                     player.to_year ? std::to_string(*player.to_year) : "-",
                     player.is_active ? "yes" : "no",
                     position.is_string() ? position.get<std::string>() : "-", team.value_or("-")});
  }
  output.structured = {{"query", query}, {"count", rows.size()}, {"players", std::move(rows)}};
  if (players.empty()) {
    output.text = fmt::format("No player matches \"{}\".", query);
  } else {
    output.text = RenderTable({"id", "name", "from", "to", "active", "pos", "team"}, table,
                              {true, false, true, true, false, false, false});
  }
  return output;
}

ToolSpec SearchPlayersTool() {
  ToolSpec tool;
  tool.name = "search_players";
  tool.title = "Search players";
  tool.description =
      "Find NBA players by name: full, partial, last name only or misspelled (\"Lebron Jmaes\", "
      "\"Jokic\", \"Steph\"). Returns ids, career span, position and latest team, best matches "
      "first. Use it to get a player_id when a name is ambiguous or another tool could not "
      "resolve it. Example: {\"query\": \"curry\", \"active_only\": true}.";
  tool.input_schema = schema::Object(
      {{"query", schema::String("Name or part of a name; accents and case are ignored.")},
       {"active_only", schema::Boolean("Only players active in the latest season.", false)},
       {"limit", schema::Integer("Most players to return.", 1, 50, 10)}},
      {"query"});
  tool.output_schema = schema::Object(
      {{"query", schema::String("the query as given")},
       {"count", schema::Integer("players returned")},
       {"players",
        schema::Array(schema::Object(
            {{"player_id", schema::Integer("player id")},
             {"name", schema::String("full name")},
             {"from_year", schema::Nullable(schema::Integer("first season (start year)"))},
             {"to_year", schema::Nullable(schema::Integer("last season (start year)"))},
             {"is_active", schema::Boolean("active in the latest season")},
             {"position", schema::Nullable(schema::String("G, F, C, G-F, F-C"))},
             {"team", schema::Nullable(schema::String("latest team abbreviation"))}},
            {"player_id", "name", "from_year", "to_year", "is_active", "position", "team"}))}},
      {"query", "count", "players"});
  tool.run = RunSearchPlayers;
  return tool;
}

// ---------------------------------------------------------------------------------------------
// get_player

std::optional<std::string> HeightFeet(std::optional<int64_t> cm) {
  if (!cm) return std::nullopt;
  const int inches = static_cast<int>(std::lround(static_cast<double>(*cm) / 2.54));
  return fmt::format("{}-{}", inches / 12, inches % 12);
}

// The statement reading the player's bio, bound, not yet stepped.
Result<db::StatementPtr> PreparePlayerBio(db::Connection& db, int64_t player_id) {
  FB_ASSIGN_OR_RETURN(auto statement,
                      db.Prepare("SELECT birth_date, height_cm, weight_kg, position, country, "
                                 "draft_year, draft_round, draft_number FROM players "
                                 "WHERE player_id = ?"));
  statement->Bind(1, player_id);
  return statement;
}

Result<Json> ReadPlayerBio(db::Statement& statement, int64_t player_id) {
  FB_ASSIGN_OR_RETURN(bool row, statement.Step());
  if (!row) return MakeError(ErrorCode::kNotFound, "no player with id {}", player_id);
  auto text = [&](int c) {
    return statement.IsNull(c) ? Json(nullptr) : Json(std::string(statement.GetText(c)));
  };
  auto integer = [&](int c) {
    return statement.IsNull(c) ? std::optional<int64_t>() : statement.GetInt(c);
  };
  Json draft = nullptr;
  if (integer(5)) {
    draft = {{"year", *integer(5)},
             {"round", OptionalJson(integer(6))},
             {"number", OptionalJson(integer(7))}};
  }
  return Json{{"birth_date", text(0)},
              {"height_cm", OptionalJson(integer(1))},
              {"height_ft_in", OptionalJson(HeightFeet(integer(1)))},
              {"weight_kg", OptionalJson(integer(2))},
              {"position", text(3)},
              {"country", text(4)},
              {"draft", draft}};
}

Json PlayerBioSchema() {
  return schema::Object(
      {{"birth_date", schema::Nullable(schema::String("YYYY-MM-DD"))},
       {"height_cm", schema::Nullable(schema::Integer("height in centimetres"))},
       {"height_ft_in", schema::Nullable(schema::String("height in feet-inches, \"6-9\""))},
       {"weight_kg", schema::Nullable(schema::Integer("weight in kilograms"))},
       {"position", schema::Nullable(schema::String("G, F, C, G-F, F-C"))},
       {"country", schema::Nullable(schema::String("country"))},
       {"draft", schema::Nullable(
                     schema::Object({{"year", schema::Integer("draft year")},
                                     {"round", schema::Nullable(schema::Integer("round"))},
                                     {"number", schema::Nullable(schema::Integer("overall pick"))}},
                                    {"year", "round", "number"}))}},
      {"birth_date", "height_cm", "height_ft_in", "weight_kg", "position", "country", "draft"});
}

struct CareerSeason {
  int season = 0;
  std::vector<std::string> teams;
  CountingStats stats;
};

// The statement reading the player's career by season and team, bound, not yet stepped.
Result<db::StatementPtr> PrepareCareer(db::Connection& db, int64_t player_id,
                                       std::string_view season_type) {
  static const std::string sql = fmt::format(
      "SELECT g.season_id, t.abbreviation, {} FROM player_game_stats p "
      "JOIN games g ON g.game_id = p.game_id JOIN teams t ON t.team_id = p.team_id "
      "WHERE p.player_id = ?1 AND g.game_type = ?2 AND p.seconds > 0 "
      "GROUP BY g.season_id, p.team_id, t.abbreviation "
      "ORDER BY g.season_id, MIN(g.game_date), p.team_id",
      CountingSelect("p"));
  FB_ASSIGN_OR_RETURN(auto statement, db.Prepare(sql));
  statement->BindAll(player_id, season_type);
  return statement;
}

Result<std::vector<CareerSeason>> ReadCareer(db::Statement& statement) {
  std::vector<CareerSeason> seasons;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) break;
    const int season = static_cast<int>(statement.GetInt(0));
    if (seasons.empty() || seasons.back().season != season) {
      seasons.push_back(CareerSeason{season, {}, {}});
    }
    seasons.back().teams.emplace_back(statement.GetText(1));
    seasons.back().stats += ReadCountingStats(statement, 2);
  }
  return seasons;
}

Json CareerLineJson(const CountingStats& stats) {
  auto per_game = [&](int64_t total) {
    return OptionalJson(Round(PerGame(static_cast<double>(total), stats.games), 1));
  };
  return {
      {"games", stats.games},
      {"minutes_per_game", OptionalJson(Round(PerGame(Minutes(stats.seconds), stats.games), 1))},
      {"points_per_game", per_game(stats.pts)},
      {"rebounds_per_game", per_game(stats.reb)},
      {"assists_per_game", per_game(stats.ast)},
      {"fg_pct", OptionalJson(Round(Ratio(stats.fgm, stats.fga), 3))}};
}

Json CareerLineProperties() {
  auto rate = [](const char* what) { return schema::Nullable(schema::Number(what)); };
  return {{"games", schema::Integer("games played")},
          {"minutes_per_game", rate("minutes per game")},
          {"points_per_game", rate("points per game")},
          {"rebounds_per_game", rate("rebounds per game")},
          {"assists_per_game", rate("assists per game")},
          {"fg_pct", rate("field goal percentage (fraction); null without attempts")}};
}

std::vector<std::string> CareerLineKeys() {
  return {"games", "minutes_per_game", "points_per_game", "rebounds_per_game", "assists_per_game",
          "fg_pct"};
}

Result<ToolOutput> RunGetPlayer(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"player", "season_type"}));
  Error error;
  const Json* player_arg = RequiredArgument(arguments, "player", &error);
  if (player_arg == nullptr) return tl::unexpected(error);
  FB_ASSIGN_OR_RETURN(std::string season_type,
                      EnumArgument(arguments, "season_type", {"regular", "playoffs"}, "regular"));
  FB_ASSIGN_OR_RETURN(PlayerRef player, ResolvePlayer(context.db, *player_arg));
  // Bio and career in one round trip where the backend pipelines.
  FB_ASSIGN_OR_RETURN(auto bio_statement, PreparePlayerBio(context.db, player.player_id));
  FB_ASSIGN_OR_RETURN(auto career_statement,
                      PrepareCareer(context.db, player.player_id, season_type));
  db::Statement* const batch[] = {bio_statement.get(), career_statement.get()};
  FB_RETURN_IF_ERROR(context.db.Prefetch(batch));
  FB_ASSIGN_OR_RETURN(Json bio, ReadPlayerBio(*bio_statement, player.player_id));
  FB_ASSIGN_OR_RETURN(auto career, ReadCareer(*career_statement));
  Json seasons = Json::array();
  std::vector<std::vector<std::string>> table;
  CountingStats total;
  for (const auto& season : career) {
    Json line = CareerLineJson(season.stats);
    line["season"] = SeasonLabel(season.season);
    line["teams"] = season.teams;
    const ShootingLine shooting = Shooting(season.stats);
    std::string teams;
    for (const auto& team : season.teams) teams += (teams.empty() ? "" : "/") + team;
    table.push_back(
        {SeasonLabel(season.season), teams, std::to_string(season.stats.games),
         FormatNumber(PerGame(Minutes(season.stats.seconds), season.stats.games)),
         FormatNumber(PerGame(static_cast<double>(season.stats.pts), season.stats.games)),
         FormatNumber(PerGame(static_cast<double>(season.stats.reb), season.stats.games)),
         FormatNumber(PerGame(static_cast<double>(season.stats.ast), season.stats.games)),
         FormatPct(shooting.fg_pct)});
    seasons.push_back(std::move(line));
    total += season.stats;
  }
  ToolOutput output;
  Json player_json = PlayerJson(player);
  player_json["from_year"] = OptionalJson(player.from_year);
  player_json["to_year"] = OptionalJson(player.to_year);
  player_json["is_active"] = player.is_active;
  output.structured = {{"player", std::move(player_json)},
                       {"bio", bio},
                       {"season_type", season_type},
                       {"seasons", std::move(seasons)},
                       {"career", CareerLineJson(total)}};
  std::string header = fmt::format("{} (id {})", player.name, player.player_id);
  if (bio["position"].is_string()) header += ", " + bio["position"].get<std::string>();
  if (bio["height_ft_in"].is_string()) header += ", " + bio["height_ft_in"].get<std::string>();
  if (bio["weight_kg"].is_number())
    header += fmt::format(", {} kg", bio["weight_kg"].get<int64_t>());
  if (bio["birth_date"].is_string()) header += ", born " + bio["birth_date"].get<std::string>();
  if (bio["country"].is_string()) header += ", " + bio["country"].get<std::string>();
  if (bio["draft"].is_object()) {
    header += fmt::format(", drafted {}", bio["draft"]["year"].get<int64_t>());
    if (bio["draft"]["number"].is_number()) {
      header += fmt::format(" #{}", bio["draft"]["number"].get<int64_t>());
    }
  }
  output.text = header + "\n";
  if (career.empty()) {
    output.text += fmt::format("No {} games.\n", season_type);
  } else {
    table.push_back({"Career", "", std::to_string(total.games),
                     FormatNumber(PerGame(Minutes(total.seconds), total.games)),
                     FormatNumber(PerGame(static_cast<double>(total.pts), total.games)),
                     FormatNumber(PerGame(static_cast<double>(total.reb), total.games)),
                     FormatNumber(PerGame(static_cast<double>(total.ast), total.games)),
                     FormatPct(Shooting(total).fg_pct)});
    output.text += RenderTable({"season", "team", "gp", "min", "pts", "reb", "ast", "fg%"}, table,
                               {false, false, true, true, true, true, true, true});
  }
  return output;
}

ToolSpec GetPlayerTool() {
  ToolSpec tool;
  tool.name = "get_player";
  tool.title = "Player profile and career";
  tool.description =
      "A player's bio (birth date, height, weight, position, country, draft) and his career "
      "season by season: team(s), games, minutes, points, rebounds and assists per game, FG%, "
      "plus career averages. Use it for \"who is X\", \"how has X's scoring changed\" or to see "
      "which seasons a player has. Regular season by default; season_type \"playoffs\" for his "
      "playoff career. Example: {\"player\": \"Nikola Jokic\"}.";
  tool.input_schema = schema::Object(
      {{"player", schema::IdOrName("Player id or name (full, partial or misspelled).")},
       {"season_type",
        schema::Enum("Regular season or playoff career.", {"regular", "playoffs"}, "regular")}},
      {"player"});
  Json season_properties = CareerLineProperties();
  season_properties["season"] = schema::String("season label, \"2023-24\"");
  season_properties["teams"] =
      schema::Array(schema::String("team abbreviation"), "teams he played for, in order");
  std::vector<std::string> season_required = CareerLineKeys();
  season_required.push_back("season");
  season_required.push_back("teams");
  tool.output_schema = schema::Object(
      {{"player", schema::Object({{"player_id", schema::Integer("player id")},
                                  {"name", schema::String("full name")},
                                  {"from_year", schema::Nullable(schema::Integer("first season"))},
                                  {"to_year", schema::Nullable(schema::Integer("last season"))},
                                  {"is_active", schema::Boolean("active in the latest season")}},
                                 {"player_id", "name", "from_year", "to_year", "is_active"})},
       {"bio", PlayerBioSchema()},
       {"season_type", schema::String("regular or playoffs")},
       {"seasons", schema::Array(schema::Object(season_properties, season_required))},
       {"career", schema::Object(CareerLineProperties(), CareerLineKeys())}},
      {"player", "bio", "season_type", "seasons", "career"});
  tool.run = RunGetPlayer;
  return tool;
}

// ---------------------------------------------------------------------------------------------
// player_season_stats

Json SeasonRowJson(const TeamLine& line, std::string_view mode) {
  Json row = {{"team", line.team},
              {"games", line.stats.games},
              {"games_started", line.stats.starts},
              {"shooting", ShootingJson(Shooting(line.stats))}};
  const bool all = mode == "all";
  if (all || mode == "totals") row["totals"] = CountingJson(line.stats, Scale::kTotals);
  if (all || mode == "per_game") row["per_game"] = CountingJson(line.stats, Scale::kPerGame);
  if (all || mode == "per_36") row["per_36"] = CountingJson(line.stats, Scale::kPer36);
  if (all || mode == "advanced") {
    row["advanced"] = AdvancedJson(line.stats, UsageRate(line.stats, line.share));
  }
  return row;
}

Json SeasonRowSchema() {
  return schema::Object(
      {{"team", schema::String("team abbreviation; \"TOT\" for all teams of a traded player")},
       {"games", schema::Integer("games played")},
       {"games_started", schema::Integer("games started")},
       {"shooting", ShootingSchema()},
       {"totals", CountingSchema(Scale::kTotals)},
       {"per_game", CountingSchema(Scale::kPerGame)},
       {"per_36", CountingSchema(Scale::kPer36)},
       {"advanced", AdvancedSchema()}},
      {"team", "games", "games_started", "shooting"});
}

std::vector<std::string> SeasonRowCells(const TeamLine& line) {
  const CountingStats& s = line.stats;
  auto pg = [&](int64_t total) {
    return FormatNumber(PerGame(static_cast<double>(total), s.games));
  };
  const ShootingLine shooting = Shooting(s);
  return {line.team,
          std::to_string(s.games),
          FormatNumber(PerGame(Minutes(s.seconds), s.games)),
          pg(s.pts),
          pg(s.reb),
          pg(s.ast),
          pg(s.stl),
          pg(s.blk),
          pg(s.tov),
          FormatPct(shooting.fg_pct),
          FormatPct(shooting.fg3_pct),
          FormatPct(shooting.ft_pct),
          FormatPct(shooting.ts_pct),
          FormatNumber(UsageRate(s, line.share))};
}

Result<ToolOutput> RunPlayerSeasonStats(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"player", "season", "season_type", "mode"}));
  Error error;
  const Json* player_arg = RequiredArgument(arguments, "player", &error);
  if (player_arg == nullptr) return tl::unexpected(error);
  FB_ASSIGN_OR_RETURN(
      std::string season_type,
      EnumArgument(arguments, "season_type", {"regular", "playoffs", "playin"}, "regular"));
  FB_ASSIGN_OR_RETURN(
      std::string mode,
      EnumArgument(arguments, "mode", {"totals", "per_game", "per_36", "advanced", "all"}, "all"));
  FB_ASSIGN_OR_RETURN(PlayerRef player, ResolvePlayer(context.db, *player_arg));
  FB_ASSIGN_OR_RETURN(int season, PlayerSeason(context, arguments, player, season_type));
  FB_ASSIGN_OR_RETURN(auto lines, SeasonLines(context.db, player.player_id, season, season_type));
  if (lines.empty()) {
    FB_ASSIGN_OR_RETURN(auto seasons, PlayerSeasons(context.db, player.player_id, season_type));
    return tl::unexpected(NoSeasonData(player, season, season_type, seasons));
  }
  const TeamLine total = Combine(lines);
  Json teams = Json::array();
  std::vector<std::vector<std::string>> table;
  for (const auto& line : lines) {
    teams.push_back(SeasonRowJson(line, mode));
    table.push_back(SeasonRowCells(line));
  }
  if (lines.size() > 1) table.push_back(SeasonRowCells(total));
  ToolOutput output;
  output.structured = {{"player", PlayerJson(player)}, {"season", SeasonLabel(season)},
                       {"season_type", season_type},   {"mode", mode},
                       {"teams", std::move(teams)},    {"total", SeasonRowJson(total, mode)}};
  output.text = fmt::format("{} {} {} (per game; usg% = usage estimate)\n", player.name,
                            SeasonLabel(season), season_type) +
                RenderTable({"team", "gp", "min", "pts", "reb", "ast", "stl", "blk", "tov", "fg%",
                             "3p%", "ft%", "ts%", "usg%"},
                            table,
                            {false, true, true, true, true, true, true, true, true, true, true,
                             true, true, true});
  return output;
}

ToolSpec PlayerSeasonStatsTool() {
  ToolSpec tool;
  tool.name = "player_season_stats";
  tool.title = "Player season stats";
  tool.description =
      "One player's stats for one season: totals, per game, per 36 minutes, shooting (FG%, 3P%, "
      "FT%, TS%, eFG%) and advanced numbers (usage estimate, assist/turnover ratio). A traded "
      "player gets a row per team in `teams` plus the combined line in `total` (team \"TOT\"). "
      "Defaults: the latest season he played, regular season, every block (mode \"all\"). "
      "Example: {\"player\": \"Jayson Tatum\", \"season\": \"2023-24\", \"mode\": \"per_game\"}.";
  tool.input_schema = schema::Object(
      {{"player", schema::IdOrName("Player id or name (full, partial or misspelled).")},
       {"season", schema::Season("Season; default: the latest season the player played.")},
       {"season_type", SeasonTypeSchema()},
       {"mode", schema::Enum("Which blocks to return: totals, per_game, per_36, advanced, or "
                             "all of them.",
                             {"totals", "per_game", "per_36", "advanced", "all"}, "all")}},
      {"player"});
  tool.output_schema = schema::Object(
      {{"player", PlayerSchema()},
       {"season", schema::String("season label, \"2023-24\"")},
       {"season_type", schema::String("regular, playoffs or playin")},
       {"mode", schema::String("blocks returned")},
       {"teams", schema::Array(SeasonRowSchema(), "one row per team, in the order played for")},
       {"total", SeasonRowSchema()}},
      {"player", "season", "season_type", "mode", "teams", "total"});
  tool.run = RunPlayerSeasonStats;
  return tool;
}

// The counting stats of a game log row, in the order the query selects them.
constexpr const char* kGameStatKeys[] = {
    "points", "fgm",      "fga",     "fg3m",   "fg3a",   "ftm",       "fta",   "oreb",
    "dreb",   "rebounds", "assists", "steals", "blocks", "turnovers", "fouls", "plus_minus"};

// ---------------------------------------------------------------------------------------------
// player_game_log

Result<ToolOutput> RunPlayerGameLog(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(
      arguments, {"player", "season", "last_n", "location", "opponent", "season_type"}));
  Error error;
  const Json* player_arg = RequiredArgument(arguments, "player", &error);
  if (player_arg == nullptr) return tl::unexpected(error);
  FB_ASSIGN_OR_RETURN(
      std::string season_type,
      EnumArgument(arguments, "season_type", {"regular", "playoffs", "playin"}, "regular"));
  FB_ASSIGN_OR_RETURN(int64_t last_n, IntArgument(arguments, "last_n", 10, 1, 82));
  FB_ASSIGN_OR_RETURN(std::string location,
                      EnumArgument(arguments, "location", {"home", "away", "any"}, "any"));
  std::optional<TeamRef> opponent;
  if (const Json* value = FindArgument(arguments, "opponent")) {
    FB_ASSIGN_OR_RETURN(opponent, ResolveTeam(context.db, *value, "opponent"));
  }
  FB_ASSIGN_OR_RETURN(PlayerRef player, ResolvePlayer(context.db, *player_arg));
  FB_ASSIGN_OR_RETURN(int season, PlayerSeason(context, arguments, player, season_type));
  FB_ASSIGN_OR_RETURN(
      auto statement,
      context.db.Prepare(
          "SELECT g.game_id, g.game_date, tg.is_home, t.abbreviation, o.abbreviation, "
          "CASE WHEN tg.is_home = 1 THEN g.home_score ELSE g.away_score END, "
          "CASE WHEN tg.is_home = 1 THEN g.away_score ELSE g.home_score END, "
          "p.starter, p.seconds, p.pts, p.fgm, p.fga, p.fg3m, p.fg3a, p.ftm, p.fta, p.oreb, "
          "p.dreb, p.reb, p.ast, p.stl, p.blk, p.tov, p.pf, p.plus_minus "
          "FROM player_game_stats p JOIN games g ON g.game_id = p.game_id "
          "JOIN team_game_stats tg ON tg.game_id = p.game_id AND tg.team_id = p.team_id "
          "JOIN teams t ON t.team_id = p.team_id JOIN teams o ON o.team_id = tg.opponent_id "
          "WHERE p.player_id = ?1 AND g.season_id = ?2 AND g.game_type = ?3 AND p.seconds > 0 "
          "AND (CAST(?4 AS INTEGER) IS NULL OR tg.is_home = ?4) "
          "AND (CAST(?5 AS INTEGER) IS NULL OR tg.opponent_id = ?5) "
          "ORDER BY g.game_date DESC, g.game_id DESC LIMIT ?6"));
  statement->BindAll(player.player_id, int64_t{season}, season_type);
  if (location == "any") {
    statement->BindNull(4);
  } else {
    statement->Bind(4, int64_t{location == "home" ? 1 : 0});
  }
  if (opponent) {
    statement->Bind(5, opponent->team_id);
  } else {
    statement->BindNull(5);
  }
  statement->Bind(6, last_n);
  Json games = Json::array();
  std::vector<std::vector<std::string>> table;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    auto optional_int = [&](int c) {
      return statement->IsNull(c) ? std::optional<int64_t>() : statement->GetInt(c);
    };
    const auto team_score = optional_int(5);
    const auto opponent_score = optional_int(6);
    std::optional<std::string> result;
    if (team_score && opponent_score && *team_score != *opponent_score) {
      result = *team_score > *opponent_score ? "W" : "L";
    }
    const bool home = statement->GetInt(2) == 1;
    const int64_t seconds = statement->GetInt(8);
    Json game = {{"game_id", std::string(statement->GetText(0))},
                 {"date", std::string(statement->GetText(1))},
                 {"team", std::string(statement->GetText(3))},
                 {"opponent", std::string(statement->GetText(4))},
                 {"home", home},
                 {"result", OptionalJson(result)},
                 {"team_score", OptionalJson(team_score)},
                 {"opponent_score", OptionalJson(opponent_score)},
                 {"starter", statement->GetInt(7) == 1},
                 {"minutes", *Round(Minutes(seconds), 1)}};
    for (int i = 0; i < 16; ++i) game[kGameStatKeys[i]] = optional_int(9 + i).value_or(0);
    table.push_back({game["date"].get<std::string>(),
                     (home ? "vs " : "@ ") + game["opponent"].get<std::string>(),
                     result ? fmt::format("{} {}-{}", *result, *team_score, *opponent_score) : "-",
                     FormatMinutes(seconds), std::to_string(game["points"].get<int64_t>()),
                     std::to_string(game["rebounds"].get<int64_t>()),
                     std::to_string(game["assists"].get<int64_t>()),
                     fmt::format("{}-{}", game["fgm"].get<int64_t>(), game["fga"].get<int64_t>()),
                     fmt::format("{}-{}", game["fg3m"].get<int64_t>(), game["fg3a"].get<int64_t>()),
                     fmt::format("{}-{}", game["ftm"].get<int64_t>(), game["fta"].get<int64_t>()),
                     fmt::format("{:+}", game["plus_minus"].get<int64_t>())});
    games.push_back(std::move(game));
  }
  ToolOutput output;
  output.structured = {{"player", PlayerJson(player)},
                       {"season", SeasonLabel(season)},
                       {"season_type", season_type},
                       {"count", games.size()},
                       {"games", std::move(games)}};
  std::string filters;
  if (location != "any") filters += ", " + location + " games";
  if (opponent) filters += ", vs " + opponent->abbreviation;
  output.text = fmt::format("{} {} {}{}: last {} games played, newest first\n", player.name,
                            SeasonLabel(season), season_type, filters, table.size());
  if (!table.empty()) {
    output.text +=
        RenderTable({"date", "opp", "result", "min", "pts", "reb", "ast", "fg", "3p", "ft", "+/-"},
                    table, {false, false, false, true, true, true, true, true, true, true, true});
  }
  return output;
}

ToolSpec PlayerGameLogTool() {
  ToolSpec tool;
  tool.name = "player_game_log";
  tool.title = "Player game log";
  tool.description =
      "A player's box score game by game, newest first: date, opponent, home/away, result and "
      "score, minutes, points, rebounds, assists, shooting, plus-minus, starter. Only games he "
      "played (DNPs are left out). Filter by home/away and opponent. Use it for recent form "
      "(\"Tatum's last 5 games\") or a split (\"Doncic against the Celtics this season\"). "
      "Defaults: latest season he played, regular season, last 10 games. Example: "
      "{\"player\": \"Luka Doncic\", \"last_n\": 5, \"opponent\": \"BOS\"}.";
  tool.input_schema = schema::Object(
      {{"player", schema::IdOrName("Player id or name (full, partial or misspelled).")},
       {"season", schema::Season("Season; default: the latest season the player played.")},
       {"last_n", schema::Integer("How many of his most recent games to return.", 1, 82, 10)},
       {"location",
        schema::Enum("Home games, away games, or both.", {"home", "away", "any"}, "any")},
       {"opponent", schema::IdOrName("Only games against this team (id, abbreviation or name).")},
       {"season_type", SeasonTypeSchema()}},
      {"player"});
  Json game_properties = {
      {"game_id", schema::String("ten-digit game id")},
      {"date", schema::String("YYYY-MM-DD")},
      {"team", schema::String("his team's abbreviation")},
      {"opponent", schema::String("opponent abbreviation")},
      {"home", schema::Boolean("true for a home game")},
      {"result", schema::Nullable(schema::Enum("W or L; null when unknown", {"W", "L"}))},
      {"team_score", schema::Nullable(schema::Integer("his team's points"))},
      {"opponent_score", schema::Nullable(schema::Integer("opponent's points"))},
      {"starter", schema::Boolean("started the game")},
      {"minutes", schema::Number("minutes played")}};
  std::vector<std::string> game_required;
  for (const auto& [key, value] : game_properties.items()) game_required.push_back(key);
  for (const char* key : kGameStatKeys) {
    game_properties[key] = schema::Integer(key);
    game_required.push_back(key);
  }
  tool.output_schema =
      schema::Object({{"player", PlayerSchema()},
                      {"season", schema::String("season label")},
                      {"season_type", schema::String("regular, playoffs or playin")},
                      {"count", schema::Integer("games returned")},
                      {"games", schema::Array(schema::Object(game_properties, game_required))}},
                     {"player", "season", "season_type", "count", "games"});
  tool.run = RunPlayerGameLog;
  return tool;
}

// ---------------------------------------------------------------------------------------------
// compare_players and league_leaders

// A stat an agent can rank or compare by.
struct RankedStat {
  const char* key;
  bool percentage;       // a shooting percentage: same in every mode, needs an attempts qualifier
  bool lower_is_better;  // for comparisons only (turnovers, fouls)
};

constexpr RankedStat kLeaderStats[] = {
    {"points", false, false}, {"rebounds", false, false}, {"assists", false, false},
    {"steals", false, false}, {"blocks", false, false},   {"turnovers", false, true},
    {"fg3m", false, false},   {"fgm", false, false},      {"ftm", false, false},
    {"oreb", false, false},   {"dreb", false, false},     {"minutes", false, false},
    {"fg_pct", true, false},  {"fg3_pct", true, false},   {"ft_pct", true, false},
    {"ts_pct", true, false},  {"efg_pct", true, false},   {"plus_minus", false, false},
};

int64_t Total(const CountingStats& s, std::string_view key) {
  if (key == "points") return s.pts;
  if (key == "rebounds") return s.reb;
  if (key == "assists") return s.ast;
  if (key == "steals") return s.stl;
  if (key == "blocks") return s.blk;
  if (key == "turnovers") return s.tov;
  if (key == "fg3m") return s.fg3m;
  if (key == "fgm") return s.fgm;
  if (key == "ftm") return s.ftm;
  if (key == "oreb") return s.oreb;
  if (key == "dreb") return s.dreb;
  if (key == "plus_minus") return s.plus_minus;
  return 0;
}

// The value of `stat` for `mode` ("totals", "per_game"), unrounded; nullopt without attempts.
std::optional<double> StatValue(const CountingStats& s, const RankedStat& stat,
                                std::string_view mode) {
  const std::string_view key = stat.key;
  if (stat.percentage) {
    const ShootingLine line = Shooting(s);
    if (key == "fg_pct") return line.fg_pct;
    if (key == "fg3_pct") return line.fg3_pct;
    if (key == "ft_pct") return line.ft_pct;
    if (key == "ts_pct") return line.ts_pct;
    return line.efg_pct;
  }
  const double total = key == "minutes" ? Minutes(s.seconds) : static_cast<double>(Total(s, key));
  if (mode == "totals") return total;
  if (mode == "per_36") return Per36(total, s.seconds);
  return PerGame(total, s.games);
}

Result<ToolOutput> RunComparePlayers(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"players", "season", "season_type", "mode"}));
  const Json* players_arg = FindArgument(arguments, "players");
  if (players_arg == nullptr || !players_arg->is_array() || players_arg->size() < 2 ||
      players_arg->size() > 5) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "players must be an array of 2 to 5 player ids or names, e.g. "
                     "[\"LeBron James\", 2544]");
  }
  FB_ASSIGN_OR_RETURN(
      std::string season_type,
      EnumArgument(arguments, "season_type", {"regular", "playoffs", "playin"}, "regular"));
  FB_ASSIGN_OR_RETURN(std::string mode, EnumArgument(arguments, "mode",
                                                     {"per_game", "totals", "per_36"}, "per_game"));
  std::vector<PlayerRef> players;
  for (const Json& value : *players_arg) {
    FB_ASSIGN_OR_RETURN(PlayerRef player, ResolvePlayer(context.db, value, "players[]"));
    for (const auto& seen : players) {
      if (seen.player_id == player.player_id) {
        return MakeError(ErrorCode::kInvalidArgument, "{} is listed twice in players", player.name);
      }
    }
    players.push_back(std::move(player));
  }
  FB_ASSIGN_OR_RETURN(int season, ResolveSeason(context.db, FindArgument(arguments, "season")));
  const Scale scale = mode == "totals"   ? Scale::kTotals
                      : mode == "per_36" ? Scale::kPer36
                                         : Scale::kPerGame;
  // Every player's lines in one round trip where the backend pipelines; all are read before
  // anything else runs on the connection.
  std::vector<db::StatementPtr> statements;
  std::vector<db::Statement*> batch;
  for (const auto& player : players) {
    FB_ASSIGN_OR_RETURN(auto statement,
                        PrepareSeasonLines(context.db, player.player_id, season, season_type));
    batch.push_back(statement.get());
    statements.push_back(std::move(statement));
  }
  FB_RETURN_IF_ERROR(context.db.Prefetch(batch));
  std::vector<std::vector<TeamLine>> player_lines;
  for (auto& statement : statements) {
    FB_ASSIGN_OR_RETURN(auto lines, ReadSeasonLines(*statement));
    player_lines.push_back(std::move(lines));
  }
  statements.clear();
  std::vector<TeamLine> totals;
  Json rows = Json::array();
  for (size_t p = 0; p < players.size(); ++p) {
    const PlayerRef& player = players[p];
    const std::vector<TeamLine>& lines = player_lines[p];
    if (lines.empty()) {
      FB_ASSIGN_OR_RETURN(auto seasons, PlayerSeasons(context.db, player.player_id, season_type));
      return tl::unexpected(NoSeasonData(player, season, season_type, seasons));
    }
    TeamLine total = Combine(lines);
    std::vector<std::string> teams;
    for (const auto& line : lines) teams.push_back(line.team);
    rows.push_back({{"player_id", player.player_id},
                    {"name", player.name},
                    {"teams", teams},
                    {"games", total.stats.games},
                    {"stats", CountingJson(total.stats, scale)},
                    {"shooting", ShootingJson(Shooting(total.stats))}});
    totals.push_back(std::move(total));
  }
  Json leaders = Json::array();
  std::vector<std::vector<std::string>> table;
  for (const auto& stat : kLeaderStats) {
    std::vector<std::optional<double>> values;
    for (const auto& line : totals) values.push_back(StatValue(line.stats, stat, mode));
    std::optional<double> best;
    for (const auto& value : values) {
      if (!value) continue;
      if (!best || (stat.lower_is_better ? *value < *best : *value > *best)) best = value;
    }
    std::vector<std::string> cells = {stat.key};
    for (const auto& value : values) {
      cells.push_back(stat.percentage ? FormatPct(value) : FormatNumber(value));
    }
    if (best) {
      Json ids = Json::array();
      Json names = Json::array();
      std::string leader_names;
      for (size_t i = 0; i < values.size(); ++i) {
        if (values[i] && std::abs(*values[i] - *best) < 1e-9) {
          ids.push_back(players[i].player_id);
          names.push_back(players[i].name);
          leader_names += (leader_names.empty() ? "" : ", ") + players[i].name;
        }
      }
      leaders.push_back({{"stat", stat.key},
                         {"better", stat.lower_is_better ? "lower" : "higher"},
                         {"value", *Round(best, stat.percentage ? 3 : 1)},
                         {"player_ids", std::move(ids)},
                         {"names", std::move(names)}});
      cells.push_back(leader_names);
    } else {
      cells.push_back("-");
    }
    table.push_back(std::move(cells));
  }
  std::vector<std::string> headers = {"stat"};
  std::vector<bool> numeric = {false};
  for (const auto& player : players) {
    headers.push_back(player.name);
    numeric.push_back(true);
  }
  headers.push_back("best");
  numeric.push_back(false);
  ToolOutput output;
  output.structured = {{"season", SeasonLabel(season)},
                       {"season_type", season_type},
                       {"mode", mode},
                       {"players", std::move(rows)},
                       {"leaders", std::move(leaders)}};
  std::string games_line;
  for (size_t i = 0; i < players.size(); ++i) {
    games_line +=
        fmt::format("{}{} {} games", i == 0 ? "" : "; ", players[i].name, totals[i].stats.games);
  }
  output.text =
      fmt::format("{} {}, {} ({})\n", SeasonLabel(season), season_type, mode, games_line) +
      RenderTable(headers, table, numeric);
  return output;
}

ToolSpec ComparePlayersTool() {
  ToolSpec tool;
  tool.name = "compare_players";
  tool.title = "Compare players";
  tool.description =
      "Two to five players side by side for one season: counting stats (per game, totals or per "
      "36 minutes), shooting percentages, and which player is best in each stat (fewer "
      "turnovers and fouls count as better). Use it for \"who had the better season, X or Y\". "
      "Defaults: the latest season in the database, regular season, per game. Example: "
      "{\"players\": [\"Jayson Tatum\", \"Jaylen Brown\"], \"season\": \"2023-24\"}.";
  tool.input_schema = schema::Object(
      {{"players",
        [] {
          Json array = schema::Array(schema::IdOrName("player id or name"),
                                     "Two to five players (ids or names).");
          array["minItems"] = 2;
          array["maxItems"] = 5;
          return array;
        }()},
       {"season", schema::Season("Season; default: the latest season in the database.")},
       {"season_type", SeasonTypeSchema()},
       {"mode", schema::Enum("Per game averages, season totals or per 36 minutes.",
                             {"per_game", "totals", "per_36"}, "per_game")}},
      {"players"});
  Json stats_schema = {
      {"oneOf", Json::array({CountingSchema(Scale::kPerGame), CountingSchema(Scale::kTotals),
                             CountingSchema(Scale::kPer36)})},
      {"description", "counting stats in the requested mode"}};
  tool.output_schema = schema::Object(
      {{"season", schema::String("season label")},
       {"season_type", schema::String("regular, playoffs or playin")},
       {"mode", schema::String("per_game, totals or per_36")},
       {"players", schema::Array(schema::Object(
                       {{"player_id", schema::Integer("player id")},
                        {"name", schema::String("full name")},
                        {"teams", schema::Array(schema::String("team abbreviation"))},
                        {"games", schema::Integer("games played")},
                        {"stats", stats_schema},
                        {"shooting", ShootingSchema()}},
                       {"player_id", "name", "teams", "games", "stats", "shooting"}))},
       {"leaders",
        schema::Array(schema::Object(
            {{"stat", schema::String("stat key")},
             {"better", schema::Enum("whether higher or lower is better", {"higher", "lower"})},
             {"value", schema::Number("the best value")},
             {"player_ids", schema::Array(schema::Integer("player id"), "ids of the best (ties)")},
             {"names", schema::Array(schema::String("name"))}},
            {"stat", "better", "value", "player_ids", "names"}))}},
      {"season", "season_type", "mode", "players", "leaders"});
  tool.run = RunComparePlayers;
  return tool;
}

// The statement counting the games a team has played in the season so far (the most of any
// team), bound, not yet stepped; ReadTeamGames reads it.
Result<db::StatementPtr> PrepareTeamGames(db::Connection& db, int season,
                                          std::string_view season_type) {
  FB_ASSIGN_OR_RETURN(auto statement, db.Prepare("SELECT COUNT(*) FROM team_game_stats tg "
                                                 "JOIN games g ON g.game_id = tg.game_id "
                                                 "WHERE g.season_id = ?1 AND g.game_type = ?2 "
                                                 "GROUP BY tg.team_id ORDER BY 1 DESC LIMIT 1"));
  statement->BindAll(int64_t{season}, season_type);
  return statement;
}

Result<int64_t> ReadTeamGames(db::Statement& statement) {
  FB_ASSIGN_OR_RETURN(bool row, statement.Step());
  return row ? statement.GetInt(0) : int64_t{0};
}

// The attempts qualifier of a percentage: made shots over a full 82-game season, scaled to the
// games teams have played (the NBA's 300 FGM / 82 3PM / 125 FTM rule).
struct AttemptsRule {
  const char* what;
  int64_t CountingStats::*member;
  double full_season;
};

std::optional<AttemptsRule> AttemptsRuleFor(std::string_view stat) {
  if (stat == "fg3_pct") return AttemptsRule{"3PM", &CountingStats::fg3m, 82};
  if (stat == "ft_pct") return AttemptsRule{"FTM", &CountingStats::ftm, 125};
  if (stat == "fg_pct" || stat == "ts_pct" || stat == "efg_pct") {
    return AttemptsRule{"FGM", &CountingStats::fgm, 300};
  }
  return std::nullopt;
}

struct LeaderRow {
  int64_t player_id = 0;
  std::string name;
  std::string team;
  std::string latest_date;
  CountingStats stats;
  double value = 0;
};

Result<ToolOutput> RunLeagueLeaders(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(
      CheckArguments(arguments, {"stat", "season", "season_type", "mode", "min_games", "limit"}));
  FB_ASSIGN_OR_RETURN(
      std::string stat_name,
      EnumArgument(arguments, "stat",
                   {"points", "rebounds", "assists", "steals", "blocks", "turnovers", "fg3m", "fgm",
                    "ftm", "oreb", "dreb", "minutes", "fg_pct", "fg3_pct", "ft_pct", "ts_pct",
                    "efg_pct", "plus_minus"},
                   "points"));
  FB_ASSIGN_OR_RETURN(
      std::string season_type,
      EnumArgument(arguments, "season_type", {"regular", "playoffs", "playin"}, "regular"));
  FB_ASSIGN_OR_RETURN(std::string mode,
                      EnumArgument(arguments, "mode", {"per_game", "totals"}, "per_game"));
  FB_ASSIGN_OR_RETURN(auto min_games_arg, OptionalIntArgument(arguments, "min_games", 0, 82));
  FB_ASSIGN_OR_RETURN(int64_t limit, IntArgument(arguments, "limit", 10, 1, 100));
  FB_ASSIGN_OR_RETURN(int season, ResolveSeason(context.db, FindArgument(arguments, "season")));
  const RankedStat* stat = nullptr;
  for (const auto& candidate : kLeaderStats) {
    if (stat_name == candidate.key) stat = &candidate;
  }
  if (stat == nullptr) return MakeError(ErrorCode::kInternal, "stat table out of date");
  static const std::string sql = fmt::format(
      "SELECT p.player_id, pl.full_name, t.abbreviation, MAX(g.game_date), {} "
      "FROM games g JOIN player_game_stats p ON p.game_id = g.game_id "
      "JOIN players pl ON pl.player_id = p.player_id JOIN teams t ON t.team_id = p.team_id "
      "WHERE g.season_id = ?1 AND g.game_type = ?2 AND p.seconds > 0 "
      "GROUP BY p.player_id, p.team_id, pl.full_name, t.abbreviation",
      CountingSelect("p"));
  // The qualifier's inputs and the players' lines in one round trip where the backend
  // pipelines.
  FB_ASSIGN_OR_RETURN(auto games_statement, PrepareTeamGames(context.db, season, season_type));
  FB_ASSIGN_OR_RETURN(auto statement, context.db.Prepare(sql));
  statement->BindAll(int64_t{season}, season_type);
  db::Statement* const batch[] = {games_statement.get(), statement.get()};
  FB_RETURN_IF_ERROR(context.db.Prefetch(batch));
  FB_ASSIGN_OR_RETURN(int64_t team_games, ReadTeamGames(*games_statement));
  const bool rate = mode == "per_game" || stat->percentage;
  const int64_t default_min_games =
      rate && season_type == "regular"
          ? static_cast<int64_t>(std::ceil(0.58 * static_cast<double>(team_games)))
          : 0;
  const int64_t min_games = min_games_arg.value_or(default_min_games);
  const auto attempts_rule = AttemptsRuleFor(stat->key);
  int64_t min_made = 0;
  if (attempts_rule) {
    min_made = static_cast<int64_t>(
        std::ceil(attempts_rule->full_season * static_cast<double>(team_games) / 82.0));
  }

  std::map<int64_t, LeaderRow> by_player;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    LeaderRow& entry = by_player[statement->GetInt(0)];
    entry.player_id = statement->GetInt(0);
    entry.name = std::string(statement->GetText(1));
    const std::string date(statement->GetText(3));
    if (date > entry.latest_date) {
      entry.latest_date = date;
      entry.team = std::string(statement->GetText(2));
    }
    entry.stats += ReadCountingStats(*statement, 4);
  }
  std::vector<LeaderRow> rows;
  for (auto& [id, entry] : by_player) {
    if (entry.stats.games < min_games) continue;
    if (attempts_rule && entry.stats.*attempts_rule->member < min_made) continue;
    const auto value = StatValue(entry.stats, *stat, mode);
    if (!value) continue;
    entry.value = *value;
    rows.push_back(std::move(entry));
  }
  std::sort(rows.begin(), rows.end(), [](const LeaderRow& a, const LeaderRow& b) {
    if (a.value != b.value) return a.value > b.value;
    return a.name < b.name;
  });
  const int decimals = stat->percentage ? 3 : 1;
  Json leaders = Json::array();
  std::vector<std::vector<std::string>> table;
  int64_t rank = 0;
  std::optional<double> previous;
  for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i) {
    const double rounded = *Round(rows[i].value, decimals);
    if (!previous || rounded != *previous) rank = static_cast<int64_t>(i) + 1;
    previous = rounded;
    leaders.push_back({{"rank", rank},
                       {"player_id", rows[i].player_id},
                       {"name", rows[i].name},
                       {"team", rows[i].team},
                       {"games", rows[i].stats.games},
                       {"value", rounded}});
    table.push_back({std::to_string(rank), rows[i].name, rows[i].team,
                     std::to_string(rows[i].stats.games),
                     stat->percentage ? FormatPct(rounded) : FormatNumber(rounded, decimals)});
  }
  std::string qualifier = fmt::format("at least {} games", min_games);
  if (attempts_rule) qualifier += fmt::format(" and {} {}", min_made, attempts_rule->what);
  ToolOutput output;
  output.structured = {{"stat", stat->key},
                       {"season", SeasonLabel(season)},
                       {"season_type", season_type},
                       {"mode", stat->percentage ? std::string("percentage") : mode},
                       {"min_games", min_games},
                       {"qualifier", qualifier},
                       {"qualified_players", rows.size()},
                       {"leaders", std::move(leaders)}};
  output.text =
      fmt::format("{} leaders, {} {} ({}; {}; {} qualified)\n", stat->key, SeasonLabel(season),
                  season_type, stat->percentage ? "percentage" : mode, qualifier, rows.size()) +
      RenderTable({"rank", "player", "team", "gp", stat->key}, table,
                  {true, false, false, true, true});
  return output;
}

ToolSpec LeagueLeadersTool() {
  ToolSpec tool;
  tool.name = "league_leaders";
  tool.title = "League leaders";
  tool.description =
      "The league's top players in one stat for a season: points, rebounds, assists, steals, "
      "blocks, turnovers, threes, field goals, free throws, offensive/defensive rebounds, "
      "minutes, plus-minus (per game or totals) or a shooting percentage (FG%, 3P%, FT%, TS%, "
      "eFG%). Per-game and percentage lists require a qualifier: by default 58% of the team "
      "games played (regular season), and for percentages a minimum of makes scaled from the "
      "NBA's 300 FGM / 82 3PM / 125 FTM over 82 games. Use it for \"who leads the league in "
      "assists\" or \"best three-point shooters this season\". Example: {\"stat\": \"fg3_pct\", "
      "\"season\": \"2023-24\", \"limit\": 5}.";
  tool.input_schema = schema::Object(
      {{"stat", schema::Enum("The stat to rank by.",
                             {"points", "rebounds", "assists", "steals", "blocks", "turnovers",
                              "fg3m", "fgm", "ftm", "oreb", "dreb", "minutes", "fg_pct", "fg3_pct",
                              "ft_pct", "ts_pct", "efg_pct", "plus_minus"},
                             "points")},
       {"season", schema::Season("Season; default: the latest season in the database.")},
       {"season_type", SeasonTypeSchema()},
       {"mode", schema::Enum("Per game averages or season totals (percentages ignore it).",
                             {"per_game", "totals"}, "per_game")},
       {"min_games",
        schema::Integer("Fewest games played to qualify; default 58% of team games for per "
                        "game and percentages in the regular season, else 0.",
                        0, 82)},
       {"limit", schema::Integer("How many players to list.", 1, 100, 10)}},
      {"stat"});
  tool.output_schema = schema::Object(
      {{"stat", schema::String("the stat ranked")},
       {"season", schema::String("season label")},
       {"season_type", schema::String("regular, playoffs or playin")},
       {"mode", schema::String("per_game, totals or percentage")},
       {"min_games", schema::Integer("games needed to qualify")},
       {"qualifier", schema::String("the qualifying rule applied")},
       {"qualified_players", schema::Integer("players who qualified")},
       {"leaders", schema::Array(schema::Object(
                       {{"rank", schema::Integer("rank; tied values share a rank")},
                        {"player_id", schema::Integer("player id")},
                        {"name", schema::String("full name")},
                        {"team", schema::String("latest team abbreviation")},
                        {"games", schema::Integer("games played")},
                        {"value", schema::Number("the stat; percentages as fractions")}},
                       {"rank", "player_id", "name", "team", "games", "value"}))}},
      {"stat", "season", "season_type", "mode", "min_games", "qualifier", "qualified_players",
       "leaders"});
  tool.run = RunLeagueLeaders;
  return tool;
}

}  // namespace

void AddPlayerTools(Catalog& catalog) {
  catalog.tools.push_back(SearchPlayersTool());
  catalog.tools.push_back(GetPlayerTool());
  catalog.tools.push_back(PlayerSeasonStatsTool());
  catalog.tools.push_back(PlayerGameLogTool());
  catalog.tools.push_back(ComparePlayersTool());
  catalog.tools.push_back(LeagueLeadersTool());
}

}  // namespace fastbreak::nba::detail
