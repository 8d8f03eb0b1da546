#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "db/importers/import_test_util.hpp"
#include "db/importers/nba_api_test_data.hpp"

namespace fastbreak::db {
namespace {

using nlohmann::json;
using testing_util::BoxScoreV2;
using testing_util::kBos;
using testing_util::kLac;
using testing_util::kLal;
using testing_util::kNyk;
using testing_util::LeagueGameLog;
using testing_util::PlayByPlayV2;
using testing_util::PlayerGameLog;
using testing_util::ResultSets;

class NbaApiTest : public testing_util::ImportTest {
 protected:
  std::string Write(const std::string& name, const json& doc) {
    return WriteFile(name, doc.dump(2));
  }
};

TEST_F(NbaApiTest, LeagueGameLogGivesGamesAndTeamLines) {
  auto report = Run(ImportFormat::kNbaApi, {Write("leaguegamelog.json", LeagueGameLog())});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("games").inserted, 2);
  EXPECT_EQ(report->tables.at("team_game_stats").inserted, 3);
  EXPECT_EQ(Int("SELECT home_team_id FROM games WHERE game_id = '0022300061'"), kNyk);
  EXPECT_EQ(Int("SELECT home_score FROM games WHERE game_id = '0022300061'"), 104);
  EXPECT_EQ(Int("SELECT away_score FROM games WHERE game_id = '0022300061'"), 108);
  EXPECT_EQ(Text("SELECT game_date FROM games WHERE game_id = '0022300061'"), "2023-10-25");
  EXPECT_EQ(Int("SELECT win FROM team_game_stats WHERE team_id = 1610612738"), 1);
  EXPECT_EQ(Int("SELECT opponent_id FROM team_game_stats WHERE team_id = 1610612738"), kNyk);
  EXPECT_EQ(Int("SELECT is_home FROM team_game_stats WHERE team_id = 1610612752"), 1);
  // One row only: the Clippers' score comes from the Lakers' plus-minus; 265 minutes = 1 OT.
  EXPECT_EQ(Int("SELECT away_score FROM games WHERE game_id = '0022300100'"), 125);
  EXPECT_EQ(Int("SELECT away_team_id FROM games WHERE game_id = '0022300100'"), kLac);
  EXPECT_EQ(Int("SELECT periods FROM games WHERE game_id = '0022300100'"), 5);
  EXPECT_EQ(Int("SELECT seconds FROM team_game_stats WHERE team_id = 1610612747"), 265 * 60);
}

TEST_F(NbaApiTest, PlayerGameLogCreatesPlaceholderPlayersAndGames) {
  auto report = Run(ImportFormat::kNbaApi, {Write("playergamelog.json", PlayerGameLog())});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("player_game_stats").inserted, 2);
  EXPECT_EQ(Text("SELECT full_name FROM players WHERE player_id = 1628369"), "Player 1628369");
  EXPECT_EQ(Int("SELECT pts FROM player_game_stats WHERE game_id = '0022300075'"), 32);
  EXPECT_EQ(Int("SELECT seconds FROM player_game_stats WHERE game_id = '0022300075'"), 38 * 60);
  EXPECT_EQ(Int("SELECT team_id FROM player_game_stats WHERE game_id = '0022300061'"), kBos);
  EXPECT_EQ(Text("SELECT game_date FROM games WHERE game_id = '0022300075'"), "2023-10-27");
  EXPECT_EQ(Int("SELECT away_team_id FROM games WHERE game_id = '0022300075'"), 1610612748);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE home_score IS NULL"), 2);
  // Without scores the games are not final (standings must not count them).
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE status = 'scheduled'"), 2);

  // A later box score fills in the player's name; the game log the scores.
  ASSERT_OK(Run(ImportFormat::kNbaApi,
                {Write("box.json", BoxScoreV2()), Write("log.json", LeagueGameLog())}));
  EXPECT_EQ(Text("SELECT full_name FROM players WHERE player_id = 1628369"), "Jayson Tatum");
  EXPECT_EQ(Text("SELECT last_name FROM players WHERE player_id = 1628369"), "Tatum");
  EXPECT_EQ(Text("SELECT status FROM games WHERE game_id = '0022300061'"), "final");
  EXPECT_EQ(Text("SELECT status FROM games WHERE game_id = '0022300075'"), "scheduled");
}

TEST_F(NbaApiTest, APlayerGameLogLeavesFinalGamesFinal) {
  ASSERT_OK(Run(ImportFormat::kNbaApi, {Write("log.json", LeagueGameLog())}));
  auto report = Run(ImportFormat::kNbaApi, {Write("playergamelog.json", PlayerGameLog())});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("games").inserted, 1);  // 0022300075
  EXPECT_EQ(report->tables.at("games").updated, 0);
  EXPECT_EQ(report->tables.at("games").skipped, 1);
  EXPECT_EQ(Text("SELECT status FROM games WHERE game_id = '0022300061'"), "final");
  EXPECT_EQ(Int("SELECT home_score FROM games WHERE game_id = '0022300061'"), 104);
}

TEST_F(NbaApiTest, DerivesNoOpponentScoreFromAbsurdPointsInsteadOfOverflowing) {
  json doc = LeagueGameLog();
  doc["resultSets"][0]["rowSet"][2][26] = INT64_MAX;  // the Lakers' lone row: PTS
  doc["resultSets"][0]["rowSet"][2][27] = -1;         // PLUS_MINUS
  ASSERT_OK(Run(ImportFormat::kNbaApi, {Write("log.json", doc)}));
  EXPECT_EQ(Int("SELECT away_score IS NULL FROM games WHERE game_id = '0022300100'"), 1);
  EXPECT_EQ(Text("SELECT status FROM games WHERE game_id = '0022300100'"), "scheduled");
}

TEST_F(NbaApiTest, RejectsAnIntegerBeyondSixtyFourBits) {
  json doc = LeagueGameLog();
  doc["resultSets"][0]["rowSet"][1][26] = UINT64_MAX;  // PTS
  ExpectRejected(ImportFormat::kNbaApi, {Write("log.json", doc)}, ErrorCode::kParseError,
                 {"log.json: $.resultSets[0].rowSet[1][26] (PTS): number 18446744073709551615 is "
                  "out of range"});
}

TEST_F(NbaApiTest, RejectsAbsurdMinutesInsteadOfOverflowing) {
  json doc = LeagueGameLog();
  doc["resultSets"][0]["rowSet"][2][8] = 1e300;  // MIN
  ExpectRejected(ImportFormat::kNbaApi, {Write("log.json", doc)}, ErrorCode::kParseError,
                 {"log.json: $.resultSets[0].rowSet[2][8] (MIN): invalid minutes"});
}

TEST_F(NbaApiTest, BoxScoreTraditionalV2UsesTheGameLogOfTheSameRun) {
  // The box score comes first on the command line; the game log is imported first anyway.
  auto report = Run(ImportFormat::kNbaApi,
                    {Write("box.json", BoxScoreV2()), Write("log.json", LeagueGameLog())});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("player_game_stats").inserted, 3);
  EXPECT_EQ(Int("SELECT seconds FROM player_game_stats WHERE player_id = 1628369"), 34 * 60 + 12);
  EXPECT_EQ(Int("SELECT starter FROM player_game_stats WHERE player_id = 1628369"), 1);
  EXPECT_EQ(Int("SELECT plus_minus FROM player_game_stats WHERE player_id = 1628369"), 6);
  EXPECT_EQ(Text("SELECT dnp_reason FROM player_game_stats WHERE player_id = 1629057"),
            "DNP - Coach's Decision                ");
  EXPECT_EQ(Int("SELECT seconds FROM player_game_stats WHERE player_id = 1629057"), 0);
  EXPECT_EQ(Int("SELECT pts IS NULL FROM player_game_stats WHERE player_id = 1629057"), 1);
  EXPECT_EQ(Int("SELECT is_home FROM team_game_stats WHERE team_id = 1610612752 AND game_id = "
                "'0022300061'"),
            1);
  // The box score's team lines equal the game log's: skipped, not updated.
  EXPECT_EQ(report->tables.at("team_game_stats").updated, 0);
  EXPECT_EQ(report->tables.at("team_game_stats").skipped, 2);
}

TEST_F(NbaApiTest, BoxScoreTraditionalV2NeedsItsGame) {
  ExpectRejected(ImportFormat::kNbaApi, {Write("box.json", BoxScoreV2())}, ErrorCode::kParseError,
                 {"box.json: $.resultSets[1].rowSet[0][0] (GAME_ID)", "not in the database"});
}

TEST_F(NbaApiTest, PlayByPlayV2CarriesTheScoreAndFindsTheTeams) {
  auto report = Run(ImportFormat::kNbaApi, {Write("pbp.json", PlayByPlayV2())});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("play_by_play").inserted, 7);
  EXPECT_EQ(Int("SELECT home_team_id FROM games WHERE game_id = '0022300061'"), kNyk);
  EXPECT_EQ(Int("SELECT away_team_id FROM games WHERE game_id = '0022300061'"), kBos);
  EXPECT_EQ(Text("SELECT status FROM games WHERE game_id = '0022300061'"), "scheduled");
  EXPECT_EQ(Int("SELECT away_score FROM play_by_play WHERE event_num = 7"), 3);
  EXPECT_EQ(Int("SELECT shot_value FROM play_by_play WHERE event_num = 7"), 3);
  EXPECT_EQ(Int("SELECT shot_distance FROM play_by_play WHERE event_num = 7"), 26);
  EXPECT_EQ(Int("SELECT player2_id FROM play_by_play WHERE event_num = 7"), 1628401);
  EXPECT_EQ(Int("SELECT clock_ms FROM play_by_play WHERE event_num = 7"), 700000);
  EXPECT_EQ(Int("SELECT away_score FROM play_by_play WHERE event_num = 8"), 3);
  EXPECT_EQ(Int("SELECT shot_made FROM play_by_play WHERE event_num = 8"), 0);
  EXPECT_EQ(Text("SELECT description FROM play_by_play WHERE event_num = 8"),
            "MISS Brunson 15' Jump Shot | Porzingis BLOCK (1 BLK)");
  EXPECT_EQ(Int("SELECT team_id FROM play_by_play WHERE event_num = 9"), kBos);
  EXPECT_EQ(Int("SELECT player_id IS NULL FROM play_by_play WHERE event_num = 9"), 1);
  EXPECT_EQ(Int("SELECT shot_made FROM play_by_play WHERE event_num = 10"), 1);
  EXPECT_EQ(Int("SELECT home_score FROM play_by_play WHERE event_num = 11"), 1);
}

TEST_F(NbaApiTest, RejectsTruncatedJson) {
  const std::string text = LeagueGameLog().dump(2);
  const std::string file = WriteFile("cut.json", text.substr(0, text.size() / 2));
  ExpectRejected(ImportFormat::kNbaApi, {file}, ErrorCode::kParseError,
                 {"cut.json: line ", "column", "invalid JSON"});
}

TEST_F(NbaApiTest, RejectsAStringWhereANumberIsRequired) {
  json doc = LeagueGameLog();
  doc["resultSets"][0]["rowSet"][1][26] = "104";
  ExpectRejected(ImportFormat::kNbaApi,
                 {Write("good.json", PlayerGameLog()), Write("log.json", doc)},
                 ErrorCode::kParseError,
                 {"log.json: $.resultSets[0].rowSet[1][26] (PTS): expected a number, got string"});
}

TEST_F(NbaApiTest, RejectsDataThatBreaksTheSchemaChecksWithItsPath) {
  json doc = LeagueGameLog();
  doc["resultSets"][0]["rowSet"][0][9] = 100;  // FGM above FGA
  ExpectRejected(ImportFormat::kNbaApi, {Write("log.json", doc)}, ErrorCode::kConstraint,
                 {"log.json: $.resultSets[0].rowSet[0]: ", "CHECK constraint failed"});
}

TEST_F(NbaApiTest, RejectsAnUnsupportedEndpoint) {
  const json doc = ResultSets("teamdetails", "TeamBackground", {"TEAM_ID"}, {{kBos}});
  ExpectRejected(ImportFormat::kNbaApi, {Write("team.json", doc)}, ErrorCode::kUnsupported,
                 {"team.json", "not a supported NBA stats API response", "TeamBackground"});
}

TEST_F(NbaApiTest, RejectsARowOfTheWrongLength) {
  json doc = LeagueGameLog();
  doc["resultSets"][0]["rowSet"][2].erase(5);
  ExpectRejected(ImportFormat::kNbaApi, {Write("log.json", doc)}, ErrorCode::kParseError,
                 {"log.json: $.resultSets[0].rowSet[2]: row has 28 values but there are 29"});
}

}  // namespace
}  // namespace fastbreak::db
