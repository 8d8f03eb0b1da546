#include "db/importers/writer.hpp"

#include <gtest/gtest.h>

#include "db/importers/import_test_util.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int64_t kBos = 1610612738;
constexpr int64_t kNyk = 1610612752;

class WriterTest : public testing_util::ImportTest {
 protected:
  void SetUp() override {
    ImportTest::SetUp();
    ASSERT_OK(Migrate());
    ASSERT_OK(SeedTeams(*connection_));
    auto writer = Writer::Create(*connection_, "nba-api", report_);
    ASSERT_OK(writer);
    writer_ = std::move(*writer);
  }

  // NYK - BOS at New York with these scores; status left at its default unless given.
  static ImportedGame Game(OptInt home_score, OptInt away_score,
                           std::string_view status = "final") {
    ImportedGame game;
    game.game_id = "0022300061";
    game.season_id = 2023;
    game.game_type = "regular";
    game.game_date = "2023-10-25";
    game.home_team_id = kNyk;
    game.away_team_id = kBos;
    game.status = status;
    game.home_score = home_score;
    game.away_score = away_score;
    return game;
  }

  std::string Status() { return Text("SELECT status FROM games WHERE game_id = '0022300061'"); }
  const TableCounts& Games() { return report_.tables["games"]; }

  ImportReport report_;  // outlives writer_
  std::unique_ptr<Writer> writer_;
};

TEST_F(WriterTest, AGameWithoutBothScoresIsScheduled) {
  ASSERT_OK(writer_->UpsertGame(Game(std::nullopt, std::nullopt)));
  EXPECT_EQ(Status(), "scheduled");
  ASSERT_OK(writer_->UpsertGame(Game(104, std::nullopt)));
  EXPECT_EQ(Status(), "scheduled");
  ASSERT_OK(writer_->UpsertGame(Game(104, 108)));
  EXPECT_EQ(Status(), "final");
  EXPECT_EQ(Games().inserted, 1);
  EXPECT_EQ(Games().updated, 2);
}

TEST_F(WriterTest, ANewGameTheSourceCallsScheduledStaysScheduledEvenWithScores) {
  ASSERT_OK(writer_->UpsertGame(Game(0, 0, "scheduled")));
  EXPECT_EQ(Status(), "scheduled");
}

TEST_F(WriterTest, AFinalGameWithScoresIsNeverDowngraded) {
  ASSERT_OK(writer_->UpsertGame(Game(104, 108)));
  ASSERT_OK(writer_->UpsertGame(Game(std::nullopt, std::nullopt)));  // a player game log
  ASSERT_OK(writer_->UpsertGame(Game(104, std::nullopt)));
  ASSERT_OK(writer_->UpsertGame(Game(104, 108, "scheduled")));  // a stale scoreboard
  EXPECT_EQ(Status(), "final");
  EXPECT_EQ(Int("SELECT home_score FROM games"), 104);
  EXPECT_EQ(Int("SELECT away_score FROM games"), 108);
  EXPECT_EQ(Games().inserted, 1);
  EXPECT_EQ(Games().updated, 0);
  EXPECT_EQ(Games().skipped, 3);
}

TEST_F(WriterTest, ScoresFromTwoPartialSourcesMakeTheGameFinal) {
  ASSERT_OK(writer_->UpsertGame(Game(104, std::nullopt)));
  ASSERT_OK(writer_->UpsertGame(Game(std::nullopt, 108)));
  EXPECT_EQ(Status(), "final");
  EXPECT_EQ(Games().updated, 1);
}

TEST_F(WriterTest, RepairsAFinalGameStoredWithoutScores) {
  ASSERT_OK(writer_->UpsertGame(Game(std::nullopt, std::nullopt)));
  ASSERT_OK(connection_->Execute("UPDATE games SET status = 'final'"));  // an older import
  ASSERT_OK(writer_->UpsertGame(Game(std::nullopt, std::nullopt)));
  EXPECT_EQ(Status(), "scheduled");
  EXPECT_EQ(Games().updated, 1);
  EXPECT_EQ(Games().skipped, 0);
}

TEST_F(WriterTest, EnsureGameWithoutScoresCreatesAScheduledGame) {
  ASSERT_OK(writer_->EnsureGame(Game(std::nullopt, std::nullopt)));
  EXPECT_EQ(Status(), "scheduled");
}

}  // namespace
}  // namespace fastbreak::db::detail
