// The nba_api importer on the real responses in ../shared/data/nba_api/responses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "db/importers/import_test_util.hpp"
#include "db/importers/parse_util.hpp"

namespace fastbreak::db {
namespace {

using nlohmann::json;

constexpr int64_t kBos = 1610612738;

class NbaApiSampleTest : public testing_util::ImportTest {
 protected:
  static std::string Sample(const std::string& data_dir, const std::string& name) {
    return data_dir + "/nba_api/responses/" + name;
  }
};

TEST_F(NbaApiSampleTest, PlayByPlayV3SampleGivesEveryActionAndTheFinalScore) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  auto report = Run(ImportFormat::kNbaApi, {Sample(data_dir, "playbyplayv3.json")});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("play_by_play").inserted, 475);
  EXPECT_EQ(Int("SELECT count(*) FROM play_by_play WHERE game_id = '0022400001'"), 475);
  // Boston (home) 116, Atlanta 117.
  EXPECT_EQ(Int("SELECT home_score FROM play_by_play ORDER BY event_num DESC LIMIT 1"), 116);
  EXPECT_EQ(Int("SELECT away_score FROM play_by_play ORDER BY event_num DESC LIMIT 1"), 117);
  EXPECT_EQ(Int("SELECT home_team_id FROM games WHERE game_id = '0022400001'"), kBos);
  EXPECT_EQ(Int("SELECT away_team_id FROM games WHERE game_id = '0022400001'"), 1610612737);
  EXPECT_EQ(Text("SELECT status FROM games WHERE game_id = '0022400001'"), "final");
  EXPECT_EQ(Int("SELECT home_score FROM games WHERE game_id = '0022400001'"), 116);
  EXPECT_EQ(Text("SELECT game_date FROM games WHERE game_id = '0022400001'"), kUnknownGameDate);
  EXPECT_EQ(Int("SELECT count(*) FROM play_by_play WHERE event_type = 12"), 4);
  EXPECT_EQ(Int("SELECT count(*) FROM play_by_play WHERE event_type = 13"), 4);
  EXPECT_EQ(Int("SELECT count(*) FROM play_by_play WHERE event_type = 1"), 88);
  EXPECT_EQ(Int("SELECT count(*) FROM play_by_play WHERE event_type = 0"), 30);
  EXPECT_EQ(Int("SELECT count(*) FROM play_by_play WHERE action IN ('Block', 'Steal')"), 30);
  // Scores never decrease and made shots carry their value.
  EXPECT_EQ(Int("SELECT count(*) FROM play_by_play a JOIN play_by_play b ON b.game_id = "
                "a.game_id AND b.event_num = a.event_num + 1 WHERE b.home_score < a.home_score "
                "OR b.away_score < a.away_score"),
            0);
  EXPECT_EQ(Int("SELECT count(*) FROM play_by_play WHERE event_type = 1 AND shot_value IS NULL"),
            0);
  EXPECT_EQ(Int("SELECT clock_ms FROM play_by_play WHERE event_num = 1"), 720000);
}

TEST_F(NbaApiSampleTest, BoxScoreTraditionalV3SampleGivesTeamAndPlayerLines) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  ASSERT_OK(Run(ImportFormat::kNbaApi, {Sample(data_dir, "boxscoretraditionalv3.json")}));
  const int64_t tor = 1610612761;
  const int64_t mil = 1610612749;
  EXPECT_EQ(Int("SELECT pts FROM team_game_stats WHERE team_id = 1610612761"), 128);
  EXPECT_EQ(Int("SELECT pts FROM team_game_stats WHERE team_id = 1610612749"), 100);
  EXPECT_EQ(Int("SELECT win FROM team_game_stats WHERE team_id = 1610612761"), 1);
  EXPECT_EQ(Int("SELECT seconds FROM team_game_stats WHERE team_id = 1610612761"), 14400);
  EXPECT_EQ(Int("SELECT count(*) FROM player_game_stats"), 29);
  EXPECT_EQ(Int("SELECT sum(pts) FROM player_game_stats WHERE team_id = 1610612761"), 128);
  EXPECT_EQ(Int("SELECT sum(pts) FROM player_game_stats WHERE team_id = 1610612749"), 100);
  EXPECT_EQ(Int("SELECT count(*) FROM player_game_stats WHERE starter = 1"), 10);
  EXPECT_EQ(Int("SELECT count(*) FROM player_game_stats WHERE dnp_reason IS NOT NULL"), 2);
  EXPECT_EQ(Int("SELECT seconds FROM player_game_stats WHERE player_id = 1627742"), 30 * 60 + 49);
  EXPECT_EQ(Int("SELECT home_team_id FROM games WHERE game_id = '0022500165'"), tor);
  EXPECT_EQ(Int("SELECT away_team_id FROM games WHERE game_id = '0022500165'"), mil);
  EXPECT_EQ(Int("SELECT home_score FROM games WHERE game_id = '0022500165'"), 128);
  EXPECT_EQ(Int("SELECT periods FROM games WHERE game_id = '0022500165'"), 4);
  EXPECT_EQ(Text("SELECT full_name FROM players WHERE player_id = 1627742"), "Brandon Ingram");
  EXPECT_EQ(Int("SELECT season_id FROM games WHERE game_id = '0022500165'"), 2025);
}

TEST_F(NbaApiSampleTest, ScoreboardV3SampleGivesElevenGamesWithLineScores) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  auto report = Run(ImportFormat::kNbaApi, {Sample(data_dir, "scoreboardv3.json")});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("games").inserted, 11);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE game_date = '2025-11-05' AND status = "
                "'final'"),
            11);
  EXPECT_EQ(Int("SELECT count(*) FROM game_periods"), 88);
  EXPECT_EQ(Int("SELECT home_score FROM games WHERE game_id = '0022500171'"), 132);
  EXPECT_EQ(Int("SELECT away_score FROM games WHERE game_id = '0022500171'"), 121);
  // Line scores add up to the final scores.
  EXPECT_EQ(Int("SELECT count(*) FROM games g WHERE home_score <> (SELECT sum(points) FROM "
                "game_periods p WHERE p.game_id = g.game_id AND p.team_id = g.home_team_id)"),
            0);
  EXPECT_EQ(Text("SELECT start_date FROM seasons WHERE season_id = 2025"), "2025-11-05");
}

TEST_F(NbaApiSampleTest, CommonAllPlayersSampleGivesEveryPlayer) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  auto report = Run(ImportFormat::kNbaApi, {Sample(data_dir, "commonallplayers.json")});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("players").inserted, 5103);
  EXPECT_EQ(Int("SELECT count(*) FROM players"), 5103);
  EXPECT_EQ(Int("SELECT count(*) FROM players WHERE is_active = 1"), 526);
  EXPECT_EQ(Text("SELECT last_name FROM players WHERE player_id = 76003"), "Abdul-Jabbar");
  EXPECT_EQ(Text("SELECT first_name FROM players WHERE player_id = 2544"), "LeBron");
  EXPECT_EQ(Int("SELECT from_year FROM players WHERE player_id = 2544"), 2003);
  EXPECT_EQ(Text("SELECT last_name FROM players WHERE player_id = 2403"), "Nene");
}

TEST_F(NbaApiSampleTest, ReimportingTheSamplesInsertsNothing) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  const std::vector<std::string> files = {
      Sample(data_dir, "playbyplayv3.json"), Sample(data_dir, "boxscoretraditionalv3.json"),
      Sample(data_dir, "scoreboardv3.json"), Sample(data_dir, "commonallplayers.json")};
  auto first = Run(ImportFormat::kNbaApi, files);
  ASSERT_OK(first);
  EXPECT_EQ(first->files, 4);
  const std::string before = Checksum("imports");
  auto second = Run(ImportFormat::kNbaApi, files);
  ASSERT_OK(second);
  EXPECT_EQ(second->Total().inserted, 0);
  EXPECT_EQ(second->Total().updated, 0);
  EXPECT_EQ(second->tables.at("play_by_play").skipped, 475);
  EXPECT_EQ(Checksum("imports"), before);
  EXPECT_EQ(Int("SELECT count(*) FROM imports"), 8);
}

TEST_F(NbaApiSampleTest, RejectsAStringPointsValueInTheV3SampleWithItsPath) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  auto text = detail::ReadFile(Sample(data_dir, "boxscoretraditionalv3.json"));
  ASSERT_OK(text);
  json doc = json::parse(*text);
  doc["boxScoreTraditional"]["homeTeam"]["players"][3]["statistics"]["points"] = "23";
  ExpectRejected(ImportFormat::kNbaApi, {WriteFile("boxscoretraditionalv3.json", doc.dump())},
                 ErrorCode::kParseError,
                 {"boxscoretraditionalv3.json: "
                  "$.boxScoreTraditional.homeTeam.players[3].statistics.points: expected a "
                  "number"});
}

}  // namespace
}  // namespace fastbreak::db
