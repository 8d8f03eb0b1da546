#include <gtest/gtest.h>

#include "db/importers/import_test_util.hpp"

namespace fastbreak::db {
namespace {

constexpr char kHeader[] =
    "date,season,neutral,playoff,team1,team2,elo1_pre,elo2_pre,score1,score2\n";

class FiveThirtyEightTest : public testing_util::ImportTest {
 protected:
  std::string RealFile(const std::string& data_dir) {
    return data_dir + "/fivethirtyeight/nba_elo_2022-23.csv";
  }
};

TEST_F(FiveThirtyEightTest, ImportsEveryPlayedGameOf2022_23) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  auto report = Run(ImportFormat::kFiveThirtyEight, {RealFile(data_dir)});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("games").inserted, 1315);
  EXPECT_EQ(report->tables.at("games").skipped, 7);
  EXPECT_EQ(report->skip_reasons.at("unplayed game"), 7);
  EXPECT_EQ(report->files, 1);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE source = '538' AND status = 'final'"), 1315);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE periods IS NULL"), 1315);

  // 2022-10-18: Boston 126, Philadelphia 117 at Boston.
  EXPECT_EQ(Int("SELECT home_score FROM games WHERE game_date = '2022-10-18' AND home_team_id = "
                "1610612738 AND away_team_id = 1610612755"),
            126);
  EXPECT_EQ(Int("SELECT away_score FROM games WHERE game_date = '2022-10-18' AND home_team_id = "
                "1610612738"),
            117);
  EXPECT_EQ(Text("SELECT game_id FROM games WHERE game_date = '2022-10-18' AND home_team_id = "
                 "1610612738"),
            "5022203271");

  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE game_type = 'regular'"), 1230);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE game_type = 'playin'"), 6);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE game_type = 'playin' AND game_date = "
                "'2023-04-11' AND home_team_id = 1610612748 AND away_score = 116"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE game_type = 'playoffs'"), 79);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE playoff_round = 1"), 43);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE playoff_round = 2"), 25);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE playoff_round = 3"), 11);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE game_type = 'playoffs' AND playoff_round IS "
                "NULL"),
            0);
  // Boston - Miami, conference finals, went seven games.
  EXPECT_EQ(Int("SELECT series_game FROM games WHERE game_date = '2023-05-29'"), 7);
  EXPECT_EQ(Int("SELECT count(*) FROM games WHERE neutral_site = 1"), 2);

  EXPECT_EQ(Text("SELECT label FROM seasons WHERE season_id = 2022"), "2022-23");
  EXPECT_EQ(Text("SELECT start_date FROM seasons WHERE season_id = 2022"), "2022-10-18");
  EXPECT_EQ(Text("SELECT end_date FROM seasons WHERE season_id = 2022"), "2023-05-29");
  EXPECT_EQ(Int("SELECT count(*) FROM imports WHERE format = '538' AND inserted = 1316"), 1);
}

TEST_F(FiveThirtyEightTest, ReimportInsertsNothing) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  ASSERT_OK(Run(ImportFormat::kFiveThirtyEight, {RealFile(data_dir)}));
  const std::string before = Checksum("imports");
  auto again = Run(ImportFormat::kFiveThirtyEight, {RealFile(data_dir)});
  ASSERT_OK(again);
  EXPECT_EQ(again->Total().inserted, 0);
  EXPECT_EQ(again->Total().updated, 0);
  EXPECT_EQ(again->tables.at("games").skipped, 1315 + 7);
  EXPECT_EQ(Int("SELECT count(*) FROM games"), 1315);
  EXPECT_EQ(Int("SELECT count(*) FROM imports"), 2);
  EXPECT_EQ(Checksum("imports"), before) << "only the imports log may grow";
}

TEST_F(FiveThirtyEightTest, ChangedScoresCountAsUpdates) {
  const std::string v1 = WriteFile("v1.csv", std::string(kHeader) +
                                                 "2022-10-18,2023,0,,BOS,PHI,1,1,126,117\n"
                                                 "2022-10-18,2023,0,,GSW,LAL,1,1,123,109\n");
  const std::string v2 = WriteFile("v2.csv", std::string(kHeader) +
                                                 "2022-10-18,2023,0,,BOS,PHI,1,1,126,118\n"
                                                 "2022-10-18,2023,0,,GSW,LAL,1,1,123,109\n");
  ASSERT_OK(Run(ImportFormat::kFiveThirtyEight, {v1}));
  auto report = Run(ImportFormat::kFiveThirtyEight, {v2});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("games").inserted, 0);
  EXPECT_EQ(report->tables.at("games").updated, 1);
  EXPECT_EQ(report->tables.at("games").skipped, 1);
  EXPECT_EQ(Int("SELECT away_score FROM games WHERE home_team_id = 1610612738"), 118);
}

TEST_F(FiveThirtyEightTest, MapsHistoricalCodesAndSkipsDefunctFranchises) {
  const std::string file =
      WriteFile("old.csv", std::string(kHeader) +
                               "1947-11-01,1948,0,,PRO,BOS,1,1,80,90\n"   // Providence: defunct
                               "1985-11-01,1986,0,,KCK,SEA,1,1,100,99\n"  // Kings, Sonics
                               "1986-05-01,1986,0,f,BOS,HOU,1,1,117,95\n");
  auto report = Run(ImportFormat::kFiveThirtyEight, {file});
  ASSERT_OK(report);
  EXPECT_EQ(report->skip_reasons.at("defunct franchise"), 1);
  EXPECT_EQ(Int("SELECT home_team_id FROM games WHERE game_date = '1985-11-01'"), 1610612758);
  EXPECT_EQ(Int("SELECT away_team_id FROM games WHERE game_date = '1985-11-01'"), 1610612760);
  EXPECT_EQ(Int("SELECT season_id FROM games WHERE game_date = '1986-05-01'"), 1985);
  EXPECT_EQ(Int("SELECT playoff_round FROM games WHERE game_date = '1986-05-01'"), 4);
  EXPECT_EQ(Text("SELECT game_id FROM games WHERE game_date = '1986-05-01'").substr(0, 5), "59485");
}

TEST_F(FiveThirtyEightTest, RejectsARowWithTooFewFields) {
  const std::string file = WriteFile("short.csv", std::string(kHeader) +
                                                      "2022-10-18,2023,0,,BOS,PHI,1,1,126,117\n"
                                                      "2022-10-18,2023,0,,GSW\n");
  ExpectRejected(ImportFormat::kFiveThirtyEight, {file}, ErrorCode::kParseError,
                 {"short.csv: line 3", "expected 10 fields, found 5"});
}

TEST_F(FiveThirtyEightTest, RejectsAnUnknownTeamCode) {
  const std::string file =
      WriteFile("team.csv", std::string(kHeader) + "2022-10-18,2023,0,,BOS,XYZ,1,1,126,117\n");
  ExpectRejected(ImportFormat::kFiveThirtyEight, {file}, ErrorCode::kParseError,
                 {"team.csv: line 2", "unknown team code 'XYZ'"});
}

TEST_F(FiveThirtyEightTest, RejectsABadScoreAndLeavesEarlierImportsAlone) {
  const std::string good =
      WriteFile("good.csv", std::string(kHeader) + "2022-10-18,2023,0,,BOS,PHI,1,1,126,117\n");
  ASSERT_OK(Run(ImportFormat::kFiveThirtyEight, {good}));
  const std::string bad =
      WriteFile("bad.csv", std::string(kHeader) + "2022-10-19,2023,0,,DET,ORL,1,1,113,10x\n");
  // Both files in one run: the good one's rows must not be applied either.
  ExpectRejected(ImportFormat::kFiveThirtyEight, {good, bad}, ErrorCode::kParseError,
                 {"bad.csv: line 2", "invalid score"});
}

TEST_F(FiveThirtyEightTest, RejectsAFileWithoutTheGameColumns) {
  const std::string file = WriteFile("raptor.csv", "player_name,player_id,season\nX,y,2020\n");
  ExpectRejected(ImportFormat::kFiveThirtyEight, {file}, ErrorCode::kInvalidArgument,
                 {"raptor.csv: line 1", "missing column 'date'"});
}

}  // namespace
}  // namespace fastbreak::db
