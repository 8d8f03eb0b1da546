// League-level behaviour of the generator: option checks, careers over several seasons
// (generated without play-by-play to stay fast), and refusing seasons already generated.
#include <string>

#include "db/generator/generator.hpp"
#include "db/generator/generator_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

using generator_test::Int;
using generator_test::OpenDb;
using generator_test::Real;
using generator_test::TableChecksum;
using generator_test::TestDb;

TEST(GeneratorOptions, RejectsBadOptions) {
  testing::TempDir dir;
  TestDb fresh = OpenDb(dir.File("bad.db"));
  EXPECT_ERROR(GenerateLeague(*fresh.connection, {.seasons = 0}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(GenerateLeague(*fresh.connection, {.seasons = 61}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(GenerateLeague(*fresh.connection, {.seasons = 1, .start_season = 1800}),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(GenerateLeague(*fresh.connection, {.seasons = 10, .start_season = 2040}),
               ErrorCode::kInvalidArgument);
}

// Three seasons (the default: the last three, 2023-24 .. 2025-26) without play-by-play:
// careers across seasons.
TEST(GeneratorCareers, PlayersAgeDebutRetireAndMove) {
  testing::TempDir dir;
  TestDb db = OpenDb(dir.File("careers.db"));
  auto report = GenerateLeague(*db.connection, {.seasons = 3, .seed = 11, .play_by_play = false});
  ASSERT_OK(report);
  Connection& c = *db.connection;
  EXPECT_EQ(report->play_by_play_rows, 0);
  EXPECT_EQ(Int(c, "SELECT COUNT(*) FROM seasons WHERE season_id BETWEEN 2023 AND 2025"), 3);
  EXPECT_EQ(Int(c, "SELECT COUNT(*) FROM games WHERE game_type = 'regular'"), 3 * 1230);
  // from_year / to_year / is_active agree with the box scores.
  EXPECT_EQ(Int(c, "SELECT COUNT(*) FROM players"),
            Int(c, "SELECT COUNT(DISTINCT player_id) FROM player_game_stats"));
  EXPECT_EQ(Int(c,
                "SELECT COUNT(*) FROM players p JOIN (SELECT player_id, MIN(g.season_id) lo, "
                "MAX(g.season_id) hi FROM player_game_stats s JOIN games g USING (game_id) "
                "GROUP BY player_id) a USING (player_id) WHERE p.to_year <> a.hi OR "
                "p.from_year > a.lo OR p.is_active <> (a.hi = 2025) OR "
                "(p.draft_year >= 2024 AND p.from_year <> a.lo)"),
            0);
  // Rookies from the 2024 and 2025 drafts debut; veterans leave the league.
  EXPECT_GE(Int(c, "SELECT COUNT(*) FROM players WHERE draft_year = 2024 AND from_year = 2024"),
            30);
  EXPECT_GE(Int(c, "SELECT COUNT(*) FROM players WHERE draft_year = 2025 AND from_year = 2025"),
            30);
  EXPECT_EQ(Int(c,
                "SELECT COUNT(*) FROM players WHERE draft_year >= 2024 AND "
                "(draft_number NOT BETWEEN 1 AND 60 OR draft_round <> "
                "1 + (draft_number > 30))"),
            0);
  EXPECT_GE(Int(c, "SELECT COUNT(*) FROM players WHERE to_year < 2025 AND is_active = 0"), 40);
  // Trades and signings: players change teams between and during seasons.
  EXPECT_GE(Int(c,
                "SELECT COUNT(*) FROM (SELECT player_id FROM player_game_stats "
                "GROUP BY player_id HAVING COUNT(DISTINCT team_id) > 1)"),
            60);
  EXPECT_GE(Int(c,
                "SELECT COUNT(*) FROM (SELECT player_id FROM player_game_stats s JOIN games "
                "g USING (game_id) GROUP BY player_id, g.season_id "
                "HAVING COUNT(DISTINCT s.team_id) > 1)"),
            20);
  const double used = Real(c,
                           "SELECT AVG(n) FROM (SELECT COUNT(DISTINCT s.player_id) AS n "
                           "FROM player_game_stats s JOIN games g USING (game_id) "
                           "WHERE s.seconds > 0 GROUP BY g.season_id, s.team_id)");
  EXPECT_GE(used, 17);
  EXPECT_LE(used, 26);
  // Players age: plausible ages, and the aging curve shows in production.
  const std::string ages =
      "FROM player_game_stats s JOIN games g USING (game_id) JOIN players p USING (player_id) "
      "WHERE s.seconds > 0";
  const std::string age = "(g.season_id - CAST(substr(p.birth_date, 1, 4) AS INTEGER))";
  EXPECT_GE(Int(c, "SELECT MIN(" + age + ") " + ages), 18);
  EXPECT_LE(Int(c, "SELECT MAX(" + age + ") " + ages), 41);
  EXPECT_NEAR(Real(c, "SELECT AVG(" + age + ") " + ages), 26.5, 2);
  const double prime = Real(c, "SELECT AVG(s.pts) " + ages + " AND " + age + " BETWEEN 26 AND 29");
  EXPECT_GT(prime, Real(c, "SELECT AVG(s.pts) " + ages + " AND " + age + " <= 21"));
  EXPECT_GT(prime, Real(c, "SELECT AVG(s.pts) " + ages + " AND " + age + " >= 34"));

  // Seasons that already have games are refused, and nothing is written.
  auto checksum = [&] {
    return TableChecksum(c, "games", "game_id") ^ TableChecksum(c, "players", "player_id") ^
           TableChecksum(c, "seasons", "season_id");
  };
  const uint64_t before = checksum();
  EXPECT_ERROR(GenerateLeague(c, {.seasons = 3, .start_season = 2025, .seed = 1}),
               ErrorCode::kAlreadyExists);
  EXPECT_EQ(checksum(), before);
}

}  // namespace
}  // namespace fastbreak::db
