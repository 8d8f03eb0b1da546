#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "nba/catalog.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

// Regular-season games played, for box-score sums: "SELECT SUM(pts)" + kRegular + " AND ...".
constexpr std::string_view kRegular =
    " FROM player_game_stats WHERE seconds > 0 AND game_id IN (SELECT game_id FROM games WHERE "
    "game_type = 'regular')";

class PlayerToolsTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = testing::OpenGeneratedLeague(); }

  Result<ToolOutput> Call(const std::string& tool, const Json& arguments) {
    const ToolSpec* spec = NbaCatalog().FindTool(tool);
    EXPECT_NE(spec, nullptr) << tool;
    if (spec == nullptr) return MakeError(ErrorCode::kInternal, "no tool");
    return testing::CallTool(*db_, tool, arguments);
  }

  int64_t Int(const std::string& sql) {
    auto value = db_->QueryScalar(sql);
    EXPECT_TRUE(value.has_value()) << sql;
    return value && std::holds_alternative<int64_t>(*value) ? std::get<int64_t>(*value) : 0;
  }

  // The player with the most points in the season, and his totals from the box scores.
  int64_t TopScorer() {
    return Int("SELECT player_id" + std::string(kRegular) +
               " GROUP BY player_id ORDER BY SUM(pts) DESC LIMIT 1");
  }

  std::unique_ptr<db::Connection> db_;
};

TEST_F(PlayerToolsTest, ToolsAreListedInOrderWithClosedSchemas) {
  const auto& tools = NbaCatalog().tools;
  const char* names[] = {"search_players",  "get_player",      "player_season_stats",
                         "player_game_log", "compare_players", "league_leaders"};
  ASSERT_GE(tools.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(tools[i].name, names[i]);
    EXPECT_EQ(tools[i].input_schema["additionalProperties"], false);
    EXPECT_EQ(tools[i].output_schema["type"], "object");
    EXPECT_FALSE(tools[i].description.empty());
  }
}

TEST_F(PlayerToolsTest, SearchPlayers) {
  const int64_t id = TopScorer();
  auto name =
      db_->QueryScalar("SELECT full_name FROM players WHERE player_id = " + std::to_string(id));
  ASSERT_OK(name);
  auto found = Call("search_players", {{"query", std::get<std::string>(*name)}, {"limit", 3}});
  ASSERT_OK(found);
  ASSERT_FALSE(found->structured["players"].empty());
  EXPECT_EQ(found->structured["players"][0]["player_id"], id);
  EXPECT_TRUE(found->structured["players"][0]["team"].is_string());
  EXPECT_ERROR(Call("search_players", {{"query", "x"}, {"limit", 0}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("search_players", {{"query", "x"}, {"limit", 51}}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("search_players", {{"query", 5}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("search_players", {{"query", "x"}, {"bogus", 1}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("search_players", Json::object()), ErrorCode::kInvalidArgument);
}

TEST_F(PlayerToolsTest, GetPlayerCareerMatchesBoxScores) {
  const int64_t id = TopScorer();
  auto player = Call("get_player", {{"player", id}});
  ASSERT_OK(player);
  const Json& s = player->structured;
  ASSERT_EQ(s["seasons"].size(), 1u);
  const std::string where = std::string(kRegular) + " AND player_id = " + std::to_string(id);
  const int64_t games = Int("SELECT COUNT(*)" + where);
  const int64_t points = Int("SELECT SUM(pts)" + where);
  EXPECT_EQ(s["seasons"][0]["season"], "2024-25");
  EXPECT_EQ(s["seasons"][0]["games"], games);
  EXPECT_NEAR(s["career"]["points_per_game"].get<double>(),
              static_cast<double>(points) / static_cast<double>(games), 0.051);
  EXPECT_ERROR(Call("get_player", {{"player", 1}}), ErrorCode::kNotFound);
  EXPECT_ERROR(Call("get_player", {{"player", true}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("get_player", {{"player", id}, {"season_type", "playin"}}),
               ErrorCode::kInvalidArgument);
}

TEST_F(PlayerToolsTest, SeasonStatsTotalsPerGameAndAdvanced) {
  const int64_t id = TopScorer();
  const std::string where = std::string(kRegular) + " AND player_id = " + std::to_string(id);
  auto stats = Call("player_season_stats", {{"player", id}, {"season", "2024-25"}});
  ASSERT_OK(stats);
  const Json& total = stats->structured["total"];
  const int64_t games = Int("SELECT COUNT(*)" + where);
  const int64_t points = Int("SELECT SUM(pts)" + where);
  EXPECT_EQ(total["games"], games);
  EXPECT_EQ(total["totals"]["points"], points);
  EXPECT_EQ(total["totals"]["fga"], Int("SELECT SUM(fga)" + where));
  EXPECT_NEAR(total["per_game"]["points"].get<double>(),
              static_cast<double>(points) / static_cast<double>(games), 0.051);
  const double fga = static_cast<double>(Int("SELECT SUM(fga)" + where));
  const double fta = static_cast<double>(Int("SELECT SUM(fta)" + where));
  EXPECT_NEAR(total["shooting"]["ts_pct"].get<double>(),
              static_cast<double>(points) / (2 * (fga + 0.44 * fta)), 0.0006);
  EXPECT_TRUE(total["advanced"]["usage_pct"].is_number());
  const double usage = total["advanced"]["usage_pct"].get<double>();
  EXPECT_GT(usage, 5);
  EXPECT_LT(usage, 50);

  auto per_game = Call("player_season_stats", {{"player", id}, {"mode", "per_game"}});
  ASSERT_OK(per_game);
  EXPECT_FALSE(per_game->structured["total"].contains("totals"));
  EXPECT_TRUE(per_game->structured["total"].contains("per_game"));

  auto missing = Call("player_season_stats", {{"player", id}, {"season", 2019}});
  EXPECT_ERROR(missing, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("2024-25"), std::string::npos) << missing.error().message;
  EXPECT_ERROR(Call("player_season_stats", {{"player", id}, {"mode", "weird"}}),
               ErrorCode::kInvalidArgument);
}

TEST_F(PlayerToolsTest, GameLogFiltersAndLimits) {
  const int64_t id = TopScorer();
  auto log = Call("player_game_log", {{"player", id}, {"last_n", 5}});
  ASSERT_OK(log);
  const Json& games = log->structured["games"];
  ASSERT_EQ(games.size(), 5u);
  EXPECT_GE(games[0]["date"].get<std::string>(), games[4]["date"].get<std::string>());
  auto home = Call("player_game_log", {{"player", id}, {"last_n", 82}, {"location", "home"}});
  ASSERT_OK(home);
  for (const auto& game : home->structured["games"]) EXPECT_EQ(game["home"], true);
  int64_t points = 0;
  auto all = Call("player_game_log", {{"player", id}, {"last_n", 82}});
  ASSERT_OK(all);
  for (const auto& game : all->structured["games"]) points += game["points"].get<int64_t>();
  const int64_t games_played =
      Int("SELECT COUNT(*) FROM player_game_stats p JOIN games g USING (game_id) WHERE "
          "g.game_type = 'regular' AND p.seconds > 0 AND p.player_id = " +
          std::to_string(id));
  if (games_played <= 82) {
    EXPECT_EQ(points, Int("SELECT SUM(p.pts) FROM player_game_stats p JOIN games g USING (game_id) "
                          "WHERE g.game_type = 'regular' AND p.player_id = " +
                          std::to_string(id)));
  }
  EXPECT_ERROR(Call("player_game_log", {{"player", id}, {"last_n", 83}}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("player_game_log", {{"player", id}, {"location", "road"}}),
               ErrorCode::kInvalidArgument);
}

TEST_F(PlayerToolsTest, ComparePlayersNamesTheLeaders) {
  const int64_t top = TopScorer();
  const int64_t other = Int("SELECT player_id" + std::string(kRegular) +
                            " GROUP BY player_id ORDER BY SUM(pts) DESC LIMIT 1 OFFSET 5");
  auto compare = Call("compare_players", {{"players", {top, other}}, {"mode", "totals"}});
  ASSERT_OK(compare);
  bool saw_points = false;
  for (const auto& leader : compare->structured["leaders"]) {
    if (leader["stat"] == "points") {
      saw_points = true;
      EXPECT_EQ(leader["player_ids"][0], top);
    }
  }
  EXPECT_TRUE(saw_points);
  EXPECT_ERROR(Call("compare_players", {{"players", {top}}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("compare_players", {{"players", {top, top}}}), ErrorCode::kInvalidArgument);
}

TEST_F(PlayerToolsTest, LeagueLeadersRankTheTopScorerFirst) {
  const int64_t top = TopScorer();
  auto totals = Call("league_leaders", {{"stat", "points"}, {"mode", "totals"}, {"limit", 5}});
  ASSERT_OK(totals);
  const Json& leaders = totals->structured["leaders"];
  ASSERT_EQ(leaders.size(), 5u);
  EXPECT_EQ(leaders[0]["player_id"], top);
  EXPECT_EQ(leaders[0]["rank"], 1);
  EXPECT_GE(leaders[0]["value"].get<double>(), leaders[4]["value"].get<double>());
  auto pct = Call("league_leaders", {{"stat", "fg3_pct"}, {"limit", 10}});
  ASSERT_OK(pct);
  for (const auto& row : pct->structured["leaders"]) {
    EXPECT_LE(row["value"].get<double>(), 1.0);
    EXPECT_GE(row["games"].get<int64_t>(), pct->structured["min_games"].get<int64_t>());
  }
  EXPECT_ERROR(Call("league_leaders", {{"stat", "dunks"}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("league_leaders", {{"stat", "points"}, {"limit", 101}}),
               ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fastbreak::nba
