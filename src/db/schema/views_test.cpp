// The season views over a tiny hand-made league whose answers are known.
#include <gtest/gtest.h>

#include "db/schema/migrations.hpp"
#include "db/schema/teams.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

constexpr int64_t kBos = 1610612738;
constexpr int64_t kNyk = 1610612752;
constexpr int64_t kPhi = 1610612755;
constexpr int64_t kLal = 1610612747;

class ViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = SqliteDatabase::Open({.path = dir_.File("v.db")});
    ASSERT_OK(database);
    database_ = std::move(*database);
    auto connection = database_->Connect(AccessMode::kReadWrite);
    ASSERT_OK(connection);
    c_ = std::move(*connection);
    ASSERT_OK(Migrate(*c_));
    ASSERT_OK(SeedTeams(*c_));
    ASSERT_OK(c_->Execute("INSERT INTO seasons(season_id, label) VALUES (2023, '2023-24')"));
    ASSERT_OK(
        c_->Execute("INSERT INTO players(player_id, first_name, last_name, full_name) "
                    "VALUES (1, 'A', 'One', 'A One'), (2, 'B', 'Two', 'B Two')"));
    // BOS beats NYK at home, BOS wins at PHI, NYK beats PHI at home, LAL (West) beats BOS.
    Game("0022300001", kBos, kNyk, 110, 100);
    Game("0022300002", kPhi, kBos, 90, 95);
    Game("0022300003", kNyk, kPhi, 120, 119);
    Game("0022300004", kLal, kBos, 101, 99);
    // A game without scores (a box score seen before its result) counts for nobody.
    ASSERT_OK(c_->Execute(
        "INSERT INTO games(game_id, season_id, game_type, game_date, home_team_id, away_team_id)"
        " VALUES ('0022300005', 2023, 'regular', '2023-10-30', 1610612738, 1610612755)"));
    ASSERT_OK(c_->Execute(
        "INSERT INTO team_game_stats(game_id, team_id, opponent_id, is_home, pts) VALUES"
        " ('0022300005', 1610612738, 1610612755, 1, 50)"));
    // A playoff game must not count in the regular-season standings.
    ASSERT_OK(c_->Execute(
        "INSERT INTO games(game_id, season_id, game_type, game_date, home_team_id, away_team_id,"
        " home_score, away_score, playoff_round, series_game) VALUES ('0042300101', 2023,"
        " 'playoffs', '2024-04-20', 1610612752, 1610612755, 80, 120, 1, 1)"));
  }

  void Game(const std::string& id, int64_t home, int64_t away, int home_pts, int away_pts) {
    const Value g[] = {id, home, away, int64_t{home_pts}, int64_t{away_pts}};
    ASSERT_OK(c_->Execute(
        "INSERT INTO games(game_id, season_id, game_type, game_date, home_team_id, away_team_id,"
        " home_score, away_score) VALUES (?, 2023, 'regular', '2023-10-24', ?, ?, ?, ?)",
        g));
    for (int side = 0; side < 2; ++side) {
      const int64_t team = side == 0 ? home : away;
      const int64_t pts = side == 0 ? home_pts : away_pts;
      const int64_t opp_pts = side == 0 ? away_pts : home_pts;
      const Value row[] = {id,
                           team,
                           side == 0 ? away : home,
                           int64_t{side == 0 ? 1 : 0},
                           int64_t{pts > opp_pts ? 1 : 0},
                           pts};
      ASSERT_OK(c_->Execute(
          "INSERT INTO team_game_stats(game_id, team_id, opponent_id, is_home, win, pts, fgm, "
          "fga, fg3m, fg3a, ftm, fta) VALUES (?, ?, ?, ?, ?, ?, 40, 80, 10, 30, 10, 12)",
          row));
    }
  }

  std::vector<std::vector<Value>> Rows(std::string_view sql) {
    auto result = c_->Query(sql);
    EXPECT_TRUE(result.has_value()) << result.error().ToString();
    return result ? result->rows : std::vector<std::vector<Value>>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteDatabase> database_;
  std::unique_ptr<Connection> c_;
};

int64_t I(const Value& v) { return std::get<int64_t>(v); }
double D(const Value& v) { return std::get<double>(v); }

TEST_F(ViewsTest, StandingsCountRegularSeasonRecordsAndGamesBehind) {
  auto rows = Rows(
      "SELECT team_id, wins, losses, win_pct, home_wins, home_losses, away_wins, away_losses,"
      " conference_games_behind, conference_rank FROM standings WHERE season_id = 2023"
      " ORDER BY conference, conference_rank, team_id");
  ASSERT_EQ(rows.size(), 4u);
  // East: BOS 2-1, NYK 1-1, PHI 0-2; West: LAL 1-0.
  EXPECT_EQ(I(rows[0][0]), kBos);
  EXPECT_EQ(I(rows[0][1]), 2);
  EXPECT_EQ(I(rows[0][2]), 1);
  EXPECT_DOUBLE_EQ(D(rows[0][3]), 0.667);
  EXPECT_EQ(I(rows[0][4]), 1);  // home 1-0
  EXPECT_EQ(I(rows[0][5]), 0);
  EXPECT_EQ(I(rows[0][6]), 1);  // away 1-1
  EXPECT_EQ(I(rows[0][7]), 1);
  EXPECT_DOUBLE_EQ(D(rows[0][8]), 0.0);
  EXPECT_EQ(I(rows[1][0]), kNyk);
  EXPECT_DOUBLE_EQ(D(rows[1][8]), 0.5);  // ((2-1) - (1-1)) / 2
  EXPECT_EQ(I(rows[2][0]), kPhi);
  EXPECT_DOUBLE_EQ(D(rows[2][8]), 1.5);  // ((2-1) - (0-2)) / 2
  EXPECT_EQ(I(rows[2][9]), 3);
  EXPECT_EQ(I(rows[3][0]), kLal);
  EXPECT_EQ(I(rows[3][9]), 1);
}

TEST_F(ViewsTest, TeamSeasonTotalsSeparateGameTypesAndSumOpponents) {
  auto rows = Rows(
      "SELECT gp, wins, losses, pts, opp_pts FROM team_season_totals"
      " WHERE team_id = 1610612738 AND season_id = 2023 AND game_type = 'regular'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(I(rows[0][0]), 3);
  EXPECT_EQ(I(rows[0][1]), 2);
  EXPECT_EQ(I(rows[0][2]), 1);
  EXPECT_EQ(I(rows[0][3]), 110 + 95 + 99);  // the unscored game has no opponent row
  EXPECT_EQ(I(rows[0][4]), 100 + 90 + 101);
}

TEST_F(ViewsTest, PlayerSeasonTotalsSplitByTeamAndSkipDidNotPlay) {
  ASSERT_OK(c_->ExecuteScript(
      "INSERT INTO player_game_stats(game_id, player_id, team_id, starter, seconds, pts, fgm, fga,"
      " fg3m, fg3a, ftm, fta) VALUES"
      " ('0022300001', 1, 1610612738, 1, 2000, 20, 8, 15, 2, 5, 2, 2),"
      " ('0022300002', 1, 1610612738, 1, 1800, 10, 4, 10, 0, 2, 2, 4),"
      " ('0022300003', 1, 1610612752, 0, 600, 5, 2, 3, 1, 1, 0, 0),"
      " ('0022300004', 2, 1610612738, 0, 0, 0, 0, 0, 0, 0, 0, 0)"));
  auto rows = Rows(
      "SELECT team_id, gp, gs, seconds, pts FROM player_season_totals WHERE player_id = 1"
      " ORDER BY team_id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(I(rows[0][0]), kBos);
  EXPECT_EQ(I(rows[0][1]), 2);
  EXPECT_EQ(I(rows[0][2]), 2);
  EXPECT_EQ(I(rows[0][3]), 3800);
  EXPECT_EQ(I(rows[0][4]), 30);
  EXPECT_EQ(I(rows[1][0]), kNyk);
  EXPECT_EQ(I(rows[1][4]), 5);
  EXPECT_TRUE(Rows("SELECT * FROM player_season_totals WHERE player_id = 2").empty());
}

TEST_F(ViewsTest, ConstraintsRejectImpossibleBoxScores) {
  EXPECT_ERROR(c_->Execute("INSERT INTO player_game_stats(game_id, player_id, team_id, fgm, fga)"
                           " VALUES ('0022300001', 2, 1610612738, 5, 4)"),
               ErrorCode::kConstraint);
  EXPECT_ERROR(c_->Execute("INSERT INTO games(game_id, season_id, game_type, game_date,"
                           " home_team_id, away_team_id) VALUES ('123', 2023, 'regular',"
                           " '2023-10-24', 1610612738, 1610612752)"),
               ErrorCode::kConstraint);
  EXPECT_ERROR(c_->Execute("INSERT INTO games(game_id, season_id, game_type, game_date,"
                           " home_team_id, away_team_id) VALUES ('0022300099', 2023, 'regular',"
                           " '2023-10-24', 1610612738, 1)"),
               ErrorCode::kConstraint);  // foreign key
}

}  // namespace
}  // namespace fastbreak::db
