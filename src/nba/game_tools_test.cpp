#include <gtest/gtest.h>

#include <string>

#include "nba/catalog.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {

namespace {

class GameToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenGeneratedLeague();
    auto id = db_->QueryScalar(
        "SELECT game_id FROM games WHERE status = 'final' AND game_type = 'regular' AND "
        "game_id IN (SELECT game_id FROM play_by_play) ORDER BY game_date, game_id LIMIT 1");
    ASSERT_TRUE(id.has_value()) << id.error().ToString();
    game_id_ = std::get<std::string>(*id);
  }

  Result<ToolOutput> Call(std::string_view tool, const Json& arguments) {
    return testing::CallTool(*db_, tool, arguments);
  }

  int64_t Int(std::string_view sql, std::vector<db::Value> params) {
    return testing::QueryInt(*db_, sql, std::move(params));
  }

  std::unique_ptr<db::Connection> db_;
  std::string game_id_;
};

TEST_F(GameToolsTest, GetGameSummaryAndLineScore) {
  auto result = Call("get_game", {{"game_id", game_id_}});
  ASSERT_OK(result);
  const Json& game = result->structured;
  EXPECT_EQ(game["game_id"], game_id_);
  EXPECT_EQ(game["season"], 2024);
  EXPECT_EQ(game["status"], "final");
  ASSERT_EQ(game["line_score"].size(), 2u);
  for (const Json& team : game["line_score"]) {
    const bool home = team["team_id"] == game["home"]["team_id"];
    EXPECT_EQ(team["total"], home ? game["home"]["score"] : game["away"]["score"]);
    EXPECT_EQ(team["periods"].size(), game["periods"].get<size_t>());
  }
  // An integer id is zero-padded.
  EXPECT_OK(Call("get_game", {{"game_id", std::stoll(game_id_)}}));
  auto missing = Call("get_game", {{"game_id", "0029999999"}});
  EXPECT_ERROR(missing, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("schedule"), std::string::npos);
  EXPECT_ERROR(Call("get_game", {{"game_id", "abc"}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("get_game", Json::object()), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("get_game", {{"game_id", game_id_}, {"extra", 1}}),
               ErrorCode::kInvalidArgument);
}

TEST_F(GameToolsTest, BoxScorePlayerPointsSumToTeamPoints) {
  auto result = Call("box_score", {{"game_id", game_id_}});
  ASSERT_OK(result);
  const Json& teams = result->structured["teams"];
  ASSERT_EQ(teams.size(), 2u);
  for (const Json& team : teams) {
    int64_t points = 0;
    for (const Json& player : team["players"]) {
      if (player["pts"].is_number_integer()) points += player["pts"].get<int64_t>();
    }
    EXPECT_EQ(points, team["totals"]["pts"].get<int64_t>());
    const Json& game = result->structured["game"];
    EXPECT_EQ(points, (team["is_home"] == true ? game["home"] : game["away"])["score"]);
    const std::vector<db::Value> params = {game_id_, team["team_id"].get<int64_t>()};
    EXPECT_EQ(
        static_cast<int64_t>(team["players"].size()),
        Int("SELECT COUNT(*) FROM player_game_stats WHERE game_id = ? AND team_id = ?", params));
  }
  const std::string home = teams[1]["abbreviation"].get<std::string>();
  auto one = Call("box_score", {{"game_id", game_id_}, {"team", home}});
  ASSERT_OK(one);
  ASSERT_EQ(one->structured["teams"].size(), 1u);
  EXPECT_EQ(one->structured["teams"][0]["abbreviation"], home);
  EXPECT_ERROR(Call("box_score", {{"game_id", 7.5}}), ErrorCode::kInvalidArgument);
}

TEST_F(GameToolsTest, PlayByPlayFiltersAndPages) {
  const std::vector<db::Value> params = {game_id_};
  const int64_t total = Int("SELECT COUNT(*) FROM play_by_play WHERE game_id = ?", params);
  ASSERT_GT(total, 200);
  auto first = Call("play_by_play", {{"game_id", game_id_}});
  ASSERT_OK(first);
  EXPECT_EQ(first->structured["count"], 200);
  EXPECT_EQ(first->structured["truncated"], true);
  EXPECT_EQ(first->structured["next_offset"], 200);
  auto rest = Call("play_by_play", {{"game_id", game_id_}, {"offset", 200}, {"limit", 1000}});
  ASSERT_OK(rest);
  EXPECT_EQ(rest->structured["count"].get<int64_t>(), total - 200);
  EXPECT_EQ(rest->structured["truncated"], false);
  EXPECT_TRUE(rest->structured["next_offset"].is_null());

  auto fourth = Call("play_by_play", {{"game_id", game_id_}, {"period", 4}, {"limit", 1000}});
  ASSERT_OK(fourth);
  EXPECT_EQ(fourth->structured["count"].get<int64_t>(),
            Int("SELECT COUNT(*) FROM play_by_play WHERE game_id = ? AND period = 4", params));
  for (const Json& event : fourth->structured["events"]) {
    EXPECT_EQ(event["period"], 4);
    EXPECT_EQ(event["clock"].get<std::string>().size(), 5u);
  }
  auto made =
      Call("play_by_play", {{"game_id", game_id_}, {"event_type", "made_shot"}, {"limit", 1000}});
  ASSERT_OK(made);
  EXPECT_EQ(made->structured["count"].get<int64_t>(),
            Int("SELECT COUNT(*) FROM play_by_play WHERE game_id = ? AND event_type = 1", params));
  for (const Json& event : made->structured["events"]) EXPECT_EQ(event["event_type"], "made_shot");

  EXPECT_ERROR(Call("play_by_play", {{"game_id", game_id_}, {"period", 11}}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("play_by_play", {{"game_id", game_id_}, {"limit", 1001}}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("play_by_play", {{"game_id", game_id_}, {"event_type", "dunk"}}),
               ErrorCode::kInvalidArgument);
}

TEST_F(GameToolsTest, PlayByPlayByPlayer) {
  const std::vector<db::Value> params = {game_id_};
  const int64_t player_id =
      Int("SELECT player_id FROM play_by_play WHERE game_id = ? AND event_type = 1 "
          "GROUP BY player_id ORDER BY COUNT(*) DESC LIMIT 1",
          params);
  auto result = Call(
      "play_by_play",
      {{"game_id", game_id_}, {"player", player_id}, {"event_type", "made_shot"}, {"limit", 1000}});
  if (!result && result.error().code == ErrorCode::kUnsupported) GTEST_SKIP();
  ASSERT_OK(result);
  ASSERT_GT(result->structured["count"].get<int64_t>(), 0);
  for (const Json& event : result->structured["events"]) {
    EXPECT_TRUE(event["player_id"] == player_id || event["player2_id"] == player_id);
  }
}

}  // namespace
}  // namespace fastbreak::nba
