#include <gtest/gtest.h>

#include <set>
#include <string>

#include "nba/catalog.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {

namespace {

class TeamToolsTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = testing::OpenGeneratedLeague(); }

  // Runs `tool` and checks the result against the tool's output schema.
  Result<ToolOutput> Call(std::string_view tool, const Json& arguments) {
    return testing::CallTool(*db_, tool, arguments);
  }

  int64_t Int(std::string_view sql, std::vector<db::Value> params = {}) {
    return testing::QueryInt(*db_, sql, std::move(params));
  }

  std::unique_ptr<db::Connection> db_;
};

constexpr int64_t kCeltics = 1610612738;

TEST_F(TeamToolsTest, ToolsAreListedInOrderWithClosedInputSchemas) {
  std::vector<std::string> names;
  for (const ToolSpec& tool : NbaCatalog().tools) {
    if (std::set<std::string>{"team_season_stats", "standings", "team_roster", "schedule",
                              "head_to_head"}
            .count(tool.name)) {
      names.push_back(tool.name);
      EXPECT_EQ(tool.input_schema["additionalProperties"], false) << tool.name;
      EXPECT_EQ(tool.output_schema["type"], "object") << tool.name;
      EXPECT_FALSE(tool.description.empty());
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"team_season_stats", "standings", "team_roster",
                                             "schedule", "head_to_head"}));
}

TEST_F(TeamToolsTest, StandingsRecordsEqualGameCounts) {
  auto result = Call("standings", {{"group", "league"}});
  ASSERT_OK(result);
  const Json& teams = result->structured["groups"][0]["teams"];
  ASSERT_EQ(teams.size(), 30u);
  for (const Json& team : teams) {
    const int64_t id = team["team_id"].get<int64_t>();
    const std::vector<db::Value> params = {id};
    const int64_t wins =
        Int("SELECT COUNT(*) FROM games WHERE season_id = 2024 AND game_type = 'regular' AND "
            "status = 'final' AND ((home_team_id = ?1 AND home_score > away_score) OR "
            "(away_team_id = ?1 AND away_score > home_score))",
            params);
    const int64_t games =
        Int("SELECT COUNT(*) FROM games WHERE season_id = 2024 AND game_type = 'regular' AND "
            "status = 'final' AND (home_team_id = ?1 OR away_team_id = ?1)",
            params);
    EXPECT_EQ(team["wins"].get<int64_t>(), wins) << team["abbreviation"];
    EXPECT_EQ(team["losses"].get<int64_t>(), games - wins) << team["abbreviation"];
    const std::string streak = team["streak"].get<std::string>();
    ASSERT_GE(streak.size(), 2u);
    EXPECT_TRUE(streak[0] == 'W' || streak[0] == 'L');
    const std::string last10 = team["last_10"].get<std::string>();
    const int l10_wins = std::stoi(last10.substr(0, last10.find('-')));
    const int l10_losses = std::stoi(last10.substr(last10.find('-') + 1));
    EXPECT_EQ(l10_wins + l10_losses, std::min<int64_t>(10, games));
  }
  EXPECT_EQ(teams[0]["rank"], 1);
  EXPECT_EQ(teams[0]["games_behind"], 0.0);
  for (size_t i = 1; i < teams.size(); ++i) {
    EXPECT_GE(teams[i - 1]["win_pct"].get<double>(), teams[i]["win_pct"].get<double>());
  }
}

TEST_F(TeamToolsTest, StandingsGroups) {
  auto conference = Call("standings", Json::object());
  ASSERT_OK(conference);
  ASSERT_EQ(conference->structured["groups"].size(), 2u);
  EXPECT_EQ(conference->structured["groups"][0]["teams"].size(), 15u);
  auto divisions = Call("standings", {{"group", "division"}, {"conference", "East"}});
  ASSERT_OK(divisions);
  ASSERT_EQ(divisions->structured["groups"].size(), 3u);
  for (const Json& group : divisions->structured["groups"]) {
    EXPECT_EQ(group["teams"].size(), 5u);
    for (const Json& team : group["teams"]) EXPECT_EQ(team["conference"], "East");
  }
  EXPECT_ERROR(Call("standings", {{"group", "galaxy"}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("standings", {{"seasn", 2024}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("standings", {{"season", "twenty"}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("standings", {{"season", 1990}}), ErrorCode::kNotFound);
}

TEST_F(TeamToolsTest, TeamSeasonStatsMatchesSql) {
  auto totals = Call("team_season_stats", {{"team", "Celtics"}, {"mode", "totals"}});
  ASSERT_OK(totals);
  const Json& s = totals->structured;
  EXPECT_EQ(s["team"]["team_id"], kCeltics);
  const std::vector<db::Value> params = {kCeltics};
  EXPECT_EQ(s["games"].get<int64_t>(),
            Int("SELECT COUNT(*) FROM team_game_stats t JOIN games g USING (game_id) WHERE "
                "t.team_id = ? AND g.season_id = 2024 AND g.game_type = 'regular'",
                params));
  EXPECT_EQ(s["wins"].get<int64_t>(),
            Int("SELECT SUM(t.win) FROM team_game_stats t JOIN games g USING (game_id) WHERE "
                "t.team_id = ? AND g.season_id = 2024 AND g.game_type = 'regular'",
                params));
  EXPECT_EQ(static_cast<int64_t>(s["stats"]["pts"].get<double>()),
            Int("SELECT SUM(t.pts) FROM team_game_stats t JOIN games g USING (game_id) WHERE "
                "t.team_id = ? AND g.season_id = 2024 AND g.game_type = 'regular'",
                params));
  EXPECT_EQ(s["points_for"], s["stats"]["pts"]);
  auto per_game = Call("team_season_stats", {{"team", "BOS"}, {"season", "2024-25"}});
  ASSERT_OK(per_game);
  const double ppg = per_game->structured["points_for"].get<double>();
  EXPECT_NEAR(ppg, s["points_for"].get<double>() / s["games"].get<double>(), 0.051);
  EXPECT_GT(per_game->structured["ratings"]["offensive_rating"].get<double>(), 80);
  EXPECT_ERROR(Call("team_season_stats", Json::object()), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("team_season_stats", {{"team", "Celitcs"}, {"mode", "avg"}}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("team_season_stats", {{"team", "Nowhere Nobodies"}}), ErrorCode::kNotFound);
  auto ambiguous = Call("team_season_stats", {{"team", "Los Angeles"}});
  EXPECT_ERROR(ambiguous, ErrorCode::kInvalidArgument);
  EXPECT_NE(ambiguous.error().message.find("LAL"), std::string::npos);
  EXPECT_NE(ambiguous.error().message.find("LAC"), std::string::npos);
}

TEST_F(TeamToolsTest, RosterMatchesPlayerGameStats) {
  auto result = Call("team_roster", {{"team", 1610612738}});
  ASSERT_OK(result);
  const Json& players = result->structured["players"];
  const std::vector<db::Value> params = {kCeltics};
  EXPECT_EQ(static_cast<int64_t>(players.size()),
            Int("SELECT COUNT(DISTINCT p.player_id) FROM player_game_stats p JOIN games g USING "
                "(game_id) WHERE p.team_id = ? AND g.season_id = 2024 AND p.seconds > 0",
                params));
  ASSERT_GT(players.size(), 8u);
  for (size_t i = 1; i < players.size(); ++i) {
    EXPECT_GE(
        players[i - 1]["minutes_per_game"].get<double>() * players[i - 1]["games"].get<double>() +
            1,
        players[i]["minutes_per_game"].get<double>() * players[i]["games"].get<double>());
  }
}

TEST_F(TeamToolsTest, ScheduleFiltersAndTruncates) {
  auto all = Call("schedule", {{"team", "BOS"}, {"game_type", "regular"}, {"limit", 500}});
  ASSERT_OK(all);
  EXPECT_EQ(all->structured["count"], 82);
  EXPECT_EQ(all->structured["truncated"], false);
  for (const Json& game : all->structured["games"]) {
    EXPECT_TRUE(game["home"] == "BOS" || game["away"] == "BOS");
    EXPECT_NE(game["opponent"], "BOS");
  }
  auto cut = Call("schedule", {{"team", "BOS"}, {"limit", 5}});
  ASSERT_OK(cut);
  EXPECT_EQ(cut->structured["count"], 5);
  EXPECT_EQ(cut->structured["truncated"], true);
  const std::string first_date = all->structured["games"][0]["date"].get<std::string>();
  auto day = Call("schedule", {{"date_from", first_date}, {"date_to", first_date}});
  ASSERT_OK(day);
  const std::vector<db::Value> params = {first_date};
  EXPECT_EQ(day->structured["count"].get<int64_t>(),
            Int("SELECT COUNT(*) FROM games WHERE game_date = ?", params));
  EXPECT_ERROR(Call("schedule", {{"date_from", "2024-13-01"}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("schedule", {{"limit", 0}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("schedule", {{"limit", "ten"}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("schedule", {{"status", "done"}}), ErrorCode::kInvalidArgument);
}

TEST_F(TeamToolsTest, HeadToHeadCountsMeetings) {
  auto result = Call("head_to_head", {{"team1", "Celtics"}, {"team2", "Knicks"}});
  ASSERT_OK(result);
  const Json& s = result->structured;
  const std::vector<db::Value> params = {kCeltics, int64_t{1610612752}};
  EXPECT_EQ(s["games"].get<int64_t>(),
            Int("SELECT COUNT(*) FROM games WHERE status = 'final' AND ((home_team_id = ?1 AND "
                "away_team_id = ?2) OR (home_team_id = ?2 AND away_team_id = ?1))",
                params));
  EXPECT_EQ(s["team1_wins"].get<int64_t>() + s["team2_wins"].get<int64_t>(),
            s["games"].get<int64_t>());
  EXPECT_GE(s["games"].get<int64_t>(), 3);
  EXPECT_ERROR(Call("head_to_head", {{"team1", "BOS"}, {"team2", "Boston"}}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("head_to_head", {{"team1", "BOS"}}), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fastbreak::nba
