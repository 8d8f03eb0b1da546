#include "db/schema/migrations.hpp"

#include <gtest/gtest.h>

#include "db/schema/teams.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = SqliteDatabase::Open({.path = dir_.File("m.db")});
    ASSERT_OK(database);
    database_ = std::move(*database);
    auto connection = database_->Connect(AccessMode::kReadWrite);
    ASSERT_OK(connection);
    connection_ = std::move(*connection);
  }

  int64_t Count(std::string_view sql) {
    auto value = connection_->QueryScalar(sql);
    EXPECT_TRUE(value.has_value()) << value.error().ToString();
    return value ? std::get<int64_t>(*value) : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteDatabase> database_;
  std::unique_ptr<Connection> connection_;
};

TEST_F(MigrationsTest, AppliesEveryMigrationOnceAndIsIdempotent) {
  auto first = Migrate(*connection_);
  ASSERT_OK(first);
  EXPECT_EQ(*first, static_cast<int>(NbaMigrations(Dialect::kSqlite).size()));
  EXPECT_EQ(*SchemaVersion(*connection_), LatestSchemaVersion());
  auto second = Migrate(*connection_);
  ASSERT_OK(second);
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(NbaMigrations(Dialect::kSqlite).size()));
}

TEST_F(MigrationsTest, CreatesTheNbaTablesViewsAndIndexes) {
  ASSERT_OK(Migrate(*connection_));
  for (const char* table : {"teams", "players", "seasons", "games", "game_periods",
                            "team_game_stats", "player_game_stats", "play_by_play", "imports"}) {
    EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name = '{}'",
                                table)),
              1)
        << table;
  }
  for (const char* view : {"player_season_totals", "team_season_totals", "standings"}) {
    EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM sqlite_master WHERE type = 'view' AND "
                                "name = '{}'",
                                view)),
              1)
        << view;
  }
  EXPECT_GE(Count("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                  "name NOT LIKE 'sqlite_autoindex%'"),
            9);
}

TEST_F(MigrationsTest, AFailingMigrationLeavesTheDatabaseAtTheLastGoodVersion) {
  const std::vector<Migration> migrations = {
      {1, "one", "CREATE TABLE a(x INTEGER)"},
      {2, "two", "CREATE TABLE b(x INTEGER); CREATE TABLE a(y INTEGER)"},  // a exists: fails
  };
  auto result = Migrate(*connection_, migrations);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("migration 2 (two)"), std::string::npos);
  EXPECT_EQ(*SchemaVersion(*connection_), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 0);
}

TEST_F(MigrationsTest, ADatabaseFromANewerVersionIsRefused) {
  ASSERT_OK(Migrate(*connection_));
  ASSERT_OK(connection_->Execute(
      fmt::format("INSERT INTO schema_migrations(version, name) VALUES ({}, 'future')",
                  LatestSchemaVersion() + 1)));
  EXPECT_ERROR(Migrate(*connection_), ErrorCode::kUnsupported);
}

TEST_F(MigrationsTest, ReadOnlyConnectionsCannotMigrate) {
  auto ro = database_->Connect(AccessMode::kReadOnly);
  ASSERT_OK(ro);
  EXPECT_ERROR(Migrate(**ro), ErrorCode::kPermissionDenied);
}

TEST_F(MigrationsTest, SeedsThirtyTeamsOnce) {
  ASSERT_OK(Migrate(*connection_));
  ASSERT_OK(SeedTeams(*connection_));
  EXPECT_EQ(*SeedTeams(*connection_), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM teams"), 30);
  EXPECT_EQ(Count("SELECT count(*) FROM teams WHERE conference = 'East'"), 15);
  EXPECT_EQ(Count("SELECT count(DISTINCT division) FROM teams"), 6);
  EXPECT_EQ(Count("SELECT min(team_id) FROM teams"), 1610612737);
  EXPECT_EQ(Count("SELECT max(team_id) FROM teams"), 1610612766);
}

TEST(TeamsTest, FindsTeamsByIdAndByAnyCommonAbbreviation) {
  ASSERT_NE(FindTeam(1610612761), nullptr);
  EXPECT_EQ(FindTeam(1610612761)->abbreviation, "TOR");
  EXPECT_EQ(FindTeam(1), nullptr);
  EXPECT_EQ(FindTeamByAbbreviation("bkn")->team_id, 1610612751);
  EXPECT_EQ(FindTeamByAbbreviation("NJN")->team_id, 1610612751);
  EXPECT_EQ(FindTeamByAbbreviation("PHO")->team_id, 1610612756);
  EXPECT_EQ(FindTeamByAbbreviation("SEA")->team_id, 1610612760);
  EXPECT_EQ(FindTeamByAbbreviation("XYZ"), nullptr);
}

TEST(TeamsTest, MapsEarlierHomesOfCurrentFranchisesAndKnowsDefunctOnes) {
  EXPECT_EQ(FindTeamByAbbreviation("CIN")->abbreviation, "SAC");  // Cincinnati Royals
  EXPECT_EQ(FindTeamByAbbreviation("kck")->abbreviation, "SAC");
  EXPECT_EQ(FindTeamByAbbreviation("MNL")->abbreviation, "LAL");
  EXPECT_EQ(FindTeamByAbbreviation("SDR")->abbreviation, "HOU");
  EXPECT_EQ(FindTeamByAbbreviation("BUF")->abbreviation, "LAC");
  EXPECT_EQ(FindTeamByAbbreviation("BAL")->abbreviation, "WAS");
  EXPECT_EQ(FindTeamByAbbreviation("NYN")->abbreviation, "BKN");
  EXPECT_EQ(FindTeamByAbbreviation("CHO")->abbreviation, "CHA");
  EXPECT_EQ(FindTeamByAbbreviation(""), nullptr);
  EXPECT_TRUE(IsDefunctFranchiseCode("PRO"));  // Providence Steamrollers
  EXPECT_TRUE(IsDefunctFranchiseCode("ken"));
  EXPECT_FALSE(IsDefunctFranchiseCode("BOS"));
  EXPECT_FALSE(IsDefunctFranchiseCode("CIN"));
  EXPECT_FALSE(IsDefunctFranchiseCode(""));
  for (const TeamInfo& team : NbaTeams()) {
    EXPECT_FALSE(IsDefunctFranchiseCode(team.abbreviation)) << team.abbreviation;
    EXPECT_EQ(FindTeamByAbbreviation(team.abbreviation), &team);
  }
}

}  // namespace
}  // namespace fastbreak::db
