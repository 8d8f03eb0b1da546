// The index advisor on PostgreSQL: hypothetical indexes (hypopg), generic plans for
// parameterized queries, pg_stat_statements as a workload, and apply.
#include <chrono>
#include <cstdio>

#include "query/advisor.hpp"
#include "query/query_pg_test_util.hpp"

namespace fastbreak::query {
namespace {

using Strings = std::vector<std::string>;

// player_game_stats: 200,000 rows, 800 players x 17 seasons (~15 rows per player and season).
// play_by_play: 100,000 rows, 2,000 games x 4 periods (~12 rows per game and period).
// games: 20,000 rows, 30 home teams, dates over ~4.5 years.
// Existing indexes no workload query wants: one on pts, and on games a (season) index that is
// a prefix of (away_team_id, season).
constexpr std::string_view kNbaSchema = R"sql(
DROP TABLE IF EXISTS games, player_game_stats, play_by_play;
CREATE TABLE games (game_id integer PRIMARY KEY, season integer NOT NULL,
  home_team_id integer NOT NULL, away_team_id integer NOT NULL, game_date date NOT NULL);
CREATE TABLE player_game_stats (player_id integer NOT NULL, game_id integer NOT NULL,
  season integer NOT NULL, pts integer, reb integer, ast integer);
CREATE TABLE play_by_play (game_id integer NOT NULL, period integer NOT NULL,
  event_num integer NOT NULL, description text);
INSERT INTO games SELECT x, 2000 + x / 1230, x % 30 + 1, (x / 30 + x) % 30 + 1,
  DATE '2000-01-01' + x / 12 FROM generate_series(0, 19999) AS x;
INSERT INTO player_game_stats SELECT x % 800, x / 10, 2000 + (x / 10) / 1230, (x * 7) % 40,
  x % 15, x % 11 FROM generate_series(0, 199999) AS x;
INSERT INTO play_by_play SELECT x / 50, (x % 50) / 13 + 1, x % 50, 'event ' || x
  FROM generate_series(0, 99999) AS x;
CREATE INDEX idx_pgs_pts ON player_game_stats (pts);
CREATE INDEX idx_games_away ON games (away_team_id);
CREATE INDEX idx_games_away_season ON games (away_team_id, season);
ANALYZE games, player_game_stats, play_by_play;
)sql";

// Lookups by player and season, by game and period, by team and date range in date order.
// The weights make the order of the savings that of the greedy choice.
constexpr std::string_view kWorkload = R"sql(
-- calls: 100
SELECT pts, reb, ast FROM player_game_stats WHERE player_id = 17 AND season = 2005;
-- calls: 10
SELECT event_num, description FROM play_by_play WHERE game_id = 1234 AND period = 2;
-- calls: 3
SELECT game_id, game_date FROM games WHERE home_team_id = 5
  AND game_date >= '2003-01-01'::date ORDER BY game_date;
)sql";

std::string Describe(const Recommendation& recommendation) {
  std::string out = recommendation.table + "(";
  for (size_t i = 0; i < recommendation.columns.size(); ++i) {
    out += (i > 0 ? "," : "") + recommendation.columns[i];
  }
  return out + ")";
}

Strings Describe(const std::vector<ExistingIndexFinding>& findings) {
  Strings out;
  for (const auto& finding : findings) {
    out.push_back(finding.kind + " " + finding.index + ": " + finding.evidence);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class AdvisorPgTest : public QueryPgTest {
 protected:
  void SetUp() override {
    QueryPgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK(connection().ExecuteScript(kNbaSchema));
  }

  static std::vector<WorkloadQuery> Workload() {
    auto workload = ParseWorkloadFile(kWorkload);
    EXPECT_TRUE(workload.has_value());
    return workload.value_or(std::vector<WorkloadQuery>{});
  }

  int64_t HypotheticalIndexes() {
    auto count = connection().QueryScalar("SELECT count(*) FROM hypopg_list_indexes");
    EXPECT_TRUE(count.has_value());
    return count ? std::get<int64_t>(*count) : -1;
  }

  Strings IndexNames() {
    auto result = connection().Query(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
    EXPECT_TRUE(result.has_value());
    Strings names;
    if (result) {
      for (const auto& row : result->rows) names.push_back(std::get<std::string>(row[0]));
    }
    return names;
  }

  double WorkloadMs(const std::vector<WorkloadQuery>& workload, int repeats) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeats; ++i) {
      for (const auto& query : workload) EXPECT_OK(connection().Query(query.sql));
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  }
};

TEST_F(AdvisorPgTest, RecommendsExactlyTheHelpfulIndexesRankedBySaving) {
  const auto workload = Workload();
  auto report = Advise(connection(), workload);
  ASSERT_OK(report);
  std::printf("%s", FormatAdvice(*report).c_str());
  EXPECT_EQ(report->method, "hypopg");
  EXPECT_EQ(report->dialect, db::Dialect::kPostgres);
  EXPECT_EQ(report->queries, 3);
  EXPECT_TRUE(report->skipped.empty());
  ASSERT_EQ(report->recommendations.size(), 3u);
  const auto& recs = report->recommendations;
  EXPECT_EQ(Describe(recs[0]), "player_game_stats(player_id,season)");
  EXPECT_EQ(Describe(recs[1]), "play_by_play(game_id,period)");
  EXPECT_EQ(Describe(recs[2]), "games(home_team_id,game_date)");
  EXPECT_GT(recs[0].saving, recs[1].saving);
  EXPECT_GT(recs[1].saving, recs[2].saving);
  EXPECT_EQ(recs[2].create_sql,
            "CREATE INDEX idx_games_home_team_id_game_date ON games (home_team_id, game_date)");
  for (size_t i = 0; i < recs.size(); ++i) {
    SCOPED_TRACE(recs[i].create_sql);
    ASSERT_EQ(recs[i].helps.size(), 1u);
    EXPECT_EQ(recs[i].helps[0].calls, workload[i].calls);
    EXPECT_LT(recs[i].helps[0].cost_after, recs[i].helps[0].cost_before);
    EXPECT_GT(recs[i].size_bytes, 8192);  // hypopg's estimate: at least a page
  }
  EXPECT_EQ(Describe(report->existing),
            (Strings{"duplicate idx_games_away: its columns (away_team_id) are a prefix of "
                     "idx_games_away_season (away_team_id, season)",
                     "unused idx_games_away: idx_scan = 0 since stats reset",
                     "unused idx_games_away_season: idx_scan = 0 since stats reset",
                     "unused idx_pgs_pts: idx_scan = 0 since stats reset"}));
  // No hypothetical index is left behind, and no real one was made.
  EXPECT_EQ(HypotheticalIndexes(), 0);
  EXPECT_EQ(IndexNames(),
            (Strings{"games_pkey", "idx_games_away", "idx_games_away_season", "idx_pgs_pts"}));
  auto mode = connection().QueryScalar("SHOW plan_cache_mode");
  ASSERT_OK(mode);
  EXPECT_EQ(std::get<std::string>(*mode), "auto");
}

TEST_F(AdvisorPgTest, ApplyCreatesExactlyTheRecommendedIndexesAndASecondRunFindsNothing) {
  const auto workload = Workload();
  const double before_ms = WorkloadMs(workload, 5);
  AdvisorOptions options;
  options.apply = true;
  auto report = Advise(connection(), workload, options);
  ASSERT_OK(report);
  EXPECT_EQ(report->applied,
            (Strings{"CREATE INDEX IF NOT EXISTS idx_player_game_stats_player_id_season ON "
                     "player_game_stats (player_id, season)",
                     "CREATE INDEX IF NOT EXISTS idx_play_by_play_game_id_period ON play_by_play "
                     "(game_id, period)",
                     "CREATE INDEX IF NOT EXISTS idx_games_home_team_id_game_date ON games "
                     "(home_team_id, game_date)"}));
  EXPECT_EQ(IndexNames(),
            (Strings{"games_pkey", "idx_games_away", "idx_games_away_season",
                     "idx_games_home_team_id_game_date", "idx_pgs_pts",
                     "idx_play_by_play_game_id_period", "idx_player_game_stats_player_id_season"}));
  const double after_ms = WorkloadMs(workload, 5);
  std::printf("workload (3 queries x 5): %.2f ms before, %.2f ms after the indexes\n", before_ms,
              after_ms);

  auto again = Advise(connection(), workload);
  ASSERT_OK(again);
  std::printf("%s", FormatAdvice(*again).c_str());
  EXPECT_TRUE(again->recommendations.empty());
  EXPECT_LT(again->cost_before, report->cost_before * 0.1);
  EXPECT_EQ(HypotheticalIndexes(), 0);
}

TEST_F(AdvisorPgTest, WorkloadFromPgStatStatementsWithGenericPlans) {
  ASSERT_OK(connection().Query("SELECT pg_stat_statements_reset()"));
  for (int i = 0; i < 20; ++i) {
    auto statement = connection().Prepare(
        "SELECT pts, reb, ast FROM player_game_stats WHERE player_id = ? "
        "AND season = ?");
    ASSERT_OK(statement);
    (*statement)->BindAll(int64_t{i}, int64_t{2001 + i % 10});
    ASSERT_OK((*statement)->Run());
  }
  ASSERT_OK(connection().ExecuteScript("UPDATE games SET season = season WHERE game_id = 1"));
  ASSERT_OK(connection().Query("SELECT count(*) FROM pg_catalog.pg_class"));

  auto workload = WorkloadFromPgStatStatements(connection());
  ASSERT_OK(workload);
  ASSERT_EQ(workload->size(), 1u);
  const auto& query = workload->front();
  EXPECT_EQ(query.sql,
            "SELECT pts, reb, ast FROM player_game_stats WHERE player_id = $1 AND season = $2");
  EXPECT_EQ(query.calls, 20);
  EXPECT_GT(query.total_ms, 0);
  EXPECT_EQ(query.source, "pg_stat_statements");

  auto report = Advise(connection(), *workload);
  ASSERT_OK(report);
  std::printf("%s", FormatAdvice(*report).c_str());
  ASSERT_EQ(report->recommendations.size(), 1u);
  EXPECT_EQ(Describe(report->recommendations[0]), "player_game_stats(player_id,season)");
  EXPECT_EQ(HypotheticalIndexes(), 0);
}

TEST_F(AdvisorPgTest, MissingExtensionsAreNotFound) {
  ASSERT_OK(connection().ExecuteScript("DROP EXTENSION pg_stat_statements"));
  EXPECT_ERROR(WorkloadFromPgStatStatements(connection()), ErrorCode::kNotFound);
  ASSERT_OK(connection().ExecuteScript("CREATE EXTENSION pg_stat_statements"));

  ASSERT_OK(connection().ExecuteScript("DROP EXTENSION hypopg"));
  auto report = Advise(connection(), Workload());
  EXPECT_ERROR(report, ErrorCode::kNotFound);
  EXPECT_NE(report.error().message.find("hypopg"), std::string::npos);
  ASSERT_OK(connection().ExecuteScript("CREATE EXTENSION hypopg"));
}

TEST_F(AdvisorPgTest, UnusableQueriesAreSkippedAndHypotheticalIndexesReset) {
  auto workload = Workload();
  workload.push_back(WorkloadQuery{"SELECT FROM WHERE nonsense (", 5, -1, "file", {}});
  workload.push_back(WorkloadQuery{"SELECT nope FROM games WHERE season = $1", 1, -1, "file", {}});
  workload.push_back(
      WorkloadQuery{"INSERT INTO games VALUES (1, 2, 3, 4, now())", 1, -1, "file", {}});
  auto report = Advise(connection(), workload);
  ASSERT_OK(report);
  EXPECT_EQ(report->queries, 3);
  ASSERT_EQ(report->skipped.size(), 3u);
  EXPECT_TRUE(report->skipped[0].starts_with("SELECT FROM WHERE nonsense (: cannot be parsed: "))
      << report->skipped[0];
  EXPECT_EQ(report->skipped[1],
            "INSERT INTO games VALUES (1, 2, 3, 4, now()): not a read (insert)");
  // Planning comes after parsing: its failures are listed last.
  EXPECT_EQ(report->skipped[2],
            "SELECT nope FROM games WHERE season = $1: cannot be planned: column \"nope\" does not "
            "exist [SQLSTATE 42703]");
  EXPECT_EQ(report->recommendations.size(), 3u);
  EXPECT_EQ(HypotheticalIndexes(), 0);
}

}  // namespace
}  // namespace fastbreak::query
