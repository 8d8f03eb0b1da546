// Team tools: team_season_stats, standings, team_roster, schedule, head_to_head.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nba/args.hpp"
#include "nba/catalog_parts.hpp"
#include "nba/lookup.hpp"
#include "nba/render.hpp"

namespace fastbreak::nba::detail {
namespace {

// ---------------------------------------------------------------------------------------------
// Shared helpers.

Json OptionalNumber(std::optional<double> value) { return value ? Json(*value) : Json(nullptr); }

std::optional<double> Rounded(std::optional<double> value, int decimals) {
  if (!value) return std::nullopt;
  double scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  return static_cast<double>(static_cast<int64_t>(*value * scale + (*value < 0 ? -0.5 : 0.5))) /
         scale;
}

std::optional<double> Divide(double numerator, double denominator) {
  if (denominator == 0) return std::nullopt;
  return numerator / denominator;
}

Json TeamJson(const TeamRef& team) {
  return {{"team_id", team.team_id}, {"abbreviation", team.abbreviation}, {"name", team.name}};
}

Json TeamSchema() {
  return schema::Object({{"team_id", schema::Integer("NBA.com team id")},
                         {"abbreviation", schema::String("team code, e.g. BOS")},
                         {"name", schema::String("full team name")}},
                        {"team_id", "abbreviation", "name"});
}

Json TeamArgSchema(std::string description) {
  return schema::IdOrName(std::move(description) +
                          " An abbreviation (\"BOS\"), city, nickname, full name or team id.");
}

std::string Record(int64_t wins, int64_t losses) { return fmt::format("{}-{}", wins, losses); }

// kNotFound naming the seasons present when `season` has no games of any kind.
Status RequireSeason(db::Connection& db, int season) {
  FB_ASSIGN_OR_RETURN(auto exists, db.Prepare("SELECT 1 FROM games WHERE season_id = ? LIMIT 1"));
  exists->Bind(1, season);
  FB_ASSIGN_OR_RETURN(bool row, exists->Step());
  if (row) return Ok();
  FB_ASSIGN_OR_RETURN(auto range, db.Prepare("SELECT MIN(season_id), MAX(season_id) FROM games"));
  FB_ASSIGN_OR_RETURN(bool any, range->Step());
  if (!any || range->IsNull(0)) {
    return MakeError(ErrorCode::kNotFound, "the database holds no games; import data first");
  }
  return MakeError(ErrorCode::kNotFound,
                   "no games in season {} in this database; it holds seasons {} to {}",
                   SeasonLabel(season), SeasonLabel(static_cast<int>(range->GetInt(0))),
                   SeasonLabel(static_cast<int>(range->GetInt(1))));
}

// ---------------------------------------------------------------------------------------------
// standings

struct StandingRow {
  int64_t team_id = 0;
  std::string abbreviation, name, conference, division;
  int64_t wins = 0, losses = 0, home_wins = 0, home_losses = 0, away_wins = 0, away_losses = 0;
  double win_pct = 0;
  std::vector<bool> results;  // in date order, true = win
};

std::string Streak(const std::vector<bool>& results) {
  if (results.empty()) return "";
  const bool last = results.back();
  size_t count = 0;
  for (auto it = results.rbegin(); it != results.rend() && *it == last; ++it) ++count;
  return fmt::format("{}{}", last ? 'W' : 'L', count);
}

Result<std::vector<StandingRow>> LoadStandings(db::Connection& db, int season) {
  FB_ASSIGN_OR_RETURN(
      auto statement,
      db.Prepare("SELECT s.team_id, t.abbreviation, t.full_name, s.conference, s.division, "
                 "s.wins, s.losses, s.home_wins, s.home_losses, s.away_wins, s.away_losses "
                 "FROM standings s JOIN teams t ON t.team_id = s.team_id "
                 "WHERE s.season_id = ? ORDER BY s.team_id"));
  statement->Bind(1, season);
  FB_ASSIGN_OR_RETURN(
      auto games, db.Prepare("SELECT home_team_id, away_team_id, home_score, away_score FROM games "
                             "WHERE season_id = ? AND game_type = 'regular' AND status = 'final' "
                             "AND home_score IS NOT NULL AND away_score IS NOT NULL "
                             "ORDER BY game_date, game_id"));
  games->Bind(1, season);
  // Both in one round trip where the backend pipelines.
  db::Statement* const batch[] = {statement.get(), games.get()};
  FB_RETURN_IF_ERROR(db.Prefetch(batch));
  std::vector<StandingRow> rows;
  std::map<int64_t, size_t> index;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    StandingRow r;
    r.team_id = statement->GetInt(0);
    r.abbreviation = statement->GetText(1);
    r.name = statement->GetText(2);
    r.conference = statement->GetText(3);
    r.division = statement->GetText(4);
    r.wins = statement->GetInt(5);
    r.losses = statement->GetInt(6);
    r.home_wins = statement->GetInt(7);
    r.home_losses = statement->GetInt(8);
    r.away_wins = statement->GetInt(9);
    r.away_losses = statement->GetInt(10);
    r.win_pct = r.wins + r.losses > 0 ? static_cast<double>(r.wins) / (r.wins + r.losses) : 0;
    index[r.team_id] = rows.size();
    rows.push_back(std::move(r));
  }
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, games->Step());
    if (!row) break;
    const bool home_won = games->GetInt(2) > games->GetInt(3);
    if (auto it = index.find(games->GetInt(0)); it != index.end()) {
      rows[it->second].results.push_back(home_won);
    }
    if (auto it = index.find(games->GetInt(1)); it != index.end()) {
      rows[it->second].results.push_back(!home_won);
    }
  }
  return rows;
}

Json StandingsOutputSchema() {
  Json team =
      schema::Object({{"rank", schema::Integer("place in the group (1 = best record)")},
                      {"team_id", schema::Integer("NBA.com team id")},
                      {"abbreviation", schema::String("team code")},
                      {"name", schema::String("full team name")},
                      {"conference", schema::String("East or West")},
                      {"division", schema::String("division")},
                      {"wins", schema::Integer("wins")},
                      {"losses", schema::Integer("losses")},
                      {"win_pct", schema::Number("wins / games, 3 decimals")},
                      {"games_behind", schema::Number("games behind the group leader")},
                      {"home", schema::String("home record W-L")},
                      {"away", schema::String("away record W-L")},
                      {"last_10", schema::String("record in the last 10 games, W-L")},
                      {"streak", schema::String("current streak, e.g. W3 or L2")}},
                     {"rank", "team_id", "abbreviation", "name", "conference", "division", "wins",
                      "losses", "win_pct", "games_behind", "home", "away", "last_10", "streak"});
  Json group = schema::Object({{"name", schema::String("League, East, West or a division name")},
                               {"teams", schema::Array(team)}},
                              {"name", "teams"});
  return schema::Object({{"season", schema::Integer("season start year")},
                         {"season_label", schema::String("e.g. 2023-24")},
                         {"group", schema::String("league, conference or division")},
                         {"groups", schema::Array(group)}},
                        {"season", "season_label", "group", "groups"});
}

Result<ToolOutput> RunStandings(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"season", "group", "conference"}));
  FB_ASSIGN_OR_RETURN(int season, ResolveSeason(context.db, FindArgument(arguments, "season")));
  FB_ASSIGN_OR_RETURN(
      std::string group,
      EnumArgument(arguments, "group", {"league", "conference", "division"}, "conference"));
  FB_ASSIGN_OR_RETURN(std::string conference,
                      EnumArgument(arguments, "conference", {"East", "West", "any"}, "any"));
  FB_ASSIGN_OR_RETURN(std::vector<StandingRow> rows, LoadStandings(context.db, season));
  if (rows.empty()) {
    FB_RETURN_IF_ERROR(RequireSeason(context.db, season));
    return MakeError(ErrorCode::kNotFound, "no finished regular-season games in {} yet",
                     SeasonLabel(season));
  }
  if (conference != "any") {
    std::erase_if(rows, [&](const StandingRow& r) { return r.conference != conference; });
  }
  std::map<std::string, std::vector<StandingRow*>> groups;
  for (StandingRow& r : rows) {
    const std::string key = group == "league"       ? std::string("League")
                            : group == "conference" ? r.conference
                                                    : r.conference + "/" + r.division;
    groups[key].push_back(&r);
  }
  Json out_groups = Json::array();
  std::string text = fmt::format("{} standings ({})\n", SeasonLabel(season), group);
  for (auto& [key, members] : groups) {
    std::stable_sort(members.begin(), members.end(),
                     [](const StandingRow* a, const StandingRow* b) {
                       if (a->win_pct != b->win_pct) return a->win_pct > b->win_pct;
                       if (a->wins != b->wins) return a->wins > b->wins;
                       return a->name < b->name;
                     });
    int64_t best_margin = members.front()->wins - members.front()->losses;
    for (const StandingRow* r : members) best_margin = std::max(best_margin, r->wins - r->losses);
    const std::string name = group == "division" ? members.front()->division : key;
    Json teams = Json::array();
    std::vector<std::vector<std::string>> table;
    int rank = 0;
    for (const StandingRow* r : members) {
      ++rank;
      const double behind = static_cast<double>(best_margin - (r->wins - r->losses)) / 2.0;
      int64_t last_wins = 0;
      int64_t last_losses = 0;
      const size_t first = r->results.size() > 10 ? r->results.size() - 10 : 0;
      for (size_t i = first; i < r->results.size(); ++i)
        (r->results[i] ? last_wins : last_losses)++;
      const double pct = *Rounded(r->win_pct, 3);
      teams.push_back({{"rank", rank},
                       {"team_id", r->team_id},
                       {"abbreviation", r->abbreviation},
                       {"name", r->name},
                       {"conference", r->conference},
                       {"division", r->division},
                       {"wins", r->wins},
                       {"losses", r->losses},
                       {"win_pct", pct},
                       {"games_behind", behind},
                       {"home", Record(r->home_wins, r->home_losses)},
                       {"away", Record(r->away_wins, r->away_losses)},
                       {"last_10", Record(last_wins, last_losses)},
                       {"streak", Streak(r->results)}});
      table.push_back({std::to_string(rank), r->abbreviation, std::to_string(r->wins),
                       std::to_string(r->losses), FormatPct(r->win_pct),
                       behind == 0 ? "-" : FormatNumber(behind, 1),
                       Record(r->home_wins, r->home_losses), Record(r->away_wins, r->away_losses),
                       Record(last_wins, last_losses), Streak(r->results)});
    }
    out_groups.push_back({{"name", name}, {"teams", std::move(teams)}});
    text += "\n" + name + "\n" +
            RenderTable({"#", "Team", "W", "L", "Pct", "GB", "Home", "Away", "L10", "Strk"}, table,
                        {true, false, true, true, true, true, true, true, true, false});
  }
  Json structured = {{"season", season},
                     {"season_label", SeasonLabel(season)},
                     {"group", group},
                     {"groups", std::move(out_groups)}};
  return ToolOutput{std::move(structured), std::move(text)};
}

ToolSpec StandingsTool() {
  ToolSpec tool;
  tool.name = "standings";
  tool.title = "Standings";
  tool.description =
      "Regular-season standings for a season: each team's rank, wins, losses, win percentage, "
      "games behind the leader of its group, home and away records, last-10 record and current "
      "streak. Group by conference (default), division or the whole league, optionally only one "
      "conference. Use it for 'who leads the West?', 'Celtics record in 2023-24', 'division "
      "standings'. Example: {\"season\": \"2023-24\", \"group\": \"division\", \"conference\": "
      "\"East\"}.";
  tool.input_schema =
      schema::Object({{"season", schema::Season("Season; default the latest in the database.")},
                      {"group", schema::Enum("How teams are grouped and ranked.",
                                             {"league", "conference", "division"}, "conference")},
                      {"conference", schema::Enum("Only this conference's teams.",
                                                  {"East", "West", "any"}, "any")}});
  tool.output_schema = StandingsOutputSchema();
  tool.run = RunStandings;
  return tool;
}

// ---------------------------------------------------------------------------------------------
// team_season_stats

constexpr const char* kStatNames[] = {"pts",  "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb",
                                      "dreb", "reb", "ast", "stl",  "blk",  "tov", "pf"};

Json TeamSeasonStatsOutputSchema() {
  Json stats_properties = Json::object();
  for (const char* stat : kStatNames) stats_properties[stat] = schema::Number(stat);
  Json stats = schema::Object(
      stats_properties, std::vector<std::string>(std::begin(kStatNames), std::end(kStatNames)));
  Json shooting =
      schema::Object({{"fg_pct", schema::Nullable(schema::Number("FGM / FGA"))},
                      {"fg3_pct", schema::Nullable(schema::Number("3PM / 3PA"))},
                      {"ft_pct", schema::Nullable(schema::Number("FTM / FTA"))},
                      {"efg_pct", schema::Nullable(schema::Number("(FGM + 0.5 3PM) / FGA"))},
                      {"ts_pct", schema::Nullable(schema::Number("PTS / (2 (FGA + 0.44 FTA))"))}},
                     {"fg_pct", "fg3_pct", "ft_pct", "efg_pct", "ts_pct"});
  Json ratings = schema::Object(
      {{"possessions_per_game",
        schema::Nullable(schema::Number("FGA + 0.44 FTA - OREB + TOV, per game"))},
       {"offensive_rating", schema::Nullable(schema::Number("points per 100 possessions"))},
       {"defensive_rating",
        schema::Nullable(schema::Number("opponents' points per 100 opponent possessions"))},
       {"net_rating", schema::Nullable(schema::Number("offensive minus defensive rating"))}},
      {"possessions_per_game", "offensive_rating", "defensive_rating", "net_rating"});
  return schema::Object(
      {{"team", TeamSchema()},
       {"season", schema::Integer("season start year")},
       {"season_label", schema::String("e.g. 2023-24")},
       {"season_type", schema::String("regular, playoffs or playin")},
       {"mode", schema::String("per_game or totals")},
       {"games", schema::Integer("games with a final score")},
       {"wins", schema::Integer("wins")},
       {"losses", schema::Integer("losses")},
       {"win_pct", schema::Nullable(schema::Number("wins / games"))},
       {"points_for", schema::Nullable(schema::Number("points scored (per game or total)"))},
       {"points_against", schema::Nullable(schema::Number("points allowed (per game or total)"))},
       {"box_score_games", schema::Integer("games with a team box score")},
       {"stats", schema::Nullable(stats)},
       {"shooting", schema::Nullable(shooting)},
       {"ratings", schema::Nullable(ratings)}},
      {"team", "season", "season_label", "season_type", "mode", "games", "wins", "losses",
       "win_pct", "points_for", "points_against", "box_score_games", "stats", "shooting",
       "ratings"});
}

Result<ToolOutput> RunTeamSeasonStats(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"team", "season", "season_type", "mode"}));
  Error error;
  const Json* team_arg = RequiredArgument(arguments, "team", &error);
  if (team_arg == nullptr) return tl::unexpected<Error>(error);
  FB_ASSIGN_OR_RETURN(TeamRef team, ResolveTeam(context.db, *team_arg));
  FB_ASSIGN_OR_RETURN(int season, ResolveSeason(context.db, FindArgument(arguments, "season")));
  FB_ASSIGN_OR_RETURN(
      std::string season_type,
      EnumArgument(arguments, "season_type", {"regular", "playoffs", "playin"}, "regular"));
  FB_ASSIGN_OR_RETURN(std::string mode,
                      EnumArgument(arguments, "mode", {"per_game", "totals"}, "per_game"));
  FB_RETURN_IF_ERROR(RequireSeason(context.db, season));

  // Record and points from the games table (every source has scores).
  FB_ASSIGN_OR_RETURN(
      auto record,
      context.db.Prepare(
          "SELECT COUNT(*), "
          "COALESCE(SUM(CASE WHEN (home_team_id = ?1 AND home_score > away_score) OR "
          "(away_team_id = ?1 AND away_score > home_score) THEN 1 ELSE 0 END), 0), "
          "COALESCE(SUM(CASE WHEN home_team_id = ?1 THEN home_score ELSE away_score END), 0), "
          "COALESCE(SUM(CASE WHEN home_team_id = ?1 THEN away_score ELSE home_score END), 0) "
          "FROM games WHERE (home_team_id = ?1 OR away_team_id = ?1) AND season_id = ?2 "
          "AND game_type = ?3 AND status = 'final' AND home_score IS NOT NULL "
          "AND away_score IS NOT NULL"));
  record->BindAll(team.team_id, season, season_type);

  // Counting stats from team box scores, with the opponents' possession inputs.
  FB_ASSIGN_OR_RETURN(
      auto box,
      context.db.Prepare(
          "SELECT COUNT(*), SUM(t.pts), SUM(t.fgm), SUM(t.fga), SUM(t.fg3m), SUM(t.fg3a), "
          "SUM(t.ftm), SUM(t.fta), SUM(t.oreb), SUM(t.dreb), SUM(t.reb), SUM(t.ast), "
          "SUM(t.stl), SUM(t.blk), SUM(t.tov), SUM(t.pf), "
          "SUM(o.pts), SUM(o.fga), SUM(o.fta), SUM(o.oreb), SUM(o.tov) "
          "FROM team_game_stats t JOIN games g ON g.game_id = t.game_id "
          "JOIN team_game_stats o ON o.game_id = t.game_id AND o.team_id = t.opponent_id "
          "WHERE t.team_id = ? AND g.season_id = ? AND g.game_type = ?"));
  box->BindAll(team.team_id, season, season_type);
  // Both in one round trip where the backend pipelines.
  db::Statement* const batch[] = {record.get(), box.get()};
  FB_RETURN_IF_ERROR(context.db.Prefetch(batch));
  FB_ASSIGN_OR_RETURN(bool has_record, record->Step());
  const int64_t games = has_record ? record->GetInt(0) : 0;
  const int64_t wins = has_record ? record->GetInt(1) : 0;
  const double points_for = has_record ? static_cast<double>(record->GetInt(2)) : 0;
  const double points_against = has_record ? static_cast<double>(record->GetInt(3)) : 0;
  FB_ASSIGN_OR_RETURN(bool has_box, box->Step());
  const int64_t box_games = has_box ? box->GetInt(0) : 0;
  const bool per_game = mode == "per_game";
  const auto scaled = [&](double total, int64_t count) -> std::optional<double> {
    if (!per_game) return total;
    return Rounded(Divide(total, static_cast<double>(count)), 1);
  };

  Json stats = nullptr;
  Json shooting = nullptr;
  Json ratings = nullptr;
  std::string text_stats;
  if (box_games > 0) {
    double v[20] = {};
    for (int i = 0; i < 20; ++i)
      v[i] = box->IsNull(i + 1) ? 0 : static_cast<double>(box->GetInt(i + 1));
    stats = Json::object();
    for (size_t i = 0; i < std::size(kStatNames); ++i) {
      stats[kStatNames[i]] = *scaled(v[i], box_games);
    }
    const double pts = v[0], fgm = v[1], fga = v[2], fg3m = v[3], fg3a = v[4], ftm = v[5],
                 fta = v[6], oreb = v[7], tov = v[13];
    shooting = {{"fg_pct", OptionalNumber(Rounded(Divide(fgm, fga), 3))},
                {"fg3_pct", OptionalNumber(Rounded(Divide(fg3m, fg3a), 3))},
                {"ft_pct", OptionalNumber(Rounded(Divide(ftm, fta), 3))},
                {"efg_pct", OptionalNumber(Rounded(Divide(fgm + 0.5 * fg3m, fga), 3))},
                {"ts_pct", OptionalNumber(Rounded(Divide(pts, 2 * (fga + 0.44 * fta)), 3))}};
    const double possessions = fga + 0.44 * fta - oreb + tov;
    const double opp_possessions = v[16] + 0.44 * v[17] - v[18] + v[19];
    const auto offensive = Divide(100 * pts, possessions);
    const auto defensive = Divide(100 * v[15], opp_possessions);
    std::optional<double> net;
    if (offensive && defensive) net = *offensive - *defensive;
    ratings = {{"possessions_per_game",
                OptionalNumber(Rounded(Divide(possessions, static_cast<double>(box_games)), 1))},
               {"offensive_rating", OptionalNumber(Rounded(offensive, 1))},
               {"defensive_rating", OptionalNumber(Rounded(defensive, 1))},
               {"net_rating", OptionalNumber(Rounded(net, 1))}};
    text_stats = fmt::format(
        "\nREB {} AST {} STL {} BLK {} TOV {}\nFG% {} 3P% {} FT% {} TS% {}\nORtg {} DRtg {} "
        "Net {}",
        FormatNumber(stats["reb"].get<double>()), FormatNumber(stats["ast"].get<double>()),
        FormatNumber(stats["stl"].get<double>()), FormatNumber(stats["blk"].get<double>()),
        FormatNumber(stats["tov"].get<double>()), FormatPct(Divide(fgm, fga)),
        FormatPct(Divide(fg3m, fg3a)), FormatPct(Divide(ftm, fta)),
        FormatPct(Divide(pts, 2 * (fga + 0.44 * fta))), FormatNumber(offensive),
        FormatNumber(defensive), FormatNumber(net));
  }
  const auto pf = games > 0 ? scaled(points_for, games) : std::nullopt;
  const auto pa = games > 0 ? scaled(points_against, games) : std::nullopt;
  const auto pct = Rounded(Divide(static_cast<double>(wins), static_cast<double>(games)), 3);
  Json structured = {{"team", TeamJson(team)},
                     {"season", season},
                     {"season_label", SeasonLabel(season)},
                     {"season_type", season_type},
                     {"mode", mode},
                     {"games", games},
                     {"wins", wins},
                     {"losses", games - wins},
                     {"win_pct", OptionalNumber(pct)},
                     {"points_for", OptionalNumber(pf)},
                     {"points_against", OptionalNumber(pa)},
                     {"box_score_games", box_games},
                     {"stats", std::move(stats)},
                     {"shooting", std::move(shooting)},
                     {"ratings", std::move(ratings)}};
  std::string text = fmt::format(
      "{} {} {} ({}): {} games, {}, PTS {} OPP {}{}", team.name, SeasonLabel(season), season_type,
      mode, games, Record(wins, games - wins), FormatNumber(pf), FormatNumber(pa), text_stats);
  return ToolOutput{std::move(structured), std::move(text)};
}

ToolSpec TeamSeasonStatsTool() {
  ToolSpec tool;
  tool.name = "team_season_stats";
  tool.title = "Team season stats";
  tool.description =
      "A team's season: games, wins and losses, points for and against, box-score counting "
      "stats, shooting percentages (FG%, 3P%, FT%, eFG%, TS%) and estimated offensive, "
      "defensive and net ratings (points per 100 possessions, possessions = FGA + 0.44 FTA - "
      "OREB + TOV). Per game by default or season totals. Use it for 'how many points did the "
      "Celtics score per game in 2023-24?' or 'Nuggets playoff defensive rating'. Example: "
      "{\"team\": \"BOS\", \"season\": \"2023-24\", \"season_type\": \"regular\"}.";
  tool.input_schema = schema::Object(
      {{"team", TeamArgSchema("The team.")},
       {"season", schema::Season("Season; default the latest in the database.")},
       {"season_type", schema::Enum("Which games.", {"regular", "playoffs", "playin"}, "regular")},
       {"mode",
        schema::Enum("Per-game averages or season totals.", {"per_game", "totals"}, "per_game")}},
      {"team"});
  tool.output_schema = TeamSeasonStatsOutputSchema();
  tool.run = RunTeamSeasonStats;
  return tool;
}

// ---------------------------------------------------------------------------------------------
// team_roster

Result<ToolOutput> RunTeamRoster(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"team", "season", "season_type"}));
  Error error;
  const Json* team_arg = RequiredArgument(arguments, "team", &error);
  if (team_arg == nullptr) return tl::unexpected<Error>(error);
  FB_ASSIGN_OR_RETURN(TeamRef team, ResolveTeam(context.db, *team_arg));
  FB_ASSIGN_OR_RETURN(int season, ResolveSeason(context.db, FindArgument(arguments, "season")));
  FB_ASSIGN_OR_RETURN(
      std::string season_type,
      EnumArgument(arguments, "season_type", {"all", "regular", "playoffs", "playin"}, "all"));
  FB_RETURN_IF_ERROR(RequireSeason(context.db, season));
  FB_ASSIGN_OR_RETURN(
      auto statement,
      context.db.Prepare(
          "SELECT p.player_id, pl.full_name, COALESCE(MAX(p.position), pl.position), "
          "SUM(CASE WHEN p.seconds > 0 THEN 1 ELSE 0 END), SUM(p.starter), "
          "COALESCE(SUM(p.seconds), 0), "
          "COALESCE(SUM(p.pts), 0), COALESCE(SUM(p.reb), 0), COALESCE(SUM(p.ast), 0) "
          "FROM player_game_stats p JOIN games g ON g.game_id = p.game_id "
          "JOIN players pl ON pl.player_id = p.player_id "
          "WHERE p.team_id = ?1 AND g.season_id = ?2 AND (?3 = 'all' OR g.game_type = ?3) "
          "GROUP BY p.player_id, pl.full_name, pl.position "
          "HAVING SUM(CASE WHEN p.seconds > 0 THEN 1 ELSE 0 END) > 0 "
          "ORDER BY SUM(p.seconds) DESC, pl.full_name, p.player_id"));
  statement->BindAll(team.team_id, season, season_type);
  Json players = Json::array();
  std::vector<std::vector<std::string>> table;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    const int64_t games = statement->GetInt(3);
    const auto g = static_cast<double>(games);
    const double minutes = *Rounded(static_cast<double>(statement->GetInt(5)) / 60.0 / g, 1);
    const double points = *Rounded(static_cast<double>(statement->GetInt(6)) / g, 1);
    const double rebounds = *Rounded(static_cast<double>(statement->GetInt(7)) / g, 1);
    const double assists = *Rounded(static_cast<double>(statement->GetInt(8)) / g, 1);
    std::string position = statement->IsNull(2) ? "" : std::string(statement->GetText(2));
    players.push_back({{"player_id", statement->GetInt(0)},
                       {"name", std::string(statement->GetText(1))},
                       {"position", position.empty() ? Json(nullptr) : Json(position)},
                       {"games", games},
                       {"starts", statement->GetInt(4)},
                       {"minutes_per_game", minutes},
                       {"points_per_game", points},
                       {"rebounds_per_game", rebounds},
                       {"assists_per_game", assists}});
    table.push_back({std::string(statement->GetText(1)), position, std::to_string(games),
                     FormatNumber(minutes), FormatNumber(points), FormatNumber(rebounds),
                     FormatNumber(assists)});
  }
  std::string text =
      fmt::format("{} roster {} ({} players)\n", team.name, SeasonLabel(season), table.size()) +
      RenderTable({"Player", "Pos", "G", "MPG", "PPG", "RPG", "APG"}, table,
                  {false, false, true, true, true, true, true});
  const size_t count = players.size();
  Json structured = {
      {"team", TeamJson(team)},     {"season", season}, {"season_label", SeasonLabel(season)},
      {"season_type", season_type}, {"count", count},   {"players", std::move(players)}};
  return ToolOutput{std::move(structured), std::move(text)};
}

ToolSpec TeamRosterTool() {
  ToolSpec tool;
  tool.name = "team_roster";
  tool.title = "Team roster";
  tool.description =
      "The players who played for a team in a season (at least one game with minutes), with "
      "position, games, starts, and minutes, points, rebounds and assists per game, ordered by "
      "total minutes. Use it for 'who played for the 2015-16 Warriors?' or 'Lakers rotation "
      "this season'. Example: {\"team\": \"Warriors\", \"season\": 2015}.";
  tool.input_schema = schema::Object(
      {{"team", TeamArgSchema("The team.")},
       {"season", schema::Season("Season; default the latest in the database.")},
       {"season_type",
        schema::Enum("Which games count.", {"all", "regular", "playoffs", "playin"}, "all")}},
      {"team"});
  Json player =
      schema::Object({{"player_id", schema::Integer("player id")},
                      {"name", schema::String("full name")},
                      {"position", schema::Nullable(schema::String("G, F, C, G-F, ..."))},
                      {"games", schema::Integer("games played for the team")},
                      {"starts", schema::Integer("games started")},
                      {"minutes_per_game", schema::Number("minutes per game")},
                      {"points_per_game", schema::Number("points per game")},
                      {"rebounds_per_game", schema::Number("rebounds per game")},
                      {"assists_per_game", schema::Number("assists per game")}},
                     {"player_id", "name", "position", "games", "starts", "minutes_per_game",
                      "points_per_game", "rebounds_per_game", "assists_per_game"});
  tool.output_schema =
      schema::Object({{"team", TeamSchema()},
                      {"season", schema::Integer("season start year")},
                      {"season_label", schema::String("e.g. 2023-24")},
                      {"season_type", schema::String("games counted")},
                      {"count", schema::Integer("players listed")},
                      {"players", schema::Array(player)}},
                     {"team", "season", "season_label", "season_type", "count", "players"});
  tool.run = RunTeamRoster;
  return tool;
}

// ---------------------------------------------------------------------------------------------
// schedule and head_to_head share a game row.

constexpr const char* kGameSelect =
    "SELECT g.game_id, g.game_date, g.season_id, g.game_type, g.status, g.home_team_id, "
    "h.abbreviation, g.away_team_id, a.abbreviation, g.home_score, g.away_score, g.periods "
    "FROM games g JOIN teams h ON h.team_id = g.home_team_id "
    "JOIN teams a ON a.team_id = g.away_team_id ";

struct GameRow {
  std::string game_id, date, game_type, status, home, away;
  int64_t season = 0, home_id = 0, away_id = 0;
  std::optional<int64_t> home_score, away_score, periods;
};

GameRow ReadGame(const db::Statement& s) {
  GameRow g;
  g.game_id = s.GetText(0);
  g.date = s.GetText(1);
  g.season = s.GetInt(2);
  g.game_type = s.GetText(3);
  g.status = s.GetText(4);
  g.home_id = s.GetInt(5);
  g.home = s.GetText(6);
  g.away_id = s.GetInt(7);
  g.away = s.GetText(8);
  if (!s.IsNull(9)) g.home_score = s.GetInt(9);
  if (!s.IsNull(10)) g.away_score = s.GetInt(10);
  if (!s.IsNull(11)) g.periods = s.GetInt(11);
  return g;
}

Json OptionalInt(std::optional<int64_t> value) { return value ? Json(*value) : Json(nullptr); }

std::string Score(const GameRow& g) {
  if (!g.home_score || !g.away_score) return "-";
  std::string ot = g.periods && *g.periods > 4
                       ? (*g.periods == 5 ? " OT" : fmt::format(" {}OT", *g.periods - 4))
                       : "";
  return fmt::format("{}-{}{}", *g.away_score, *g.home_score, ot);
}

// "W", "L" or null (not played yet).
Json ResultSchema() {
  Json result =
      schema::Nullable(schema::Enum("W or L for the team (when a team is given)", {"W", "L"}));
  result["enum"].push_back(nullptr);
  return result;
}

Json ScheduleGameSchema() {
  return schema::Object(
      {{"game_id", schema::String("ten-digit game id")},
       {"date", schema::String("YYYY-MM-DD")},
       {"season", schema::Integer("season start year")},
       {"game_type", schema::String("regular, playin, playoffs, preseason or cup_final")},
       {"status", schema::String("final or scheduled")},
       {"home", schema::String("home team code")},
       {"away", schema::String("away team code")},
       {"home_score", schema::Nullable(schema::Integer("home points; null until played"))},
       {"away_score", schema::Nullable(schema::Integer("away points; null until played"))},
       {"periods", schema::Nullable(schema::Integer("4 plus overtimes"))},
       {"opponent", schema::String("opponent code (when a team is given)")},
       {"home_away", schema::Enum("the team's side (when a team is given)", {"home", "away"})},
       {"result", ResultSchema()},
       {"team_score", schema::Nullable(schema::Integer("the team's points"))},
       {"opponent_score", schema::Nullable(schema::Integer("the opponent's points"))}},
      {"game_id", "date", "season", "game_type", "status", "home", "away", "home_score",
       "away_score", "periods"});
}

Result<ToolOutput> RunSchedule(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(
      arguments, {"team", "date_from", "date_to", "season", "status", "game_type", "limit"}));
  std::optional<TeamRef> team;
  if (const Json* value = FindArgument(arguments, "team")) {
    FB_ASSIGN_OR_RETURN(team, ResolveTeam(context.db, *value));
  }
  FB_ASSIGN_OR_RETURN(auto date_from, OptionalDateArgument(arguments, "date_from"));
  FB_ASSIGN_OR_RETURN(auto date_to, OptionalDateArgument(arguments, "date_to"));
  if (date_from && date_to && *date_from > *date_to) {
    return MakeError(ErrorCode::kInvalidArgument, "date_from {} is after date_to {}", *date_from,
                     *date_to);
  }
  const Json* season_arg = FindArgument(arguments, "season");
  std::optional<int> season;
  if (season_arg != nullptr || (!date_from && !date_to)) {
    FB_ASSIGN_OR_RETURN(season, ResolveSeason(context.db, season_arg));
  }
  FB_ASSIGN_OR_RETURN(std::string status,
                      EnumArgument(arguments, "status", {"any", "final", "scheduled"}, "any"));
  FB_ASSIGN_OR_RETURN(
      std::string game_type,
      EnumArgument(arguments, "game_type",
                   {"any", "regular", "playin", "playoffs", "preseason", "cup_final"}, "any"));
  FB_ASSIGN_OR_RETURN(int64_t limit, IntArgument(arguments, "limit", 100, 1, 500));

  FB_ASSIGN_OR_RETURN(
      auto statement,
      context.db.Prepare(std::string(kGameSelect) +
                         "WHERE (CAST(?1 AS INTEGER) IS NULL OR g.home_team_id = ?1 "
                         "OR g.away_team_id = ?1) "
                         "AND (CAST(?2 AS INTEGER) IS NULL OR g.season_id = ?2) "
                         "AND (CAST(?3 AS TEXT) IS NULL OR g.game_date >= ?3) "
                         "AND (CAST(?4 AS TEXT) IS NULL OR g.game_date <= ?4) "
                         "AND (?5 = 'any' OR g.status = ?5) "
                         "AND (?6 = 'any' OR g.game_type = ?6) "
                         "ORDER BY g.game_date, g.game_id LIMIT ?7"));
  if (team) {
    statement->Bind(1, team->team_id);
  } else {
    statement->BindNull(1);
  }
  if (season) {
    statement->Bind(2, *season);
  } else {
    statement->BindNull(2);
  }
  if (date_from) {
    statement->Bind(3, *date_from);
  } else {
    statement->BindNull(3);
  }
  if (date_to) {
    statement->Bind(4, *date_to);
  } else {
    statement->BindNull(4);
  }
  statement->Bind(5, status);
  statement->Bind(6, game_type);
  statement->Bind(7, limit + 1);
  Json games = Json::array();
  std::vector<std::vector<std::string>> table;
  bool truncated = false;
  int64_t wins = 0;
  int64_t losses = 0;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    if (static_cast<int64_t>(games.size()) == limit) {
      truncated = true;
      break;
    }
    const GameRow g = ReadGame(*statement);
    Json game = {{"game_id", g.game_id},
                 {"date", g.date},
                 {"season", g.season},
                 {"game_type", g.game_type},
                 {"status", g.status},
                 {"home", g.home},
                 {"away", g.away},
                 {"home_score", OptionalInt(g.home_score)},
                 {"away_score", OptionalInt(g.away_score)},
                 {"periods", OptionalInt(g.periods)}};
    std::string result_text;
    if (team) {
      const bool home = g.home_id == team->team_id;
      const auto own = home ? g.home_score : g.away_score;
      const auto other = home ? g.away_score : g.home_score;
      Json result = nullptr;
      if (own && other) {
        result = *own > *other ? "W" : "L";
        (*own > *other ? wins : losses)++;
        result_text = result.get<std::string>();
      }
      game["opponent"] = home ? g.away : g.home;
      game["home_away"] = home ? "home" : "away";
      game["result"] = result;
      game["team_score"] = OptionalInt(own);
      game["opponent_score"] = OptionalInt(other);
    }
    table.push_back({g.date, g.game_id, g.away + " @ " + g.home, Score(g), result_text});
    games.push_back(std::move(game));
  }
  const size_t count = games.size();
  std::string header = team ? team->name + " schedule" : std::string("Schedule");
  if (season) header += " " + SeasonLabel(*season);
  if (date_from || date_to) {
    header += fmt::format(" {}..{}", date_from.value_or(""), date_to.value_or(""));
  }
  header += fmt::format(": {} games", count);
  if (team && wins + losses > 0)
    header += fmt::format(" ({} in finished games)", Record(wins, losses));
  if (truncated)
    header += fmt::format(" (first {}; more match: narrow dates or raise limit)", limit);
  std::string text =
      header + "\n" + RenderTable({"Date", "Game", "Matchup", "Score", team ? "Res" : ""}, table);
  Json structured = {{"team", team ? TeamJson(*team) : Json(nullptr)},
                     {"season", season ? Json(*season) : Json(nullptr)},
                     {"date_from", date_from ? Json(*date_from) : Json(nullptr)},
                     {"date_to", date_to ? Json(*date_to) : Json(nullptr)},
                     {"count", count},
                     {"truncated", truncated},
                     {"games", std::move(games)}};
  return ToolOutput{std::move(structured), std::move(text)};
}

ToolSpec ScheduleTool() {
  ToolSpec tool;
  tool.name = "schedule";
  tool.title = "Schedule and results";
  tool.description =
      "Games with ids, dates, teams and scores: a team's schedule and results, or every game in "
      "a date range. Filter by team, season (default the latest when no dates are given), date "
      "range, status (final/scheduled) and game type. With a team, each game also carries the "
      "opponent, home/away and W/L. Use it to find game ids for get_game, box_score and "
      "play_by_play. Results are capped by `limit`; `truncated` says more games matched. "
      "Example: {\"team\": \"Celtics\", \"date_from\": \"2024-01-01\", \"date_to\": "
      "\"2024-01-31\"}.";
  tool.input_schema = schema::Object(
      {{"team", TeamArgSchema("Only this team's games.")},
       {"date_from", schema::String("First date, YYYY-MM-DD (inclusive).")},
       {"date_to", schema::String("Last date, YYYY-MM-DD (inclusive).")},
       {"season", schema::Season("Season; default the latest when no dates are given.")},
       {"status",
        schema::Enum("Finished, upcoming or both.", {"any", "final", "scheduled"}, "any")},
       {"game_type",
        schema::Enum("Kind of game.",
                     {"any", "regular", "playin", "playoffs", "preseason", "cup_final"}, "any")},
       {"limit", schema::Integer("Most games returned.", 1, 500, 100)}});
  tool.output_schema =
      schema::Object({{"team", schema::Nullable(TeamSchema())},
                      {"season", schema::Nullable(schema::Integer("season filter"))},
                      {"date_from", schema::Nullable(schema::String("date filter"))},
                      {"date_to", schema::Nullable(schema::String("date filter"))},
                      {"count", schema::Integer("games returned")},
                      {"truncated", schema::Boolean("more games matched than `limit`")},
                      {"games", schema::Array(ScheduleGameSchema())}},
                     {"team", "season", "date_from", "date_to", "count", "truncated", "games"});
  tool.run = RunSchedule;
  return tool;
}

Result<ToolOutput> RunHeadToHead(const Json& arguments, CallContext& context) {
  FB_RETURN_IF_ERROR(CheckArguments(arguments, {"team1", "team2", "season", "season_type"}));
  Error error;
  const Json* first_arg = RequiredArgument(arguments, "team1", &error);
  if (first_arg == nullptr) return tl::unexpected<Error>(error);
  const Json* second_arg = RequiredArgument(arguments, "team2", &error);
  if (second_arg == nullptr) return tl::unexpected<Error>(error);
  FB_ASSIGN_OR_RETURN(TeamRef team1, ResolveTeam(context.db, *first_arg, "team1"));
  FB_ASSIGN_OR_RETURN(TeamRef team2, ResolveTeam(context.db, *second_arg, "team2"));
  if (team1.team_id == team2.team_id) {
    return MakeError(ErrorCode::kInvalidArgument, "team1 and team2 are both {}; name two teams",
                     team1.name);
  }
  std::optional<int> season;
  if (const Json* value = FindArgument(arguments, "season")) {
    FB_ASSIGN_OR_RETURN(season, ResolveSeason(context.db, value));
  }
  FB_ASSIGN_OR_RETURN(
      std::string season_type,
      EnumArgument(arguments, "season_type", {"all", "regular", "playoffs", "playin"}, "all"));
  FB_ASSIGN_OR_RETURN(auto statement,
                      context.db.Prepare(std::string(kGameSelect) +
                                         "WHERE ((g.home_team_id = ?1 AND g.away_team_id = ?2) OR "
                                         "(g.home_team_id = ?2 AND g.away_team_id = ?1)) "
                                         "AND g.status = 'final' AND g.home_score IS NOT NULL "
                                         "AND g.away_score IS NOT NULL "
                                         "AND (CAST(?3 AS INTEGER) IS NULL OR g.season_id = ?3) "
                                         "AND (?4 = 'all' OR g.game_type = ?4) "
                                         "ORDER BY g.game_date, g.game_id"));
  statement->Bind(1, team1.team_id);
  statement->Bind(2, team2.team_id);
  if (season) {
    statement->Bind(3, *season);
  } else {
    statement->BindNull(3);
  }
  statement->Bind(4, season_type);
  Json meetings = Json::array();
  std::vector<std::vector<std::string>> table;
  int64_t wins1 = 0;
  int64_t wins2 = 0;
  int64_t points1 = 0;
  int64_t points2 = 0;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    const GameRow g = ReadGame(*statement);
    const bool first_home = g.home_id == team1.team_id;
    const int64_t score1 = first_home ? *g.home_score : *g.away_score;
    const int64_t score2 = first_home ? *g.away_score : *g.home_score;
    points1 += score1;
    points2 += score2;
    (score1 > score2 ? wins1 : wins2)++;
    const std::string& winner = score1 > score2 ? team1.abbreviation : team2.abbreviation;
    meetings.push_back({{"game_id", g.game_id},
                        {"date", g.date},
                        {"season", g.season},
                        {"game_type", g.game_type},
                        {"home", g.home},
                        {"away", g.away},
                        {"team1_score", score1},
                        {"team2_score", score2},
                        {"winner", winner}});
    table.push_back({g.date, g.game_id, g.game_type, g.away + " @ " + g.home, Score(g), winner});
  }
  const auto games = static_cast<int64_t>(meetings.size());
  const auto avg1 = Rounded(Divide(static_cast<double>(points1), static_cast<double>(games)), 1);
  const auto avg2 = Rounded(Divide(static_cast<double>(points2), static_cast<double>(games)), 1);
  std::string text =
      fmt::format("{} vs {}{}: {} meetings, {} {}-{} {}, avg {}-{}\n", team1.abbreviation,
                  team2.abbreviation, season ? " in " + SeasonLabel(*season) : "", games,
                  team1.abbreviation, wins1, wins2, team2.abbreviation, FormatNumber(avg1),
                  FormatNumber(avg2)) +
      RenderTable({"Date", "Game", "Type", "Matchup", "Score", "Winner"}, table);
  Json structured = {{"team1", TeamJson(team1)},
                     {"team2", TeamJson(team2)},
                     {"season", season ? Json(*season) : Json(nullptr)},
                     {"season_type", season_type},
                     {"games", games},
                     {"team1_wins", wins1},
                     {"team2_wins", wins2},
                     {"team1_avg_points", OptionalNumber(avg1)},
                     {"team2_avg_points", OptionalNumber(avg2)},
                     {"meetings", std::move(meetings)}};
  return ToolOutput{std::move(structured), std::move(text)};
}

ToolSpec HeadToHeadTool() {
  ToolSpec tool;
  tool.name = "head_to_head";
  tool.title = "Head to head";
  tool.description =
      "Every finished meeting between two teams (date, game id, score, winner) with the series "
      "totals: wins for each and average points. All seasons in the database by default, or "
      "one season; regular season, playoffs, play-in or all. Use it for 'how did the Celtics do "
      "against the Heat in 2023-24?' or 'Lakers vs Celtics all-time in this database'. "
      "Example: {\"team1\": \"BOS\", \"team2\": \"MIA\", \"season_type\": \"playoffs\"}.";
  tool.input_schema = schema::Object(
      {{"team1", TeamArgSchema("First team.")},
       {"team2", TeamArgSchema("Second team.")},
       {"season", schema::Season("Only this season; default every season in the database.")},
       {"season_type",
        schema::Enum("Which games.", {"all", "regular", "playoffs", "playin"}, "all")}},
      {"team1", "team2"});
  Json meeting = schema::Object({{"game_id", schema::String("ten-digit game id")},
                                 {"date", schema::String("YYYY-MM-DD")},
                                 {"season", schema::Integer("season start year")},
                                 {"game_type", schema::String("regular, playin, playoffs, ...")},
                                 {"home", schema::String("home team code")},
                                 {"away", schema::String("away team code")},
                                 {"team1_score", schema::Integer("team1 points")},
                                 {"team2_score", schema::Integer("team2 points")},
                                 {"winner", schema::String("winner's code")}},
                                {"game_id", "date", "season", "game_type", "home", "away",
                                 "team1_score", "team2_score", "winner"});
  tool.output_schema = schema::Object(
      {{"team1", TeamSchema()},
       {"team2", TeamSchema()},
       {"season", schema::Nullable(schema::Integer("season filter"))},
       {"season_type", schema::String("games counted")},
       {"games", schema::Integer("meetings")},
       {"team1_wins", schema::Integer("team1 wins")},
       {"team2_wins", schema::Integer("team2 wins")},
       {"team1_avg_points", schema::Nullable(schema::Number("team1 points per meeting"))},
       {"team2_avg_points", schema::Nullable(schema::Number("team2 points per meeting"))},
       {"meetings", schema::Array(meeting)}},
      {"team1", "team2", "season", "season_type", "games", "team1_wins", "team2_wins",
       "team1_avg_points", "team2_avg_points", "meetings"});
  tool.run = RunHeadToHead;
  return tool;
}

}  // namespace

void AddTeamTools(Catalog& catalog) {
  catalog.tools.push_back(TeamSeasonStatsTool());
  catalog.tools.push_back(StandingsTool());
  catalog.tools.push_back(TeamRosterTool());
  catalog.tools.push_back(ScheduleTool());
  catalog.tools.push_back(HeadToHeadTool());
}

}  // namespace fastbreak::nba::detail
