#include <gtest/gtest.h>

#include "db/importers/import_test_util.hpp"
#include "db/importers/kaggle_test_file.hpp"

namespace fastbreak::db {
namespace {

using testing_util::GameColumns;
using testing_util::KaggleFile;
using testing_util::kPlayerColumns;
using testing_util::kPlayerInfoColumns;
using testing_util::kTeamColumns;
using testing_util::LineScoreColumns;
using testing_util::PlayByPlayColumns;

constexpr char kBos[] = "1610612738";
constexpr char kPhi[] = "1610612755";
constexpr char kMil[] = "1610612749";
constexpr char kMia[] = "1610612748";

class KaggleTest : public testing_util::ImportTest {
 protected:
  // Two NBA games (one in overtime), one All-Star game, a duplicated row, line scores, plays.
  std::string Build(const std::string& name) {
    const std::string path = dir_.File(name);
    KaggleFile file(path);
    file.Table("game", GameColumns());
    file.Table("line_score", LineScoreColumns());
    file.Table("play_by_play", PlayByPlayColumns());
    file.Table("player", kPlayerColumns);
    file.Table("team", kTeamColumns);
    file.Table("common_player_info", kPlayerInfoColumns);
    file.Game("0022200001", "2022-10-18", kBos, kPhi, 126, 117, 240, "Regular Season");
    file.Game("0042200101", "2023-04-16", kMil, kMia, 130, 131, 265, "Playoffs");
    file.Game("0032200001", "2023-02-19", "1610616833", "1610616834", 184, 175, 240, "All Star");
    file.Game("0022200001", "2022-10-18", kBos, kPhi, 126, 117, 240, "Regular Season");
    file.LineScore("0022200001", kBos, kPhi, {35, 31, 30, 30}, {24, 36, 29, 28});
    file.LineScore("0042200101", kMil, kMia, {30, 30, 30, 28, 12}, {28, 29, 31, 30, 13});
    file.LineScore("0032200001", "1610616833", "1610616834", {50, 40, 50, 44}, {45, 45, 40, 45});
    file.Play("0022200001", 2, 12, 1, "12:00", "", "", "", "0", "");
    file.Play("0022200001", 4, 1, 1, "11:35", "Tatum 26' 3PT Jump Shot (3 PTS)", "", "0 - 3",
              "1628369", kBos);
    file.Play("0022200001", 5, 2, 1, "11:10", "", "MISS Embiid 5' Hook Shot", "", "203954", kPhi);
    file.Play("0022200001", 6, 4, 1, "11:08", "Celtics Rebound", "", "", kBos, "");
    file.Play("0022200001", 7, 3, 1, "10:50", "", "Embiid Free Throw 1 of 2 (1 PTS)", "1 - 3",
              "203954", kPhi);
    file.Play("0032200001", 2, 12, 1, "12:00", "", "", "", "0", "");
    file.Play("0032200001", 3, 1, 1, "11:40", "Dunk", "", "0 - 2", "2544", "1610616833");
    file.Insert("player", {{"id", "'1628369'"},
                           {"full_name", "'Jayson Tatum'"},
                           {"first_name", "'Jayson'"},
                           {"last_name", "'Tatum'"},
                           {"is_active", "1"}});
    file.Insert("player", {{"id", "'203954'"},
                           {"full_name", "'Joel Embiid'"},
                           {"first_name", "'Joel'"},
                           {"last_name", "'Embiid'"},
                           {"is_active", "1"}});
    file.Insert("player", {{"id", "'76003'"},
                           {"full_name", "'Kareem Abdul-Jabbar'"},
                           {"first_name", "'Kareem'"},
                           {"last_name", "'Abdul-Jabbar'"},
                           {"is_active", "0"}});
    file.Insert(
        "team",
        {{"id", "'1610612738'"}, {"full_name", "'Boston Celtics'"}, {"abbreviation", "'BOS'"}});
    file.Insert("common_player_info", {{"person_id", "'1628369'"},
                                       {"first_name", "'Jayson'"},
                                       {"last_name", "'Tatum'"},
                                       {"display_first_last", "'Jayson Tatum'"},
                                       {"birthdate", "'1998-03-03 00:00:00'"},
                                       {"height", "'6-8'"},
                                       {"weight", "'210'"},
                                       {"position", "'Forward-Guard'"},
                                       {"country", "'USA'"},
                                       {"draft_year", "'2017'"},
                                       {"draft_round", "'1'"},
                                       {"draft_number", "'3'"},
                                       {"from_year", "2017.0"},
                                       {"to_year", "2022.0"},
                                       {"rosterstatus", "'Active'"}});
    file.Insert("common_player_info", {{"person_id", "'1629001'"},
                                       {"first_name", "'Undrafted'"},
                                       {"last_name", "'Guy'"},
                                       {"display_first_last", "'Undrafted Guy'"},
                                       {"birthdate", "''"},
                                       {"height", "''"},
                                       {"weight", "''"},
                                       {"position", "'Center'"},
                                       {"draft_year", "'Undrafted'"},
                                       {"draft_round", "'Undrafted'"},
                                       {"draft_number", "'Undrafted'"},
                                       {"rosterstatus", "'Inactive'"}});
    return path;
  }
};

TEST_F(KaggleTest, ImportsGamesLineScoresPlaysAndPlayers) {
  const std::string path = Build("nba.sqlite");
  std::vector<std::pair<int64_t, int64_t>> progress;
  auto report = Import(
      *connection_, ImportFormat::kKaggle, {path},
      {.on_progress = [&](int64_t done, int64_t total) { progress.emplace_back(done, total); }});
  ASSERT_OK(report);
  const auto& t = report->tables;
  EXPECT_EQ(t.at("games").inserted, 2);
  EXPECT_EQ(t.at("games").skipped, 2);  // the All-Star game and the duplicated row
  EXPECT_EQ(t.at("team_game_stats").inserted, 4);
  EXPECT_EQ(t.at("game_periods").inserted, 8 + 10);
  EXPECT_EQ(t.at("game_periods").skipped, 1);
  EXPECT_EQ(t.at("play_by_play").inserted, 5);
  EXPECT_EQ(t.at("play_by_play").skipped, 2);
  EXPECT_EQ(t.at("players").inserted, 4);
  EXPECT_EQ(t.at("players").updated, 1);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().first, 4 + 3 + 7 + 3 + 2);

  EXPECT_EQ(Int("SELECT home_score FROM games WHERE game_id = '0022200001'"), 126);
  EXPECT_EQ(Text("SELECT game_date FROM games WHERE game_id = '0022200001'"), "2022-10-18");
  EXPECT_EQ(Text("SELECT source FROM games WHERE game_id = '0022200001'"), "kaggle");
  EXPECT_EQ(Int("SELECT periods FROM games WHERE game_id = '0042200101'"), 5);
  EXPECT_EQ(Int("SELECT playoff_round FROM games WHERE game_id = '0042200101'"), 1);
  EXPECT_EQ(Int("SELECT series_game FROM games WHERE game_id = '0042200101'"), 1);
  EXPECT_EQ(Text("SELECT game_type FROM games WHERE game_id = '0042200101'"), "playoffs");
  EXPECT_EQ(Int("SELECT win FROM team_game_stats WHERE game_id = '0042200101' AND team_id = "
                "1610612748"),
            1);
  EXPECT_EQ(Int("SELECT seconds FROM team_game_stats WHERE game_id = '0042200101' LIMIT 1"),
            265 * 60);
  EXPECT_EQ(Int("SELECT points FROM game_periods WHERE game_id = '0042200101' AND period = 5 AND "
                "team_id = 1610612749"),
            12);
  EXPECT_EQ(Int("SELECT sum(points) FROM game_periods WHERE game_id = '0022200001' AND team_id = "
                "1610612738"),
            126);
  EXPECT_EQ(Int("SELECT home_score FROM play_by_play WHERE event_num = 5"), 3);
  EXPECT_EQ(Int("SELECT away_score FROM play_by_play WHERE event_num = 7"), 1);
  EXPECT_EQ(Int("SELECT team_id FROM play_by_play WHERE event_num = 6"), 1610612738);
  EXPECT_EQ(Int("SELECT shot_distance FROM play_by_play WHERE event_num = 4"), 26);
  EXPECT_EQ(Int("SELECT height_cm FROM players WHERE player_id = 1628369"), 203);
  EXPECT_EQ(Int("SELECT weight_kg FROM players WHERE player_id = 1628369"), 95);
  EXPECT_EQ(Text("SELECT position FROM players WHERE player_id = 1628369"), "F-G");
  EXPECT_EQ(Text("SELECT birth_date FROM players WHERE player_id = 1628369"), "1998-03-03");
  EXPECT_EQ(Int("SELECT draft_number FROM players WHERE player_id = 1628369"), 3);
  EXPECT_EQ(Int("SELECT draft_year IS NULL FROM players WHERE player_id = 1629001"), 1);
  EXPECT_EQ(Int("SELECT birth_date IS NULL FROM players WHERE player_id = 1629001"), 1);
  EXPECT_EQ(Text("SELECT position FROM players WHERE player_id = 1629001"), "C");
  EXPECT_EQ(Int("SELECT is_active FROM players WHERE player_id = 76003"), 0);
}

TEST_F(KaggleTest, ReimportInsertsNothing) {
  const std::string path = Build("nba.sqlite");
  ASSERT_OK(Run(ImportFormat::kKaggle, {path}));
  const std::string before = Checksum("imports");
  auto again = Run(ImportFormat::kKaggle, {path});
  ASSERT_OK(again);
  EXPECT_EQ(again->Total().inserted, 0);
  EXPECT_EQ(again->Total().updated, 0);
  EXPECT_EQ(Checksum("imports"), before);
}

TEST_F(KaggleTest, ReplacesAFiveThirtyEightCopyOfTheSameGame) {
  const std::string elo = WriteFile("elo.csv",
                                    "date,season,neutral,playoff,team1,team2,score1,score2\n"
                                    "2022-10-18,2023,0,,BOS,PHI,126,117\n");
  ASSERT_OK(Run(ImportFormat::kFiveThirtyEight, {elo}));
  auto report = Run(ImportFormat::kKaggle, {Build("nba.sqlite")});
  ASSERT_OK(report);
  EXPECT_EQ(report->tables.at("games").inserted, 1);
  EXPECT_EQ(report->tables.at("games").updated, 1);
  EXPECT_EQ(Int("SELECT count(*) FROM games"), 2);
  EXPECT_EQ(Text("SELECT game_id FROM games WHERE game_date = '2022-10-18'"), "0022200001");
  // And FiveThirtyEight again finds the real game instead of adding its own.
  auto again = Run(ImportFormat::kFiveThirtyEight, {elo});
  ASSERT_OK(again);
  EXPECT_EQ(again->Total().inserted, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM games"), 2);
}

TEST_F(KaggleTest, RejectsAFileWithoutAGameTable) {
  const std::string path = dir_.File("players_only.sqlite");
  {
    KaggleFile file(path);
    file.Table("player", kPlayerColumns);
  }
  ExpectRejected(ImportFormat::kKaggle, {path}, ErrorCode::kInvalidArgument,
                 {"players_only.sqlite", "not a Kaggle NBA database", "'game'"});
}

TEST_F(KaggleTest, RejectsAGameTableWithoutItsColumns) {
  const std::string path = dir_.File("other.sqlite");
  {
    KaggleFile file(path);
    file.Table("game", {"id TEXT", "home TEXT"});
  }
  ExpectRejected(ImportFormat::kKaggle, {path}, ErrorCode::kInvalidArgument,
                 {"other.sqlite: table game has no column 'game_id'"});
}

TEST_F(KaggleTest, RejectsANonNumericStatWithTableRowAndColumn) {
  const std::string path = Build("bad.sqlite");
  {
    KaggleFile file(path);
    file.Insert("game", {{"game_id", "'0022200002'"},
                         {"game_date", "'2022-10-19 00:00:00'"},
                         {"team_id_home", "'1610612738'"},
                         {"team_id_away", "'1610612755'"},
                         {"fgm_home", "'lots'"},
                         {"season_type", "'Regular Season'"}});
  }
  ASSERT_OK(Run(ImportFormat::kKaggle, {Build("good.sqlite")}));
  ExpectRejected(ImportFormat::kKaggle, {path}, ErrorCode::kParseError,
                 {"bad.sqlite: table game, row 5: column fgm_home: expected a number, got 'lots'"});
}

TEST_F(KaggleTest, RejectsAbsurdMinutesInsteadOfOverflowing) {
  const std::string path = dir_.File("minutes.sqlite");
  {
    KaggleFile file(path);
    file.Table("game", GameColumns());
    // x 60 wraps around to 14400 (240 minutes) in 64 bits.
    file.Game("0022200001", "2022-10-18", kBos, kPhi, 126, 117, 4611686018427388144,
              "Regular Season");
  }
  ExpectRejected(ImportFormat::kKaggle, {path}, ErrorCode::kParseError,
                 {"minutes.sqlite: table game, row 1: column min: 4611686018427388144 minutes is "
                  "out of range"});
}

TEST_F(KaggleTest, RejectsAFileThatIsNotSqlite) {
  const std::string path = WriteFile("nba.sqlite", "date,season\n2022-10-18,2023\n");
  ASSERT_OK(Migrate());
  const std::string before = Checksum();
  auto result = Run(ImportFormat::kKaggle, {path});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("nba.sqlite"), std::string::npos) << result.error().message;
  EXPECT_EQ(Checksum(), before);
}

}  // namespace
}  // namespace fastbreak::db
