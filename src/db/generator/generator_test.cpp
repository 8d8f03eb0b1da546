// Acceptance tests for the league generator. One season (2023-24, with play-by-play) is
// generated once for the suite; every check below is a query over all of its games.
#include "db/generator/generator.hpp"

#include <cmath>
#include <memory>
#include <string>

#include "db/generator/generator_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

using generator_test::OpenDb;
using generator_test::Real;
using generator_test::Scalar;
using generator_test::TableChecksum;
using generator_test::TestDb;

constexpr uint64_t kSeed = 7;
constexpr int kSeason = 2023;

struct TableKey {
  const char* table;
  const char* order_by;
};
constexpr TableKey kDataTables[] = {
    {"teams", "team_id"},
    {"players", "player_id"},
    {"seasons", "season_id"},
    {"games", "game_id"},
    {"game_periods", "game_id, team_id, period"},
    {"team_game_stats", "game_id, team_id"},
    {"player_game_stats", "game_id, player_id"},
    {"play_by_play", "game_id, event_num"},
};

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    db_ = new TestDb(OpenDb(dir_->File("league.db")));
    int64_t calls = 0;
    auto report =
        GenerateLeague(*db_->connection, {.seasons = 1,
                                          .start_season = kSeason,
                                          .seed = kSeed,
                                          .play_by_play = true,
                                          .on_progress = [&](int64_t, int64_t) { ++calls; }});
    if (!report) throw std::runtime_error(report.error().ToString());
    report_ = new GeneratorReport(*report);
    progress_calls_ = calls;
  }
  static void TearDownTestSuite() {
    delete report_;
    delete db_;
    delete dir_;
  }

  Connection& db() { return *db_->connection; }
  int64_t Int(const std::string& sql) { return generator_test::Int(db(), sql); }
  double Real(const std::string& sql) { return generator_test::Real(db(), sql); }

  static testing::TempDir* dir_;
  static TestDb* db_;
  static GeneratorReport* report_;
  static int64_t progress_calls_;
};

testing::TempDir* GeneratorTest::dir_ = nullptr;
TestDb* GeneratorTest::db_ = nullptr;
GeneratorReport* GeneratorTest::report_ = nullptr;
int64_t GeneratorTest::progress_calls_ = 0;

TEST_F(GeneratorTest, ReportMatchesTables) {
  EXPECT_EQ(report_->seasons, 1);
  EXPECT_EQ(report_->games, Int("SELECT COUNT(*) FROM games"));
  EXPECT_EQ(report_->team_game_rows, Int("SELECT COUNT(*) FROM team_game_stats"));
  EXPECT_EQ(report_->player_game_rows, Int("SELECT COUNT(*) FROM player_game_stats"));
  EXPECT_EQ(report_->play_by_play_rows, Int("SELECT COUNT(*) FROM play_by_play"));
  EXPECT_EQ(report_->players, Int("SELECT COUNT(*) FROM players"));
  int64_t rows = -Int("SELECT COUNT(*) FROM teams");  // seeded, not generated
  for (const TableKey& key : kDataTables)
    rows += Int(std::string("SELECT COUNT(*) FROM ") + key.table);
  EXPECT_EQ(report_->rows, rows);
  EXPECT_NEAR(report_->rows_per_second * report_->seconds, report_->rows, 1);
  EXPECT_GT(report_->rows_per_second, 0);
  EXPECT_EQ(progress_calls_, report_->games + 1);
  std::printf("1 season: %lld games, %lld rows (%lld play-by-play), %.2f s, %.0f rows/s\n",
              static_cast<long long>(report_->games), static_cast<long long>(report_->rows),
              static_cast<long long>(report_->play_by_play_rows), report_->seconds,
              report_->rows_per_second);
}

TEST_F(GeneratorTest, TeamsSeasonAndPlayers) {
  EXPECT_EQ(Int("SELECT COUNT(*) FROM teams"), 30);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM seasons WHERE season_id = 2023 AND label = '2023-24' "
                "AND start_date BETWEEN '2023-10-18' AND '2023-10-31' "
                "AND end_date BETWEEN '2024-05-20' AND '2024-06-30'"),
            1);
  // Ids above NBA.com's, complete bios, sizes by position.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM players WHERE player_id < 5000000 OR birth_date IS NULL "
                "OR height_cm IS NULL OR weight_kg IS NULL OR country IS NULL "
                "OR position IS NULL OR from_year > 2023 OR to_year <> 2023 OR is_active <> 1"),
            0);
  EXPECT_GT(Real("SELECT AVG(height_cm) FROM players WHERE position = 'C'"),
            Real("SELECT AVG(height_cm) FROM players WHERE position = 'G'") + 15);
  EXPECT_EQ(Int("SELECT COUNT(DISTINCT full_name) FROM players"),
            Int("SELECT COUNT(*) FROM players"));
  const int64_t appeared = Int("SELECT COUNT(DISTINCT player_id) FROM player_game_stats");
  EXPECT_GE(appeared, 500);
  EXPECT_LE(appeared, 700);
  const double used_per_team = Real(
      "SELECT AVG(n) FROM (SELECT team_id, COUNT(DISTINCT player_id) AS n "
      "FROM player_game_stats WHERE seconds > 0 GROUP BY team_id)");
  EXPECT_GE(used_per_team, 17);
  EXPECT_LE(used_per_team, 26);
}

TEST_F(GeneratorTest, EveryReferenceResolves) {
  // The generator loads with foreign keys unenforced; check them all now.
  auto violations = db().Query("PRAGMA foreign_key_check");
  ASSERT_OK(violations);
  EXPECT_TRUE(violations->rows.empty()) << violations->rows.size() << " violations";
  // Bulk-load settings are restored after the load.
  EXPECT_EQ(Int("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(std::get<std::string>(Scalar(db(), "PRAGMA journal_mode")), "wal");
  EXPECT_EQ(Real("SELECT 1.0 * (SELECT COUNT(*) FROM games WHERE game_type = 'regular') / "
                 "(SELECT COUNT(*) FROM seasons)"),
            1230);
}

TEST_F(GeneratorTest, RegularSeasonSchedule) {
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games WHERE game_type = 'regular'"), 1230);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games WHERE game_type = 'regular' AND game_id BETWEEN "
                "'0022300001' AND '0022301230'"),
            1230);
  // 82 games per team, 41 at home and 41 away.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM (SELECT t.team_id, "
                "SUM(g.home_team_id = t.team_id) AS home, SUM(g.away_team_id = t.team_id) AS away "
                "FROM teams t JOIN games g ON t.team_id IN (g.home_team_id, g.away_team_id) "
                "WHERE g.game_type = 'regular' GROUP BY t.team_id) WHERE home = 41 AND away = 41"),
            30);
  // 2..4 games per pair; conference rivals more often than the other conference.
  const std::string pairs =
      "(SELECT MIN(home_team_id, away_team_id) AS a, MAX(home_team_id, away_team_id) AS b, "
      "COUNT(*) AS n FROM games WHERE game_type = 'regular' GROUP BY a, b) p "
      "JOIN teams ta ON ta.team_id = p.a JOIN teams tb ON tb.team_id = p.b";
  EXPECT_EQ(Int("SELECT COUNT(*) FROM " + pairs), 435);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM " + pairs + " WHERE n < 2 OR n > 4"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM " + pairs +
                " WHERE ta.conference <> tb.conference "
                "AND n <> 2"),
            0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM " + pairs + " WHERE ta.division = tb.division AND n <> 4"),
            0);
  // Nobody plays twice a day; ~165 game days from late October to mid April.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM (SELECT t.team_id, g.game_date FROM teams t JOIN games g "
                "ON t.team_id IN (g.home_team_id, g.away_team_id) "
                "GROUP BY t.team_id, g.game_date HAVING COUNT(*) > 1)"),
            0);
  const int64_t days =
      Int("SELECT COUNT(DISTINCT game_date) FROM games WHERE game_type = 'regular'");
  EXPECT_GE(days, 155);
  EXPECT_LE(days, 175);
  EXPECT_LE(Int("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM games GROUP BY game_date)"), 15);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games WHERE game_type = 'regular' AND "
                "game_date NOT BETWEEN '2023-10-18' AND '2024-04-20'"),
            0);
}

TEST_F(GeneratorTest, PlayInAndPlayoffs) {
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games WHERE game_type = 'playin' AND game_id LIKE '00523%'"),
            6);
  // Seeds 7-10 of each conference play in: 8 distinct teams.
  EXPECT_EQ(Int("SELECT COUNT(DISTINCT t) FROM (SELECT home_team_id AS t FROM games WHERE "
                "game_type = 'playin' UNION ALL SELECT away_team_id FROM games WHERE "
                "game_type = 'playin')"),
            8);
  // Series = round + series digits of 004YY00RSG.
  const std::string series =
      "(SELECT substr(game_id, 8, 2) AS s, playoff_round AS r, COUNT(*) AS games, "
      "MAX(series_game) AS last_game, "
      "SUM(CASE WHEN home_score > away_score THEN home_team_id ELSE away_team_id END "
      "  = (SELECT CASE WHEN g2.home_score > g2.away_score THEN g2.home_team_id "
      "         ELSE g2.away_team_id END FROM games g2 WHERE g2.game_type = 'playoffs' AND "
      "         substr(g2.game_id, 8, 2) = substr(games.game_id, 8, 2) "
      "         ORDER BY g2.series_game DESC LIMIT 1)) AS winner_wins "
      "FROM games WHERE game_type = 'playoffs' GROUP BY s)";
  EXPECT_EQ(Int("SELECT COUNT(*) FROM " + series), 15);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM " + series + " WHERE r = 1"), 8);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM " + series + " WHERE r = 4"), 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM " + series +
                " WHERE winner_wins <> 4 OR games < 4 OR games > 7 OR last_game <> games"),
            0);
  EXPECT_EQ(Int("SELECT COUNT(DISTINCT t) FROM (SELECT home_team_id AS t FROM games WHERE "
                "playoff_round = 1 UNION ALL SELECT away_team_id FROM games WHERE "
                "playoff_round = 1)"),
            16);
  // Home court 2-2-1-1-1: games 1, 2, 5, 7 at the same arena.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games a JOIN games b ON substr(a.game_id, 1, 9) = "
                "substr(b.game_id, 1, 9) WHERE a.game_type = 'playoffs' AND a.series_game = 1 "
                "AND ((b.series_game IN (2, 5, 7) AND b.home_team_id <> a.home_team_id) OR "
                "(b.series_game IN (3, 4, 6) AND b.home_team_id <> a.away_team_id))"),
            0);
}

TEST_F(GeneratorTest, ScoringLooksLikeTheModernNba) {
  const std::string regular =
      "FROM team_game_stats t JOIN games g USING (game_id) WHERE g.game_type = 'regular'";
  const double mean = Real("SELECT AVG(t.pts) " + regular);
  const double sd = std::sqrt(Real("SELECT AVG(t.pts * t.pts) " + regular) - mean * mean);
  EXPECT_GE(mean, 105);
  EXPECT_LE(mean, 120);
  EXPECT_GE(sd, 10);
  EXPECT_LE(sd, 15);
  const double home_wins =
      Real("SELECT AVG(home_score > away_score) FROM games WHERE game_type = 'regular'");
  EXPECT_GE(home_wins, 0.52);
  EXPECT_LE(home_wins, 0.62);
  const double overtime = Real("SELECT AVG(periods > 4) FROM games WHERE game_type = 'regular'");
  EXPECT_GE(overtime, 0.02);
  EXPECT_LE(overtime, 0.10);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games WHERE home_score = away_score"), 0);
  // The two scores correlate through the shared pace (real r ~ 0.26).
  const double correlation = Real(
      "SELECT (AVG(home_score * away_score) - AVG(home_score) * AVG(away_score)) / "
      "sqrt((AVG(home_score * home_score) - AVG(home_score) * AVG(home_score)) * "
      "(AVG(away_score * away_score) - AVG(away_score) * AVG(away_score))) "
      "FROM games WHERE game_type = 'regular'");
  EXPECT_GE(correlation, 0.1);
  EXPECT_LE(correlation, 0.45);
  // Shot mix and percentages near the 2023-24 facts (3PA share .395, FG .474, 3P .366, FT .784).
  EXPECT_NEAR(Real("SELECT 1.0 * SUM(fg3a) / SUM(fga) " + regular), 0.395, 0.03);
  EXPECT_NEAR(Real("SELECT 1.0 * SUM(fgm) / SUM(fga) " + regular), 0.474, 0.025);
  EXPECT_NEAR(Real("SELECT 1.0 * SUM(fg3m) / SUM(fg3a) " + regular), 0.366, 0.025);
  EXPECT_NEAR(Real("SELECT 1.0 * SUM(ftm) / SUM(fta) " + regular), 0.784, 0.03);
  EXPECT_NEAR(Real("SELECT AVG(fga) " + regular), 88.9, 5);
  EXPECT_NEAR(Real("SELECT AVG(reb) " + regular), 43.6, 4);
  EXPECT_NEAR(Real("SELECT AVG(ast) " + regular), 26.7, 3);
  EXPECT_NEAR(Real("SELECT AVG(tov) " + regular), 13.6, 2);
  EXPECT_NEAR(Real("SELECT AVG(pf) " + regular), 18.7, 3);
}

TEST_F(GeneratorTest, BoxScoresAddUp) {
  // Team rows against the game's score, and against the sum of their player rows.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM team_game_stats t JOIN games g USING (game_id) WHERE "
                "t.pts <> CASE WHEN t.is_home THEN g.home_score ELSE g.away_score END "
                "OR t.plus_minus <> CASE WHEN t.is_home THEN g.home_score - g.away_score "
                "ELSE g.away_score - g.home_score END "
                "OR t.win <> (t.plus_minus > 0) "
                "OR t.seconds <> 14400 + 1500 * (g.periods - 4)"),
            0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM team_game_stats t JOIN (SELECT game_id, team_id, "
                "SUM(seconds) s, SUM(pts) pts, SUM(fgm) fgm, SUM(fga) fga, SUM(fg3m) fg3m, "
                "SUM(fg3a) fg3a, SUM(ftm) ftm, SUM(fta) fta, SUM(oreb) oreb, SUM(dreb) dreb, "
                "SUM(reb) reb, SUM(ast) ast, SUM(stl) stl, SUM(blk) blk, SUM(tov) tov, "
                "SUM(pf) pf, SUM(plus_minus) pm FROM player_game_stats GROUP BY game_id, team_id) "
                "p USING (game_id, team_id) WHERE t.seconds <> p.s OR t.pts <> p.pts OR "
                "t.fgm <> p.fgm OR t.fga <> p.fga OR t.fg3m <> p.fg3m OR t.fg3a <> p.fg3a OR "
                "t.ftm <> p.ftm OR t.fta <> p.fta OR t.oreb <> p.oreb OR t.dreb <> p.dreb OR "
                "t.reb <> p.reb OR t.ast <> p.ast OR t.stl <> p.stl OR t.blk <> p.blk OR "
                "t.tov <> p.tov OR t.pf <> p.pf OR p.pm <> 5 * t.plus_minus"),
            0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM team_game_stats"), 2 * Int("SELECT COUNT(*) FROM games"));
  // Every row: shooting adds up to points, made <= attempted, rebounds add up.
  for (const char* table : {"team_game_stats", "player_game_stats"}) {
    EXPECT_EQ(Int(std::string("SELECT COUNT(*) FROM ") + table +
                  " WHERE pts <> 2 * fgm + fg3m + ftm OR fgm > fga OR fg3m > fg3a OR "
                  "ftm > fta OR fg3m > fgm OR reb <> oreb + dreb"),
              0)
        << table;
  }
  // 13-15 listed per team-game, five starters, ~10.7 with minutes; DNPs have no stats.
  const std::string per_team =
      "FROM (SELECT COUNT(*) AS listed, SUM(starter) AS starters, SUM(seconds > 0) AS played "
      "FROM player_game_stats GROUP BY game_id, team_id)";
  EXPECT_EQ(
      Int("SELECT COUNT(*) " + per_team + " WHERE listed NOT BETWEEN 13 AND 15 OR starters <> 5"),
      0);
  EXPECT_NEAR(Real("SELECT AVG(played) " + per_team), 10.7, 0.8);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM player_game_stats WHERE (seconds = 0) <> "
                "(dnp_reason IS NOT NULL) OR (seconds = 0 AND (pts IS NOT NULL OR starter = 1 "
                "OR dnp_reason <> 'Coach''s decision'))"),
            0);
  // Line scores sum to the final score, one row per team and period.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games g JOIN (SELECT game_id, "
                "SUM(CASE WHEN team_id = home_team_id THEN points END) AS h, "
                "SUM(CASE WHEN team_id = away_team_id THEN points END) AS a, COUNT(*) AS n "
                "FROM game_periods JOIN games USING (game_id) GROUP BY game_id) p "
                "USING (game_id) WHERE p.h <> g.home_score OR p.a <> g.away_score "
                "OR p.n <> 2 * g.periods"),
            0);
  EXPECT_NEAR(Real("SELECT AVG(points) FROM game_periods WHERE period <= 4"), 28.4, 2.5);
}

TEST_F(GeneratorTest, PlayByPlayMatchesBoxScores) {
  const std::string per_game =
      "FROM (SELECT game_id, COUNT(*) AS n FROM play_by_play "
      "GROUP BY game_id)";
  EXPECT_EQ(Int("SELECT COUNT(*) " + per_game), Int("SELECT COUNT(*) FROM games"));
  EXPECT_GE(Int("SELECT MIN(n) " + per_game), 400);
  EXPECT_LE(Int("SELECT MAX(n) " + per_game), 520);
  EXPECT_NEAR(Real("SELECT AVG(n) " + per_game), 460, 25);
  // Made and attempted shots, rebounds, assists, steals, blocks, turnovers and fouls per player
  // equal his box score.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM player_game_stats b LEFT JOIN (SELECT game_id, "
                "player_id, SUM(event_type = 1) fgm, SUM(event_type IN (1, 2)) fga, "
                "SUM(event_type = 1 AND shot_value = 3) fg3m, "
                "SUM(event_type IN (1, 2) AND shot_value = 3) fg3a, "
                "SUM(event_type = 3 AND shot_made = 1) ftm, SUM(event_type = 3) fta, "
                "SUM(event_type = 4) reb, SUM(event_type = 5) tov, SUM(event_type = 6) pf "
                "FROM play_by_play WHERE player_id IS NOT NULL AND event_type <> 8 "
                "AND event_type <> 10 GROUP BY game_id, player_id) e USING (game_id, player_id) "
                "WHERE b.seconds > 0 AND (IFNULL(e.fgm, 0) <> b.fgm OR IFNULL(e.fga, 0) <> b.fga "
                "OR IFNULL(e.fg3m, 0) <> b.fg3m OR IFNULL(e.fg3a, 0) <> b.fg3a "
                "OR IFNULL(e.ftm, 0) <> b.ftm OR IFNULL(e.fta, 0) <> b.fta "
                "OR IFNULL(e.reb, 0) <> b.reb OR IFNULL(e.tov, 0) <> b.tov "
                "OR IFNULL(e.pf, 0) <> b.pf)"),
            0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM player_game_stats b LEFT JOIN (SELECT game_id, "
                "player2_id AS player_id, SUM(event_type = 1) ast, SUM(event_type = 5) stl, "
                "SUM(event_type = 2) blk FROM play_by_play WHERE player2_id IS NOT NULL "
                "GROUP BY game_id, player2_id) e USING (game_id, player_id) WHERE b.seconds > 0 "
                "AND (IFNULL(e.ast, 0) <> b.ast OR IFNULL(e.stl, 0) <> b.stl OR "
                "IFNULL(e.blk, 0) <> b.blk)"),
            0);
  // The running score never decreases and ends at the final score; the clock runs down.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM (SELECT home_score, away_score, clock_ms, period, "
                "LAG(home_score) OVER w AS ph, LAG(away_score) OVER w AS pa, "
                "LAG(clock_ms) OVER w AS pc, LAG(period) OVER w AS pp "
                "FROM play_by_play WINDOW w AS (PARTITION BY game_id ORDER BY event_num)) "
                "WHERE home_score < ph OR away_score < pa OR (period = pp AND clock_ms > pc) "
                "OR period < pp"),
            0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games g JOIN (SELECT game_id, home_score, away_score, "
                "ROW_NUMBER() OVER (PARTITION BY game_id ORDER BY event_num DESC) AS r "
                "FROM play_by_play) e USING (game_id) WHERE e.r = 1 AND "
                "(e.home_score <> g.home_score OR e.away_score <> g.away_score)"),
            0);
  // Points scored within each period equal the line score.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM (SELECT e.game_id, e.period, "
                "MAX(e.home_score) - IFNULL((SELECT MAX(x.home_score) FROM play_by_play x "
                "WHERE x.game_id = e.game_id AND x.period < e.period), 0) AS h, "
                "MAX(e.away_score) - IFNULL((SELECT MAX(x.away_score) FROM play_by_play x "
                "WHERE x.game_id = e.game_id AND x.period < e.period), 0) AS a "
                "FROM play_by_play e GROUP BY e.game_id, e.period) s JOIN games g USING "
                "(game_id) JOIN game_periods ph ON ph.game_id = s.game_id AND ph.period = "
                "s.period AND ph.team_id = g.home_team_id JOIN game_periods pa ON pa.game_id = "
                "s.game_id AND pa.period = s.period AND pa.team_id = g.away_team_id "
                "WHERE s.h <> ph.points OR s.a <> pa.points"),
            0);
  // Period markers, a jump ball per game, and the other event kinds.
  EXPECT_EQ(Int("SELECT COUNT(*) FROM games g WHERE 2 * g.periods <> (SELECT COUNT(*) FROM "
                "play_by_play e WHERE e.game_id = g.game_id AND e.event_type IN (12, 13))"),
            0);
  EXPECT_EQ(Int("SELECT COUNT(DISTINCT game_id) FROM play_by_play WHERE event_type = 10 "
                "AND period = 1"),
            Int("SELECT COUNT(*) FROM games"));
  for (int type : {3, 4, 5, 6, 8, 9}) {
    EXPECT_GT(Int("SELECT COUNT(*) FROM play_by_play WHERE event_type = " + std::to_string(type)),
              10000)
        << type;
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM play_by_play WHERE event_type IN (1, 2) AND "
                "(shot_value NOT IN (2, 3) OR shot_distance IS NULL OR action IS NULL)"),
            0);
  EXPECT_GT(Int("SELECT COUNT(*) FROM play_by_play WHERE event_type = 1 AND description "
                "GLOB '* [0-9]*'' 3PT * (* PTS) (* [0-9]* AST)'"),
            1000);
  EXPECT_GT(Int("SELECT COUNT(*) FROM play_by_play WHERE event_type = 2 AND description "
                "LIKE 'MISS %'"),
            10000);
}

TEST_F(GeneratorTest, SameSeedSameLeagueOtherSeedOtherLeague) {
  testing::TempDir dir;
  TestDb same = OpenDb(dir.File("same.db"));
  ASSERT_OK(
      GenerateLeague(*same.connection, {.seasons = 1, .start_season = kSeason, .seed = kSeed}));
  for (const TableKey& key : kDataTables) {
    EXPECT_EQ(TableChecksum(db(), key.table, key.order_by),
              TableChecksum(*same.connection, key.table, key.order_by))
        << key.table;
  }
  TestDb other = OpenDb(dir.File("other.db"));
  ASSERT_OK(GenerateLeague(
      *other.connection,
      {.seasons = 1, .start_season = kSeason, .seed = kSeed + 1, .play_by_play = false}));
  for (const char* table : {"players", "games", "player_game_stats"}) {
    EXPECT_NE(TableChecksum(db(), table, "1"), TableChecksum(*other.connection, table, "1"))
        << table;
  }
  EXPECT_EQ(generator_test::Int(*other.connection, "SELECT COUNT(*) FROM play_by_play"), 0);
}

}  // namespace
}  // namespace fastbreak::db
