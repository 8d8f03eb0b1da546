// Every tool of the catalog answers the same on SQLite and on PostgreSQL: a generated league (two
// seasons with play-by-play) is written to a SQLite file and copied into a real PostgreSQL 15,
// then each tool runs several argument sets (picked from the data, error cases included) on a
// read-only connection to each, and the results are compared exactly: success or failure, the
// structured result, or the error's code and message. Resources, prompts and completions are
// compared the same way. Differences are reported by tool and argument set.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "db/generator/generator.hpp"
#include "db/importers/copy_database.hpp"
#include "db/postgres/postgres_database.hpp"
#include "db/schema/migrations.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "nba/catalog.hpp"
#include "testing/postgres_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

// The first place where `a` and `b` differ, as a JSON pointer with both values, or "".
std::string FirstDifference(const Json& a, const Json& b, const std::string& path = "") {
  if (a.type() != b.type()) {
    return fmt::format("{}: {} vs {}", path.empty() ? "/" : path, a.dump().substr(0, 200),
                       b.dump().substr(0, 200));
  }
  if (a.is_object()) {
    for (const auto& [key, value] : a.items()) {
      if (!b.contains(key)) return fmt::format("{}/{}: only on SQLite", path, key);
      if (auto diff = FirstDifference(value, b[key], path + "/" + key); !diff.empty()) return diff;
    }
    for (const auto& [key, value] : b.items()) {
      if (!a.contains(key)) return fmt::format("{}/{}: only on PostgreSQL", path, key);
    }
    return "";
  }
  if (a.is_array()) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (auto diff = FirstDifference(a[i], b[i], fmt::format("{}/{}", path, i)); !diff.empty()) {
        return diff;
      }
    }
    if (a.size() != b.size()) {
      return fmt::format("{}: {} items vs {}", path.empty() ? "/" : path, a.size(), b.size());
    }
    return "";
  }
  if (a != b) return fmt::format("{}: {} vs {}", path.empty() ? "/" : path, a.dump(), b.dump());
  return "";
}

// What a call gave, in the terms compared: the structured result, or the error.
struct Outcome {
  bool ok = false;
  Json structured;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

std::string Describe(const Outcome& outcome) {
  return outcome.ok ? "a result"
                    : fmt::format("error {} \"{}\"", static_cast<int>(outcome.code),
                                  outcome.message.substr(0, 300));
}

// Why two outcomes differ, or "" when they are the same. With `engine_messages` only the error
// codes of failures are compared (run_sql passes on the engine's own wording).
std::string Compare(const Outcome& sqlite, const Outcome& pg, bool engine_messages = false) {
  if (sqlite.ok != pg.ok) {
    return fmt::format("SQLite gave {}, PostgreSQL {}", Describe(sqlite), Describe(pg));
  }
  if (!sqlite.ok) {
    if (sqlite.code != pg.code || (!engine_messages && sqlite.message != pg.message)) {
      return fmt::format("SQLite gave {}, PostgreSQL {}", Describe(sqlite), Describe(pg));
    }
    return "";
  }
  return FirstDifference(sqlite.structured, pg.structured);
}

class CrossBackendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fastbreak::testing::PostgresServer::Available()) return;
    state_ = new State();
    if (auto status = state_->Build(); !status) {
      setup_error_ = new std::string(status.error().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete state_;
    state_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }

  void SetUp() override {
    if (state_ == nullptr) {
      GTEST_SKIP() << fastbreak::testing::PostgresServer::UnavailableMessage();
    }
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_;
  }

  // The generated league on both backends, and the ids the argument sets are made from.
  struct State {
    fastbreak::testing::TempDir dir;
    fastbreak::testing::PostgresServer server;
    std::unique_ptr<db::SqliteDatabase> sqlite_database;
    std::unique_ptr<db::PostgresDatabase> pg_database;
    std::unique_ptr<db::Connection> sqlite;  // read-only
    std::unique_ptr<db::Connection> pg;      // read-only

    Status Build() {
      FB_ASSIGN_OR_RETURN(sqlite_database, db::SqliteDatabase::Open({.path = dir.File("l.db")}));
      FB_ASSIGN_OR_RETURN(auto writer, sqlite_database->Connect(db::AccessMode::kReadWrite));
      // The league is generated while the server starts.
      Status generated = Ok();
      std::thread generator([&] {
        db::GeneratorOptions options;
        options.seasons = 2;
        options.start_season = 2022;
        options.seed = 11;
        auto report = db::GenerateLeague(*writer, options);
        if (!report) generated = tl::unexpected(report.error());
      });
      const Status started = server.StartPrimary();
      generator.join();
      FB_RETURN_IF_ERROR(started);
      FB_RETURN_IF_ERROR(generated);
      // Play-by-play (nine rows in ten) only for the 2023 season's postseason, its overtime
      // games and its first 60 regular-season games, so that the copy takes seconds; the games
      // without play-by-play are a case of their own, as in imported data.
      FB_RETURN_IF_ERROR(writer->ExecuteScript(
          "CREATE TEMP TABLE kept AS SELECT * FROM play_by_play WHERE game_id IN ("
          " SELECT game_id FROM games WHERE season_id = 2023 AND (game_type <> 'regular' OR"
          " periods > 4 OR game_id IN (SELECT game_id FROM games WHERE season_id = 2023 AND"
          " game_type = 'regular' ORDER BY game_id LIMIT 60)));"
          "DELETE FROM play_by_play;"  // without WHERE: SQLite truncates instead of deleting rows
          "INSERT INTO play_by_play SELECT * FROM kept;"
          "DROP TABLE kept"));
      FB_ASSIGN_OR_RETURN(pg_database, db::PostgresDatabase::Open({.dsn = server.dsn()}));
      FB_ASSIGN_OR_RETURN(auto pg_writer, pg_database->Connect(db::AccessMode::kReadWrite));
      FB_RETURN_IF_ERROR(db::Migrate(*pg_writer));
      FB_RETURN_IF_ERROR(db::CopyDatabase(*writer, *pg_writer));
      FB_RETURN_IF_ERROR(pg_writer->ExecuteScript("ANALYZE"));
      FB_ASSIGN_OR_RETURN(sqlite, sqlite_database->Connect(db::AccessMode::kReadOnly));
      FB_ASSIGN_OR_RETURN(pg, pg_database->Connect(db::AccessMode::kReadOnly));
      return Ok();
    }
  };

  // Runs `call` on both backends, each inside a read-only unit of work as the service runs it.
  template <typename Call>
  static std::pair<Outcome, Outcome> OnBoth(Call&& call) {
    auto run = [&](db::Connection& connection) {
      Outcome outcome;
      if (auto begun = connection.BeginWork({}); !begun) {
        outcome.code = begun.error().code;
        outcome.message = "BeginWork: " + begun.error().message;
        return outcome;
      }
      CallContext context{connection, {}, nullptr, {}};
      outcome = call(context);
      (void)connection.EndWork(outcome.ok);
      return outcome;
    };
    return {run(*state_->sqlite), run(*state_->pg)};
  }

  static Outcome RunTool(const ToolSpec& tool, const Json& arguments, CallContext& context) {
    Outcome outcome;
    auto output = tool.run(arguments, context);
    outcome.ok = output.has_value();
    if (output) {
      outcome.structured = std::move(output->structured);
      if (tool.name == "run_sql") outcome.structured.erase("elapsed_ms");  // wall time
    } else {
      outcome.code = output.error().code;
      outcome.message = output.error().message;
    }
    return outcome;
  }

  template <typename T>
  static Outcome FromResult(const Result<T>& result, Json value) {
    Outcome outcome;
    outcome.ok = result.has_value();
    if (result) {
      outcome.structured = std::move(value);
    } else {
      outcome.code = result.error().code;
      outcome.message = result.error().message;
    }
    return outcome;
  }

  // The first column of `sql` on the SQLite side, as JSON values.
  static std::vector<Json> Pick(std::string_view sql) {
    std::vector<Json> out;
    auto result = state_->sqlite->Query(sql);
    EXPECT_TRUE(result.has_value()) << sql << " -> " << result.error().ToString();
    if (!result) return out;
    for (const auto& row : result->rows) {
      if (const auto* integer = std::get_if<int64_t>(&row[0])) out.emplace_back(*integer);
      if (const auto* text = std::get_if<std::string>(&row[0])) out.emplace_back(*text);
    }
    return out;
  }
  static Json PickOne(std::string_view sql) {
    auto values = Pick(sql);
    EXPECT_FALSE(values.empty()) << "no row for " << sql;
    return values.empty() ? Json(nullptr) : values[0];
  }

  static State* state_;
  static std::string* setup_error_;
};

CrossBackendTest::State* CrossBackendTest::state_ = nullptr;
std::string* CrossBackendTest::setup_error_ = nullptr;

// Argument sets for every tool, from the generated data. A tool without any fails the test, so
// that a new tool cannot be left out.
std::map<std::string, std::vector<Json>> ToolCases(
    const std::function<Json(std::string_view)>& pick_one,
    const std::function<std::vector<Json>(std::string_view)>& pick) {
  const Json star = pick_one(
      "SELECT player_id FROM player_season_totals WHERE game_type = 'regular' AND season_id = "
      "2023 GROUP BY player_id ORDER BY SUM(pts) DESC, player_id LIMIT 1");
  const Json star_name =
      pick_one(fmt::format("SELECT full_name FROM players WHERE player_id = {}", star.dump()));
  const Json star_last =
      pick_one(fmt::format("SELECT last_name FROM players WHERE player_id = {}", star.dump()));
  const std::vector<Json> others = pick(
      "SELECT player_id FROM player_season_totals WHERE game_type = 'regular' AND season_id = "
      "2023 GROUP BY player_id ORDER BY SUM(reb) DESC, player_id LIMIT 3");
  // A player with two teams in one season (a trade), when the league has one.
  const std::vector<Json> trades = pick(
      "SELECT player_id, season_id FROM player_season_totals WHERE game_type = 'regular' "
      "GROUP BY player_id, season_id HAVING COUNT(*) > 1 ORDER BY player_id LIMIT 1");
  const Json traded = trades.empty() ? star : trades[0];
  const Json traded_season =
      trades.empty() ? Json(2023)
                     : pick_one(fmt::format("SELECT season_id FROM player_season_totals WHERE "
                                            "game_type = 'regular' AND player_id = {} GROUP BY "
                                            "season_id HAVING COUNT(*) > 1 ORDER BY season_id",
                                            traded.dump()));
  const Json playoff_player = pick_one(
      "SELECT player_id FROM player_season_totals WHERE game_type = 'playoffs' "
      "ORDER BY pts DESC, player_id LIMIT 1");
  const Json team = pick_one(
      fmt::format("SELECT t.abbreviation FROM player_game_stats p JOIN teams t USING (team_id) "
                  "WHERE p.player_id = {} ORDER BY p.game_id DESC LIMIT 1",
                  star.dump()));
  const Json rival = pick_one(fmt::format(
      "SELECT abbreviation FROM teams WHERE abbreviation <> '{}' ORDER BY team_id LIMIT 1",
      team.get<std::string>()));
  const Json playoff_team = pick_one(
      "SELECT team_id FROM games g JOIN teams t ON t.team_id = g.home_team_id "
      "WHERE game_type = 'playoffs' ORDER BY game_id LIMIT 1");
  const Json regular_game = pick_one(
      "SELECT game_id FROM games WHERE game_type = 'regular' AND season_id = 2023 "
      "ORDER BY game_id LIMIT 1 OFFSET 40");
  const Json overtime_game = pick_one(
      "SELECT game_id FROM games WHERE season_id = 2023 AND periods > 4 "
      "ORDER BY periods DESC, game_id LIMIT 1");
  const Json playoff_game = pick_one(
      "SELECT game_id FROM games WHERE game_type = 'playoffs' ORDER BY game_id DESC "
      "LIMIT 1");
  const Json old_game = pick_one(  // without play-by-play
      "SELECT game_id FROM games WHERE season_id = 2022 ORDER BY game_id LIMIT 1");
  const Json playin_game =
      pick_one("SELECT game_id FROM games WHERE game_type = 'playin' ORDER BY game_id LIMIT 1");
  const Json regular_home = pick_one(
      fmt::format("SELECT t.abbreviation FROM games g JOIN teams t ON t.team_id = g.home_team_id "
                  "WHERE g.game_id = '{}'",
                  regular_game.get<std::string>()));
  const Json date_from = pick_one(
      "SELECT game_date FROM games WHERE season_id = 2022 ORDER BY game_date LIMIT 1 OFFSET 100");
  const Json date_to = pick_one(
      "SELECT game_date FROM games WHERE season_id = 2022 ORDER BY game_date LIMIT 1 OFFSET 160");
  const std::string partial = star_last.get<std::string>().substr(0, 4);
  std::string misspelled = star_name.get<std::string>();
  if (misspelled.size() > 4) std::swap(misspelled[misspelled.size() - 2], misspelled.back());
  const Json unknown_player = "Zzyzx Qwertyuiop";
  const Json other = others.size() > 1 && others[0] == star ? others[1] : others[0];
  const Json third = others.back() == star ? others[1] : others.back();

  std::map<std::string, std::vector<Json>> cases;
  cases["search_players"] = {
      {{"query", star_last}},      {{"query", partial}, {"active_only", true}, {"limit", 5}},
      {{"query", misspelled}},     {{"query", "a"}, {"limit", 50}},
      {{"query", unknown_player}}, {{"query", ""}}};
  cases["get_player"] = {{{"player", star}},
                         {{"player", star_name}},
                         {{"player", playoff_player}, {"season_type", "playoffs"}},
                         {{"player", traded}},
                         {{"player", star_last}},
                         {{"player", unknown_player}},
                         {{"player", 1}}};
  cases["player_season_stats"] = {
      {{"player", star}},
      {{"player", star}, {"season", "2022-23"}, {"mode", "advanced"}},
      {{"player", traded}, {"season", traded_season}, {"mode", "all"}},
      {{"player", playoff_player}, {"season_type", "playoffs"}, {"mode", "per_36"}},
      {{"player", star}, {"season", 1990}},
      {{"player", unknown_player}}};
  cases["player_game_log"] = {
      {{"player", star}},
      {{"player", star}, {"season", 2022}, {"last_n", 5}, {"location", "home"}},
      {{"player", star}, {"season", 2023}, {"opponent", rival}, {"last_n", 82}},
      {{"player", playoff_player}, {"season_type", "playoffs"}, {"location", "away"}},
      {{"player", star}, {"season_type", "playin"}},
      {{"player", star}, {"opponent", "XYZ"}}};
  cases["compare_players"] = {
      {{"players", Json::array({star, other})}},
      {{"players", Json::array({star, other, third})}, {"season", "2022-23"}, {"mode", "per_36"}},
      {{"players", Json::array({star, other})}, {"mode", "totals"}, {"season_type", "playoffs"}},
      {{"players", Json::array({star, star})}},
      {{"players", Json::array({star, unknown_player})}}};
  cases["league_leaders"] = {Json::object()};
  for (const char* stat : {"rebounds", "assists", "fg_pct", "fg3_pct", "ft_pct", "ts_pct",
                           "efg_pct", "minutes", "plus_minus", "turnovers", "blocks"}) {
    cases["league_leaders"].push_back({{"stat", stat}, {"limit", 25}});
  }
  cases["league_leaders"].push_back(
      {{"stat", "points"}, {"season", "2022-23"}, {"mode", "totals"}, {"limit", 100}});
  cases["league_leaders"].push_back(
      {{"stat", "points"}, {"season_type", "playoffs"}, {"min_games", 0}});
  cases["league_leaders"].push_back({{"stat", "steals"}, {"season_type", "playin"}});
  cases["league_leaders"].push_back({{"season", 1990}});
  cases["standings"] = {Json::object(),
                        {{"season", 2022}, {"group", "league"}},
                        {{"group", "division"}, {"conference", "East"}},
                        {{"season", "2023-24"}, {"conference", "West"}},
                        {{"season", 1990}}};
  cases["team_season_stats"] = {{{"team", team}},
                                {{"team", "Boston"}, {"season", 2022}, {"mode", "totals"}},
                                {{"team", playoff_team}, {"season_type", "playoffs"}},
                                {{"team", "XYZ"}}};
  cases["team_roster"] = {{{"team", team}},
                          {{"team", rival}, {"season", 2022}, {"season_type", "regular"}},
                          {{"team", playoff_team}, {"season_type", "playoffs"}},
                          {{"team", team}, {"season", 1990}}};
  cases["schedule"] = {{{"team", team}},
                       {{"team", team}, {"season", 2022}, {"status", "final"}, {"limit", 10}},
                       {{"date_from", date_from}, {"date_to", date_to}},
                       {{"season", 2023}, {"game_type", "playoffs"}},
                       {{"team", rival}, {"date_from", date_from}},
                       {{"team", team}, {"date_from", date_to}, {"date_to", date_from}}};
  cases["head_to_head"] = {{{"team1", team}, {"team2", rival}},
                           {{"team1", rival}, {"team2", team}, {"season", 2022}},
                           {{"team1", team}, {"team2", rival}, {"season_type", "regular"}},
                           {{"team1", team}, {"team2", team}}};
  cases["get_game"] = {{{"game_id", regular_game}},
                       {{"game_id", overtime_game}},
                       {{"game_id", playoff_game}},
                       {{"game_id", playin_game}},
                       {{"game_id", std::stoll(regular_game.get<std::string>())}},
                       {{"game_id", "0029999999"}}};
  cases["box_score"] = {{{"game_id", regular_game}},
                        {{"game_id", overtime_game}, {"team", regular_home}},
                        {{"game_id", playoff_game}},
                        {{"game_id", regular_game}, {"team", regular_home}},
                        {{"game_id", regular_game}, {"team", "XYZ"}},
                        {{"game_id", "0029999999"}}};
  cases["play_by_play"] = {
      {{"game_id", regular_game}},
      {{"game_id", overtime_game}, {"period", 5}},
      {{"game_id", old_game}},
      {{"game_id", regular_game}, {"period", 2}, {"limit", 50}},
      {{"game_id", regular_game}, {"event_type", "made_shot"}, {"offset", 10}, {"limit", 20}},
      {{"game_id", playoff_game}, {"player", playoff_player}},
      {{"game_id", regular_game}, {"event_type", "foul"}},
      {{"game_id", "0029999999"}}};
  cases["describe_schema"] = {
      Json::object(), {{"table", "games"}}, {{"table", "standings"}}, {{"table", "nope"}}};
  cases["run_sql"] = {
      {{"sql",
        "SELECT abbreviation, full_name FROM teams WHERE conference = 'West' "
        "ORDER BY abbreviation"}},
      {{"sql",
        "SELECT COUNT(*) AS games, SUM(home_score) AS pts, MAX(attendance) AS most "
        "FROM games WHERE game_type = 'regular'"}},
      {{"sql",
        "SELECT t.abbreviation, s.wins, s.losses, s.win_pct, s.conference_games_behind "
        "FROM standings s JOIN teams t USING (team_id) "
        "ORDER BY s.season_id, s.win_pct DESC, t.abbreviation"}},
      // NULLs come first in a descending PostgreSQL order and last in SQLite's (players who
      // never played sum to NULL): portable SQL says where they go.
      {{"sql",
        "SELECT p.full_name, SUM(s.pts) AS pts FROM player_game_stats s "
        "JOIN players p USING (player_id) GROUP BY s.player_id, p.full_name "
        "ORDER BY pts DESC NULLS LAST, p.full_name LIMIT 10"}},
      {{"sql",
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) "
        "SELECT x, x * x AS square FROM n"}},
      {{"sql", "SELECT game_id, description FROM play_by_play ORDER BY game_id, event_num"},
       {"max_rows", 7}},
      {{"sql", "SELECT * FROM no_such_table"}},
      {{"sql", "DELETE FROM teams"}}};
  cases["get_cache_stats"] = {Json::object()};
  cases["invalidate_cache"] = {{{"all", true}}};
  cases["warm_cache"] = {Json::object()};
  // The query tools report on the server and its plans, which differ by engine; compared here
  // on their argument errors and on running without statistics (the context has none).
  cases["get_top_queries"] = {Json::object(), {{"limit", 0}}};
  cases["get_slow_queries"] = {Json::object(), {{"min_ms", "slow"}}};
  cases["analyze_query"] = {Json::object(), {{"sql", 5}}};
  cases["recommend_indexes"] = {Json::object(), {{"source", "queries"}}};
  return cases;
}

TEST_F(CrossBackendTest, EveryToolAnswersTheSameOnBothBackends) {
  const auto cases = ToolCases(PickOne, Pick);
  std::vector<std::string> differences;
  int compared = 0;
  std::map<std::string, int> successes;
  for (const ToolSpec& tool : NbaCatalog().tools) {
    auto found = cases.find(tool.name);
    if (found == cases.end()) {
      ADD_FAILURE() << "no argument sets for tool " << tool.name << "; add some to ToolCases";
      continue;
    }
    for (const Json& arguments : found->second) {
      auto [sqlite, pg] =
          OnBoth([&](CallContext& context) { return RunTool(tool, arguments, context); });
      ++compared;
      if (pg.ok) ++successes[tool.name];
      if (auto diff = Compare(sqlite, pg, tool.name == "run_sql"); !diff.empty()) {
        differences.push_back(fmt::format("{} {}: {}", tool.name, arguments.dump(), diff));
      }
    }
  }
  for (const auto& [name, unused] : cases) {
    EXPECT_NE(NbaCatalog().FindTool(name), nullptr) << "argument sets for unknown tool " << name;
  }
  EXPECT_GT(compared, 90);
  for (const std::string& difference : differences) ADD_FAILURE() << difference;
  // The argument sets exercise the data, not only the error paths (the cache tools need the
  // service's cache, and the query tools its statistics, absent here: they fail alike).
  for (const auto& [name, sets] : cases) {
    const bool query_tool = name == "get_top_queries" || name == "get_slow_queries" ||
                            name == "analyze_query" || name == "recommend_indexes";
    if (name.find("cache") == std::string::npos && !query_tool) {
      EXPECT_GE(successes[name], 2) << name;
    }
  }
}

// The query tools inside a read-only unit of work, as the service runs them: EXPLAIN and lint
// on both engines, and index advice verified by each engine's planner (hypopg on PostgreSQL).
TEST_F(CrossBackendTest, QueryToolsAnalyzeAndAdviseOnBothBackends) {
  ASSERT_OK(state_->server.Query("CREATE EXTENSION IF NOT EXISTS hypopg; SELECT 1"));
  const ToolSpec* analyze = NbaCatalog().FindTool("analyze_query");
  const ToolSpec* recommend = NbaCatalog().FindTool("recommend_indexes");
  ASSERT_NE(analyze, nullptr);
  ASSERT_NE(recommend, nullptr);
  const Json analyzed = {{"sql", "SELECT * FROM play_by_play WHERE description LIKE '%Jump%'"},
                         {"advise", false}};
  auto [sqlite, pg] =
      OnBoth([&](CallContext& context) { return RunTool(*analyze, analyzed, context); });
  for (const Outcome* outcome : {&sqlite, &pg}) {
    ASSERT_TRUE(outcome->ok) << outcome->message;
    std::set<std::string> rules;
    for (const Json& finding : outcome->structured["findings"]) {
      rules.insert(finding["rule"].get<std::string>());
      EXPECT_FALSE(finding["evidence"].get<std::string>().empty()) << finding.dump();
    }
    EXPECT_TRUE(rules.count("select_star") && rules.count("leading_wildcard_like") &&
                rules.count("full_scan"))
        << outcome->structured["findings"].dump();
  }
  EXPECT_EQ(sqlite.structured["plan"]["dialect"], "sqlite");
  EXPECT_EQ(pg.structured["plan"]["dialect"], "postgres");
  EXPECT_GT(pg.structured["plan"]["total_cost"].get<double>(), 0);
  // The same fingerprint whichever engine explained it.
  EXPECT_EQ(sqlite.structured["fingerprint"], pg.structured["fingerprint"]);

  const Json workload = {
      {"source", "queries"},
      {"queries", {"SELECT event_num FROM play_by_play WHERE player_id = 203999 AND period = 4"}}};
  auto [sqlite_advice, pg_advice] =
      OnBoth([&](CallContext& context) { return RunTool(*recommend, workload, context); });
  for (const Outcome* outcome : {&sqlite_advice, &pg_advice}) {
    ASSERT_TRUE(outcome->ok) << outcome->message;
    const Json& recommendations = outcome->structured["recommendations"];
    ASSERT_FALSE(recommendations.empty()) << outcome->structured.dump();
    EXPECT_EQ(recommendations[0]["table"], "play_by_play");
    EXPECT_EQ(recommendations[0]["columns"][0], "player_id") << recommendations.dump();
    EXPECT_TRUE(outcome->structured["applied"].empty());
  }
  EXPECT_EQ(sqlite_advice.structured["method"], "sqlite-what-if");
  EXPECT_EQ(pg_advice.structured["method"], "hypopg");
  // Nothing was created, and no hypothetical index outlives the call.
  auto left = state_->server.Query("SELECT count(*) FROM hypopg_list_indexes");
  ASSERT_OK(left);
  EXPECT_EQ(left->back(), "0");
}

TEST_F(CrossBackendTest, ResourcesReadTheSame) {
  const Json star = PickOne("SELECT player_id FROM players ORDER BY player_id LIMIT 1 OFFSET 20");
  const Json game = PickOne("SELECT game_id FROM games ORDER BY game_id LIMIT 1 OFFSET 5");
  const Catalog& catalog = NbaCatalog();
  for (const ResourceSpec& resource : catalog.resources) {
    auto [sqlite, pg] = OnBoth([&](CallContext& context) {
      auto text = resource.read(context);
      return FromResult(text, text ? Json(*text) : Json());
    });
    EXPECT_EQ(Compare(sqlite, pg), "") << resource.uri;
    EXPECT_TRUE(sqlite.ok) << resource.uri;
  }
  for (const ResourceTemplateSpec& resource : catalog.resource_templates) {
    for (const std::string& value :
         {star.dump(), game.get<std::string>(), std::string("999"), std::string("x")}) {
      auto [sqlite, pg] = OnBoth([&](CallContext& context) {
        auto text = resource.read(value, context);
        return FromResult(text, text ? Json::parse(*text, nullptr, false) : Json());
      });
      EXPECT_EQ(Compare(sqlite, pg), "") << resource.uri_template << " " << value;
    }
  }
}

TEST_F(CrossBackendTest, PromptsReadTheSame) {
  const std::string star = PickOne(
                               "SELECT p.full_name FROM players p JOIN player_season_totals s "
                               "USING (player_id) WHERE s.season_id = 2023 GROUP BY p.player_id, "
                               "p.full_name ORDER BY SUM(s.pts) DESC, p.player_id LIMIT 1")
                               .get<std::string>();
  const std::string game =
      PickOne("SELECT game_id FROM games ORDER BY game_id LIMIT 1 OFFSET 9").get<std::string>();
  const std::vector<std::map<std::string, std::string>> argument_sets = {
      {{"player", star}},
      {{"player", star}, {"season", "2022-23"}},
      {{"player", "Zzyzx Qwertyuiop"}},
      {{"team", "Celtics"}},
      {{"team", "LAL"}, {"season", "2022-23"}},
      {{"game_id", game}},
      {{"game_id", "0029999999"}},
      {{"player1", star}, {"player2", "1610612737"}},
      {{"player1", star}, {"player2", star}},
  };
  int successes = 0;
  for (const PromptSpec& prompt : NbaCatalog().prompts) {
    for (const auto& arguments : argument_sets) {
      bool applies = true;
      for (const auto& [key, value] : arguments) {
        bool known = false;
        for (const auto& argument : prompt.arguments) known = known || argument.name == key;
        applies = applies && known;
      }
      if (!applies) continue;
      auto [sqlite, pg] = OnBoth([&](CallContext& context) {
        auto output = prompt.get(arguments, context);
        Json messages = Json::array();
        if (output) {
          for (const auto& message : output->messages) {
            messages.push_back(Json::array({message.role, message.text}));
          }
        }
        return FromResult(
            output, {{"description", output ? output->description : ""}, {"messages", messages}});
      });
      successes += pg.ok ? 1 : 0;
      EXPECT_EQ(Compare(sqlite, pg), "") << prompt.name << " " << Json(arguments).dump();
    }
  }
  EXPECT_GE(successes, 4);
}

TEST_F(CrossBackendTest, CompletionsAreTheSame) {
  const std::vector<std::pair<ArgumentKind, std::string>> requests = {
      {ArgumentKind::kPlayer, "a"},     {ArgumentKind::kPlayer, "jo"},
      {ArgumentKind::kTeam, "bo"},      {ArgumentKind::kTeam, "l"},
      {ArgumentKind::kSeason, ""},      {ArgumentKind::kSeason, "202"},
      {ArgumentKind::kSeason, "2023-"}, {ArgumentKind::kGame, "0022"},
      {ArgumentKind::kGame, "00423"},   {ArgumentKind::kGame, "x"},
      {ArgumentKind::kText, "a"}};
  for (const auto& [kind, prefix] : requests) {
    auto [sqlite, pg] = OnBoth([&](CallContext& context) {
      auto completion = Complete(kind, prefix, 20, context);
      return FromResult(
          completion,
          completion ? Json{{"values", completion->values}, {"total", completion->total}} : Json());
    });
    EXPECT_EQ(Compare(sqlite, pg), "") << static_cast<int>(kind) << " " << prefix;
  }
}

}  // namespace
}  // namespace fastbreak::nba
