#include "nba/cache_keys.hpp"

#include <gtest/gtest.h>

#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

std::string Key(std::string_view tool, const char* arguments) {
  auto key = ToolCacheKey(tool, Json::parse(arguments));
  EXPECT_TRUE(key.has_value());
  return key.value_or("");
}

TEST(ToolCacheKey, KeyOrderWhitespaceAndNumberSpellingDoNotMatter) {
  EXPECT_EQ(Key("standings", R"({"season": 2023, "conference": "East"})"),
            Key("standings", R"({"conference":"East","season":2023.0})"));
  EXPECT_EQ(Key("standings", R"({"season": 2023})"), "call/standings/{\"season\":2023}");
  EXPECT_EQ(Key("x", R"({"a": {"z": 1, "b": [2.0, 3.5]}})"), R"(call/x/{"a":{"b":[2,3.5],"z":1}})");
}

TEST(ToolCacheKey, DifferentToolsOrArgumentsDiffer) {
  EXPECT_NE(Key("standings", R"({"season": 2023})"), Key("standings", R"({"season": 2024})"));
  EXPECT_NE(Key("standings", R"({"season": 2023})"), Key("schedule", R"({"season": 2023})"));
  EXPECT_NE(Key("a", R"({"s": "2023"})"), Key("a", R"({"s": 2023})"));
}

TEST(ToolCacheKey, RoundTripsToolAndArguments) {
  const std::string key = Key("league_leaders", R"({"stat": "points", "limit": 5})");
  EXPECT_EQ(ToolOfCacheKey(key), "league_leaders");
  auto arguments = ArgumentsOfCacheKey(key);
  ASSERT_OK(arguments);
  EXPECT_EQ(*arguments, Json::parse(R"({"stat": "points", "limit": 5})"));
  EXPECT_EQ(ToolOfCacheKey("idem/abc"), "");
  EXPECT_ERROR(ArgumentsOfCacheKey("idem/abc"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ArgumentsOfCacheKey("call/x/[1]"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ArgumentsOfCacheKey("call/x/{"), ErrorCode::kParseError);
}

TEST(ToolCacheKey, RefusesHugeArguments) {
  Json arguments = {{"sql", std::string(5000, 'x')}};
  EXPECT_ERROR(ToolCacheKey("run_sql", arguments), ErrorCode::kInvalidArgument);
}

TEST(ToolTableTags, FamiliesReadTheirTables) {
  const auto& game = ToolTableTags("play_by_play");
  EXPECT_NE(std::find(game.begin(), game.end(), "table:play_by_play"), game.end());
  const auto& player = ToolTableTags("player_season_stats");
  EXPECT_NE(std::find(player.begin(), player.end(), "table:player_game_stats"), player.end());
  EXPECT_EQ(std::find(player.begin(), player.end(), "table:play_by_play"), player.end());
  EXPECT_EQ(ToolTableTags("run_sql"), AllTableTags());
}

TEST(ExtractResultFacts, FindsEntitiesAndNewestSeason) {
  const Json result = Json::parse(R"({
    "season": 2022,
    "rows": [{"player_id": 2544, "team_id": 1610612747, "season": 2023},
             {"player_id": 201939, "game_id": 22300001, "season": 1850}],
    "home_team_id": 1610612738})");
  const auto facts = ExtractResultFacts(result);
  EXPECT_EQ(facts.newest_season, 2023);
  EXPECT_EQ(facts.tags, (std::vector<std::string>{"game:22300001", "player:201939", "player:2544",
                                                  "season:2022", "season:2023", "team:1610612738",
                                                  "team:1610612747"}));
}

TEST(ExtractResultFacts, CapsTagsButStillSeesSeasons) {
  Json rows = Json::array();
  for (int i = 0; i < 100; ++i) rows.push_back({{"player_id", i}});
  rows.push_back({{"season", 2024}});
  const auto facts = ExtractResultFacts({{"rows", rows}}, 10);
  EXPECT_EQ(facts.tags.size(), 10u);
  EXPECT_EQ(facts.newest_season, 2024);
  EXPECT_FALSE(ExtractResultFacts(Json::object()).newest_season.has_value());
}

}  // namespace
}  // namespace fastbreak::nba
