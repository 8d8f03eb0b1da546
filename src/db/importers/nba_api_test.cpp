#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "db/importers/import_test_util.hpp"

namespace fastbreak::db {
namespace {

using nlohmann::json;

constexpr int64_t kBos = 1610612738;
constexpr int64_t kNyk = 1610612752;
constexpr int64_t kLal = 1610612747;
constexpr int64_t kLac = 1610612746;

json ResultSets(const std::string& resource, const std::string& name, const json& headers,
                const json& rows) {
  return {{"resource", resource},
          {"parameters", json::object()},
          {"resultSets", json::array({{{"name", name}, {"headers", headers}, {"rowSet", rows}}})}};
}

// LeagueGameLog, team rows: NYK 104 - BOS 108 at New York, and LAL 130 - LAC 125 (OT) with only
// the Lakers' row.
json LeagueGameLog() {
  const json headers = {"SEASON_ID",
                        "TEAM_ID",
                        "TEAM_ABBREVIATION",
                        "TEAM_NAME",
                        "GAME_ID",
                        "GAME_DATE",
                        "MATCHUP",
                        "WL",
                        "MIN",
                        "FGM",
                        "FGA",
                        "FG_PCT",
                        "FG3M",
                        "FG3A",
                        "FG3_PCT",
                        "FTM",
                        "FTA",
                        "FT_PCT",
                        "OREB",
                        "DREB",
                        "REB",
                        "AST",
                        "STL",
                        "BLK",
                        "TOV",
                        "PF",
                        "PTS",
                        "PLUS_MINUS",
                        "VIDEO_AVAILABLE"};
  const json rows = json::array({{"22023",
                                  kBos,
                                  "BOS",
                                  "Boston Celtics",
                                  "0022300061",
                                  "2023-10-25",
                                  "BOS @ NYK",
                                  "W",
                                  240,
                                  40,
                                  85,
                                  0.471,
                                  15,
                                  40,
                                  0.375,
                                  13,
                                  15,
                                  0.867,
                                  9,
                                  35,
                                  44,
                                  24,
                                  6,
                                  5,
                                  12,
                                  18,
                                  108,
                                  4,
                                  1},
                                 {"22023",
                                  kNyk,
                                  "NYK",
                                  "New York Knicks",
                                  "0022300061",
                                  "2023-10-25",
                                  "NYK vs. BOS",
                                  "L",
                                  240,
                                  38,
                                  90,
                                  0.422,
                                  10,
                                  35,
                                  0.286,
                                  18,
                                  22,
                                  0.818,
                                  14,
                                  30,
                                  44,
                                  20,
                                  7,
                                  3,
                                  11,
                                  17,
                                  104,
                                  -4,
                                  1},
                                 {"22023",
                                  kLal,
                                  "LAL",
                                  "Los Angeles Lakers",
                                  "0022300100",
                                  "2023-11-01",
                                  "LAL vs. LAC",
                                  "W",
                                  265,
                                  50,
                                  99,
                                  0.505,
                                  12,
                                  30,
                                  0.4,
                                  18,
                                  20,
                                  0.9,
                                  10,
                                  40,
                                  50,
                                  30,
                                  8,
                                  6,
                                  14,
                                  20,
                                  130,
                                  5,
                                  1}});
  return ResultSets("leaguegamelog", "LeagueGameLog", headers, rows);
}

json PlayerGameLog() {
  const json headers = {"SEASON_ID", "Player_ID",  "Game_ID",
                        "GAME_DATE", "MATCHUP",    "WL",
                        "MIN",       "FGM",        "FGA",
                        "FG_PCT",    "FG3M",       "FG3A",
                        "FG3_PCT",   "FTM",        "FTA",
                        "FT_PCT",    "OREB",       "DREB",
                        "REB",       "AST",        "STL",
                        "BLK",       "TOV",        "PF",
                        "PTS",       "PLUS_MINUS", "VIDEO_AVAILABLE"};
  const json rows = json::array({{"22023",
                                  1628369,
                                  "0022300075",
                                  "OCT 27, 2023",
                                  "BOS vs. MIA",
                                  "W",
                                  38,
                                  11,
                                  21,
                                  0.524,
                                  4,
                                  9,
                                  0.444,
                                  6,
                                  6,
                                  1.0,
                                  1,
                                  9,
                                  10,
                                  5,
                                  1,
                                  1,
                                  2,
                                  1,
                                  32,
                                  12,
                                  1},
                                 {"22023",
                                  1628369,
                                  "0022300061",
                                  "OCT 25, 2023",
                                  "BOS @ NYK",
                                  "W",
                                  36,
                                  10,
                                  20,
                                  0.5,
                                  3,
                                  8,
                                  0.375,
                                  1,
                                  2,
                                  0.5,
                                  2,
                                  8,
                                  10,
                                  4,
                                  1,
                                  0,
                                  3,
                                  2,
                                  24,
                                  6,
                                  1}});
  return ResultSets("playergamelog", "PlayerGameLog", headers, rows);
}

json BoxScoreV2() {
  const json player_headers = {"GAME_ID",
                               "TEAM_ID",
                               "TEAM_ABBREVIATION",
                               "TEAM_CITY",
                               "PLAYER_ID",
                               "PLAYER_NAME",
                               "NICKNAME",
                               "START_POSITION",
                               "COMMENT",
                               "MIN",
                               "FGM",
                               "FGA",
                               "FG_PCT",
                               "FG3M",
                               "FG3A",
                               "FG3_PCT",
                               "FTM",
                               "FTA",
                               "FT_PCT",
                               "OREB",
                               "DREB",
                               "REB",
                               "AST",
                               "STL",
                               "BLK",
                               "TO",
                               "PF",
                               "PTS",
                               "PLUS_MINUS"};
  const json players =
      json::array({{"0022300061",
                    kBos,
                    "BOS",
                    "Boston",
                    1628369,
                    "Jayson Tatum",
                    "Jayson",
                    "F",
                    "",
                    "34.000000:12",
                    10,
                    20,
                    0.5,
                    3,
                    8,
                    0.375,
                    1,
                    2,
                    0.5,
                    2,
                    8,
                    10,
                    4,
                    1,
                    0,
                    3,
                    2,
                    24,
                    6.0},
                   {"0022300061", kBos,    "BOS",
                    "Boston",     1629057, "Svi Mykhailiuk",
                    "Svi",        "",      "DNP - Coach's Decision                ",
                    nullptr,      nullptr, nullptr,
                    nullptr,      nullptr, nullptr,
                    nullptr,      nullptr, nullptr,
                    nullptr,      nullptr, nullptr,
                    nullptr,      nullptr, nullptr,
                    nullptr,      nullptr, nullptr,
                    nullptr,      nullptr},
                   {"0022300061",
                    kNyk,
                    "NYK",
                    "New York",
                    1628973,
                    "Jalen Brunson",
                    "Jalen",
                    "G",
                    "",
                    "36:05",
                    11,
                    25,
                    0.44,
                    2,
                    7,
                    0.286,
                    6,
                    7,
                    0.857,
                    0,
                    4,
                    4,
                    7,
                    1,
                    0,
                    2,
                    3,
                    30,
                    -2.0}});
  const json team_headers = {"GAME_ID",   "TEAM_ID", "TEAM_NAME", "TEAM_ABBREVIATION",
                             "TEAM_CITY", "MIN",     "FGM",       "FGA",
                             "FG_PCT",    "FG3M",    "FG3A",      "FG3_PCT",
                             "FTM",       "FTA",     "FT_PCT",    "OREB",
                             "DREB",      "REB",     "AST",       "STL",
                             "BLK",       "TO",      "PF",        "PTS",
                             "PLUS_MINUS"};
  const json teams =
      json::array({{"0022300061", kBos, "Celtics", "BOS", "Boston", "240:00", 40, 85, 0.471,
                    15,           40,   0.375,     13,    15,       0.867,    9,  35, 44,
                    24,           6,    5,         12,    18,       108,      4},
                   {"0022300061", kNyk, "Knicks", "NYK", "New York", "240:00", 38, 90, 0.422,
                    10,           35,   0.286,    18,    22,         0.818,    14, 30, 44,
                    20,           7,    3,        11,    17,         104,      -4}});
  json doc = ResultSets("boxscoretraditionalv2", "PlayerStats", player_headers, players);
  doc["resultSets"].push_back(
      {{"name", "TeamStats"}, {"headers", team_headers}, {"rowSet", teams}});
  return doc;
}

json PlayByPlayV2() {
  const json headers = {"GAME_ID",
                        "EVENTNUM",
                        "EVENTMSGTYPE",
                        "EVENTMSGACTIONTYPE",
                        "PERIOD",
                        "WCTIMESTRING",
                        "PCTIMESTRING",
                        "HOMEDESCRIPTION",
                        "NEUTRALDESCRIPTION",
                        "VISITORDESCRIPTION",
                        "SCORE",
                        "SCOREMARGIN",
                        "PERSON1TYPE",
                        "PLAYER1_ID",
                        "PLAYER1_NAME",
                        "PLAYER1_TEAM_ID",
                        "PLAYER1_TEAM_CITY",
                        "PLAYER1_TEAM_NICKNAME",
                        "PLAYER1_TEAM_ABBREVIATION",
                        "PERSON2TYPE",
                        "PLAYER2_ID",
                        "PLAYER2_NAME",
                        "PLAYER2_TEAM_ID",
                        "PLAYER2_TEAM_CITY",
                        "PLAYER2_TEAM_NICKNAME",
                        "PLAYER2_TEAM_ABBREVIATION",
                        "PERSON3TYPE",
                        "PLAYER3_ID",
                        "PLAYER3_NAME",
                        "PLAYER3_TEAM_ID",
                        "PLAYER3_TEAM_CITY",
                        "PLAYER3_TEAM_NICKNAME",
                        "PLAYER3_TEAM_ABBREVIATION",
                        "VIDEO_AVAILABLE_FLAG"};
  auto row = [](int eventnum, int type, int period, const char* clock, json home, json neutral,
                json visitor, json score, int64_t player1, json team1, int64_t player2) {
    return json::array({"0022300061", eventnum, type,    0,       period,  "7:41 PM", clock,
                        home,         neutral,  visitor, score,   nullptr, 4,         player1,
                        nullptr,      team1,    nullptr, nullptr, nullptr, 0,         player2,
                        nullptr,      nullptr,  nullptr, nullptr, nullptr, 0,         0,
                        nullptr,      nullptr,  nullptr, nullptr, nullptr, 1});
  };
  const json rows = json::array(
      {row(2, 12, 1, "12:00", nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0),
       row(4, 10, 1, "12:00", "Jump Ball Robinson vs. Porzingis: Tip to Brunson", nullptr, nullptr,
           nullptr, 1629011, kNyk, 1628369),
       row(7, 1, 1, "11:40", nullptr, nullptr, "Tatum 26' 3PT Jump Shot (3 PTS) (White 1 AST)",
           "3 - 0", 1628369, kBos, 1628401),
       row(8, 2, 1, "11:20", "MISS Brunson 15' Jump Shot", nullptr, "Porzingis BLOCK (1 BLK)",
           nullptr, 1628973, kNyk, 0),
       row(9, 4, 1, "11:18", nullptr, nullptr, "Celtics Rebound", nullptr, kBos, nullptr, 0),
       row(10, 3, 1, "11:02", "Brunson Free Throw 1 of 2 (1 PTS)", nullptr, nullptr, "3 - 1",
           1628973, kNyk, 0),
       row(11, 13, 1, "0:00", nullptr, "End of 1st Period", nullptr, nullptr, 0, nullptr, 0)});
  return ResultSets("playbyplayv2", "PlayByPlay", headers, rows);
}

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

  // A later box score fills in the player's name.
  ASSERT_OK(Run(ImportFormat::kNbaApi,
                {Write("box.json", BoxScoreV2()), Write("log.json", LeagueGameLog())}));
  EXPECT_EQ(Text("SELECT full_name FROM players WHERE player_id = 1628369"), "Jayson Tatum");
  EXPECT_EQ(Text("SELECT last_name FROM players WHERE player_id = 1628369"), "Tatum");
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
