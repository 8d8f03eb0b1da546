// The index advisor on SQLite: workload parsing, candidates, the cost model, and whole runs
// over a database whose best indexes are known by construction.
#include "query/advisor.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>

#include "db/sqlite/sqlite_database.hpp"
#include "query/advisor_internal.hpp"
#include "query/sql_model.hpp"
#include "testing/testing.hpp"

namespace fastbreak::query {
namespace {

// ---------------------------------------------------------------------------------------------
// Workload files

TEST(ParseWorkloadFileTest, SplitsStatementsAndReadsCallWeights) {
  auto workload = ParseWorkloadFile(
      "-- the nightly box scores\n"
      "-- calls: 250\n"
      "SELECT pts FROM player_game_stats WHERE player_id = ? ; \n"
      "/* a block comment; with a semicolon */\n"
      "SELECT 'a;b' AS s, \"odd;name\" FROM t WHERE x = $1;\n"
      "-- calls: 2.5\n"
      "SELECT $tag$ ; $tag$ FROM t -- trailing comment; still the same statement\n"
      "WHERE y = 1;;\n"
      "SELECT 1");
  ASSERT_OK(workload);
  ASSERT_EQ(workload->size(), 4u);
  EXPECT_EQ((*workload)[0].sql, "SELECT pts FROM player_game_stats WHERE player_id = ?");
  EXPECT_EQ((*workload)[0].calls, 250);
  EXPECT_EQ((*workload)[0].source, "file");
  EXPECT_EQ((*workload)[1].sql, "SELECT 'a;b' AS s, \"odd;name\" FROM t WHERE x = $1");
  EXPECT_EQ((*workload)[1].calls, 1);  // a weight applies to the next statement only
  EXPECT_EQ((*workload)[2].sql,
            "SELECT $tag$ ; $tag$ FROM t -- trailing comment; still the same statement\n"
            "WHERE y = 1");
  EXPECT_EQ((*workload)[2].calls, 2.5);
  EXPECT_EQ((*workload)[3].sql, "SELECT 1");
  EXPECT_EQ((*workload)[3].total_ms, -1);
}

TEST(ParseWorkloadFileTest, RejectsWorkloadsWithoutStatements) {
  EXPECT_ERROR(ParseWorkloadFile(""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParseWorkloadFile("  \n\t\n"), ErrorCode::kInvalidArgument);
  auto only_comments = ParseWorkloadFile("-- calls: 3\n/* nothing */\n-- more\n;;\n");
  EXPECT_ERROR(only_comments, ErrorCode::kInvalidArgument);
  EXPECT_NE(only_comments.error().message.find("no SQL statement"), std::string::npos);
}

TEST(ParseWorkloadFileTest, RejectsAStatementOver100KiB) {
  std::string huge = "SELECT 1 FROM t WHERE x IN (";
  while (huge.size() < 200 * 1024) huge += "12345678, ";
  huge += "0);\nSELECT 2;";
  auto workload = ParseWorkloadFile(huge);
  EXPECT_ERROR(workload, ErrorCode::kInvalidArgument);
  EXPECT_NE(workload.error().message.find("at most 102400 bytes"), std::string::npos)
      << workload.error().message;
  // The same bound holds inside a string literal.
  EXPECT_ERROR(ParseWorkloadFile("SELECT '" + std::string(150 * 1024, 'x') + "'"),
               ErrorCode::kInvalidArgument);
}

TEST(ParseWorkloadFileTest, RejectsBadWeightsAndUnterminatedText) {
  auto bad_calls = ParseWorkloadFile("SELECT 1;\n-- calls: many\nSELECT 2;");
  EXPECT_ERROR(bad_calls, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_calls.error().message.find("line 2"), std::string::npos);
  EXPECT_ERROR(ParseWorkloadFile("-- calls: 0\nSELECT 1"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParseWorkloadFile("-- calls: -4\nSELECT 1"), ErrorCode::kInvalidArgument);
  auto inside = ParseWorkloadFile("SELECT a\n-- calls: 5\nFROM t");
  EXPECT_ERROR(inside, ErrorCode::kInvalidArgument);
  EXPECT_NE(inside.error().message.find("inside a statement"), std::string::npos);
  auto unterminated = ParseWorkloadFile("SELECT 1;\nSELECT 'oops FROM t;");
  EXPECT_ERROR(unterminated, ErrorCode::kInvalidArgument);
  EXPECT_NE(unterminated.error().message.find("line 2: unterminated string"), std::string::npos)
      << unterminated.error().message;
  EXPECT_ERROR(ParseWorkloadFile("SELECT 1 /* never closed"), ErrorCode::kInvalidArgument);
  auto dollar = ParseWorkloadFile("SELECT $body$ no end;\nSELECT 2;");
  EXPECT_ERROR(dollar, ErrorCode::kInvalidArgument);
  EXPECT_NE(dollar.error().message.find("line 1: unterminated dollar-quoted string"),
            std::string::npos)
      << dollar.error().message;
}

TEST(WorkloadFromStatsTest, KeepsReadsWeightedByCallsWithTheirSamples) {
  QueryStats stats;
  for (int i = 0; i < 3; ++i) {
    stats.Record("SELECT pts FROM player_game_stats WHERE player_id = ?", db::Dialect::kSqlite,
                 std::chrono::milliseconds(4), 1, false,
                 "SELECT pts FROM player_game_stats WHERE player_id = 7");
  }
  stats.Record("INSERT INTO games (game_id) VALUES (?)", db::Dialect::kSqlite,
               std::chrono::milliseconds(50), 1, false, "INSERT INTO games (game_id) VALUES (1)");
  stats.Record("SELECT count(*) FROM games", db::Dialect::kSqlite, std::chrono::milliseconds(1), 1,
               false);
  const auto workload = WorkloadFromStats(stats);
  ASSERT_EQ(workload.size(), 2u);
  EXPECT_EQ(workload[0].sql, "SELECT pts FROM player_game_stats WHERE player_id = 7");
  EXPECT_EQ(workload[0].calls, 3);
  EXPECT_EQ(workload[0].source, "fastbreak");
  EXPECT_NEAR(workload[0].total_ms, 12, 3);
  EXPECT_EQ(workload[1].sql, "SELECT count(*) FROM games");
  EXPECT_EQ(WorkloadFromStats(stats, 1).size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Candidates, names and findings over a hand-made schema

TableInfo Table(std::string name, std::vector<std::string> columns, bool view = false) {
  TableInfo table;
  table.name = std::move(name);
  table.is_view = view;
  table.rows = view ? -1 : 1000;
  for (auto& column : columns) {
    ColumnInfo info;
    info.name = std::move(column);
    info.type = "INTEGER";
    table.columns.push_back(std::move(info));
  }
  return table;
}

IndexInfo Index(std::string name, std::string table, std::vector<std::string> columns,
                bool unique = false) {
  IndexInfo index;
  index.name = std::move(name);
  index.table = std::move(table);
  index.columns = std::move(columns);
  index.unique = unique;
  return index;
}

SchemaInfo NbaSchema() {
  SchemaInfo schema;
  schema.tables.push_back(Table("games", {"game_id", "season", "home_team_id", "game_date"}));
  schema.tables[0].columns[0].primary_key = true;
  schema.tables.push_back(Table("player_game_stats", {"player_id", "game_id", "season", "pts"}));
  schema.tables.push_back(Table("recent_games", {"game_id", "season"}, /*view=*/true));
  std::sort(schema.tables.begin(), schema.tables.end(),
            [](const TableInfo& a, const TableInfo& b) { return a.name < b.name; });
  return schema;
}

std::vector<std::string> Keys(std::string_view sql, const SchemaInfo& schema, int max_columns = 3) {
  auto model = AnalyzeSql(sql, &schema);
  EXPECT_TRUE(model.has_value()) << sql;
  if (!model) return {};
  std::vector<std::string> keys;
  for (const auto& candidate : detail::GenerateCandidates(*model, schema, max_columns)) {
    keys.push_back(candidate.Key());
  }
  return keys;
}

using Strings = std::vector<std::string>;

TEST(CandidatesTest, EqualityColumnsThenOneRangeOrTheOrderByColumns) {
  const SchemaInfo schema = NbaSchema();
  EXPECT_EQ(Keys("SELECT pts FROM player_game_stats WHERE player_id = ? AND season = ?", schema),
            Strings{"player_game_stats(player_id,season)"});
  EXPECT_EQ(Keys("SELECT * FROM games WHERE home_team_id = ? AND game_date >= ? "
                 "ORDER BY game_date",
                 schema),
            (Strings{"games(home_team_id,game_date)", "games(game_date)"}));
  EXPECT_EQ(Keys("SELECT * FROM games WHERE season IN (2020, 2021) ORDER BY home_team_id, "
                 "game_date",
                 schema),
            Strings{"games(season,home_team_id,game_date)"});
  // Each range column gets its own candidate after the equality columns.
  EXPECT_EQ(
      Keys("SELECT * FROM player_game_stats WHERE season = 3 AND pts > 30 AND game_id < 9", schema),
      (Strings{"player_game_stats(season,pts)", "player_game_stats(season,game_id)",
               "player_game_stats(pts)", "player_game_stats(game_id)"}));
}

TEST(CandidatesTest, JoinColumnsComeLastAndAlsoAlone) {
  const SchemaInfo schema = NbaSchema();
  // games.game_id is the rowid (INTEGER PRIMARY KEY): nothing to add there.
  EXPECT_EQ(Keys("SELECT s.pts FROM player_game_stats s JOIN games g ON g.game_id = s.game_id "
                 "WHERE s.player_id = ? AND g.season = ?",
                 schema),
            (Strings{"player_game_stats(player_id,game_id)", "player_game_stats(game_id)",
                     "games(season,game_id)"}));
}

TEST(CandidatesTest, LeavesOutWhatCannotUseAnIndexOrIsAlreadyServed) {
  SchemaInfo schema = NbaSchema();
  // Under OR, wrapped in a function, a view, the rowid.
  EXPECT_EQ(Keys("SELECT * FROM games WHERE season = 1 OR home_team_id = 2", schema), Strings{});
  EXPECT_EQ(Keys("SELECT * FROM games WHERE abs(season) = 2020", schema), Strings{});
  EXPECT_EQ(Keys("SELECT * FROM recent_games WHERE season = 2020", schema), Strings{});
  EXPECT_EQ(Keys("SELECT * FROM games WHERE game_id = 7", schema), Strings{});
  // An existing index whose leading columns are the candidate's serves it; a partial one does
  // not.
  schema.indexes.push_back(Index("pgs_ps", "player_game_stats", {"player_id", "season", "pts"}));
  EXPECT_EQ(Keys("SELECT pts FROM player_game_stats WHERE player_id = ? AND season = ?", schema),
            Strings{});
  EXPECT_EQ(Keys("SELECT pts FROM player_game_stats WHERE season = ? AND player_id = ?", schema),
            Strings{"player_game_stats(season,player_id)"});
  schema.indexes.push_back(Index("games_season_part", "games", {"season"}));
  schema.indexes.back().partial = true;
  EXPECT_EQ(Keys("SELECT * FROM games WHERE season = 2020", schema), Strings{"games(season)"});
}

TEST(CandidatesTest, AtMostMaxColumns) {
  const SchemaInfo schema = NbaSchema();
  EXPECT_EQ(Keys("SELECT * FROM games WHERE season = ? AND home_team_id = ? AND game_date > ?",
                 schema, 2),
            (Strings{"games(season,home_team_id)", "games(game_date)"}));
}

TEST(IndexNamesTest, ReadableQuotedAndUnique) {
  detail::Candidate candidate{"player_game_stats", {"player_id", "season"}};
  EXPECT_EQ(detail::IndexName(candidate, {}), "idx_player_game_stats_player_id_season");
  EXPECT_EQ(detail::IndexName(candidate, {"idx_player_game_stats_player_id_season"}),
            "idx_player_game_stats_player_id_season_2");
  EXPECT_EQ(detail::CreateIndexSql("idx_a", candidate),
            "CREATE INDEX idx_a ON player_game_stats (player_id, season)");
  detail::Candidate odd{"Box Score", {"order", "Team\"Id"}};
  EXPECT_EQ(detail::IndexName(odd, {}), "idx_box_score_order_team_id");
  EXPECT_EQ(detail::CreateIndexSql("idx_box_score_order_team_id", odd, true),
            "CREATE INDEX IF NOT EXISTS idx_box_score_order_team_id ON \"Box Score\" (\"order\", "
            "\"Team\"\"Id\")");
  const std::string long_name = detail::IndexName(
      {"a_very_long_table_name_for_statistics", {"first_column", "second_column"}}, {});
  EXPECT_EQ(long_name.size(), 63u);
}

std::vector<std::string> Describe(const std::vector<ExistingIndexFinding>& findings) {
  std::vector<std::string> out;
  for (const auto& finding : findings) {
    out.push_back(finding.kind + " " + finding.index + ": " + finding.evidence);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ExistingIndexesTest, DuplicatesArePrefixesOfAnotherIndex) {
  SchemaInfo schema = NbaSchema();
  schema.indexes.push_back(Index("g_season", "games", {"season"}));
  schema.indexes.push_back(Index("g_season_home", "games", {"season", "home_team_id"}));
  schema.indexes.push_back(Index("g_season_unique", "games", {"season"}, /*unique=*/true));
  schema.indexes.push_back(Index("p_a", "player_game_stats", {"player_id"}));
  schema.indexes.push_back(Index("p_b", "player_game_stats", {"player_id"}));
  schema.indexes.push_back(Index("p_game", "player_game_stats", {"game_id"}));
  const auto findings = detail::ExistingIndexFindings(schema, {}, {});
  EXPECT_EQ(Describe(findings),
            (Strings{"duplicate g_season: its columns (season) are a prefix of g_season_home "
                     "(season, home_team_id)",
                     "duplicate p_b: its columns (player_id) equal those of p_a (player_id)"}));
  EXPECT_EQ(findings[0].drop_sql, "DROP INDEX g_season");
}

TEST(ExistingIndexesTest, UnusedOnSqliteNeedsAWorkloadQueryOnTheTable) {
  SchemaInfo schema = NbaSchema();
  schema.indexes.push_back(Index("g_home", "games", {"home_team_id"}));
  schema.indexes.push_back(Index("g_date", "games", {"game_date"}));
  schema.indexes.push_back(Index("g_key", "games", {"season", "game_date"}, /*unique=*/true));
  schema.indexes.push_back(Index("p_pts", "player_game_stats", {"pts"}));
  const auto findings = detail::ExistingIndexFindings(schema, {"g_date"}, {{"games", 2}});
  EXPECT_EQ(Describe(findings),
            Strings{"unused g_home: not used by any of the 2 workload queries that read games"});
}

TEST(ExistingIndexesTest, UnusedOnPostgresIsIdxScanZero) {
  SchemaInfo schema = NbaSchema();
  schema.dialect = db::Dialect::kPostgres;
  schema.indexes.push_back(Index("g_home", "games", {"home_team_id"}));
  schema.indexes.back().scans = 0;
  schema.indexes.push_back(Index("g_date", "games", {"game_date"}));
  schema.indexes.back().scans = 12;
  schema.indexes.push_back(Index("games_pkey", "games", {"game_id"}, /*unique=*/true));
  schema.indexes.back().primary = true;
  schema.indexes.back().scans = 0;
  schema.indexes.push_back(Index("p_pts", "player_game_stats", {"pts"}));  // scans unknown
  EXPECT_EQ(Describe(detail::ExistingIndexFindings(schema, {}, {})),
            Strings{"unused g_home: idx_scan = 0 since stats reset"});
}

// ---------------------------------------------------------------------------------------------
// The SQLite cost model

detail::PlanCost Cost(const std::vector<SqlitePlanRow>& rows) {
  static const std::map<std::string, double> table_rows{{"games", 20000}, {"pgs", 200000}};
  static const std::map<std::string, std::vector<double>> index_stats{
      {"pgs_player_season", {200000, 250, 16}}};
  static const std::map<std::string, std::string> aliases{{"p", "pgs"}, {"g", "games"}};
  return detail::SqlitePlanCost(ParseSqlitePlan(rows),
                                detail::SqliteCostInputs{&table_rows, &index_stats, &aliases});
}

TEST(SqliteCostModelTest, ScansSearchesSortsAndNestedLoops) {
  const double log_pgs = std::log2(200000.0);
  const double log_games = std::log2(20000.0);
  auto scan = Cost({{2, 0, "SCAN p"}});
  EXPECT_DOUBLE_EQ(scan.cost, 200000);
  EXPECT_EQ(scan.tables, std::set<std::string>{"pgs"});
  EXPECT_TRUE(scan.indexes.empty());

  // Two equality columns: 16 rows per key, each then fetched from the table.
  auto search =
      Cost({{3, 0, "SEARCH pgs USING INDEX pgs_player_season (player_id=? AND season=?)"}});
  EXPECT_DOUBLE_EQ(search.cost, log_pgs + 16 * (1 + log_pgs));
  EXPECT_EQ(search.indexes, std::set<std::string>{"pgs_player_season"});
  // Covering: no fetch. One equality and a range: 250 / 3 rows.
  auto covering = Cost(
      {{3, 0, "SEARCH pgs USING COVERING INDEX pgs_player_season (player_id=? AND season>?)"}});
  EXPECT_DOUBLE_EQ(covering.cost, log_pgs + 250.0 / 3);

  // A sort over the rows reaching it.
  auto sorted = Cost({{2, 0, "SCAN games"}, {10, 0, "USE TEMP B-TREE FOR ORDER BY"}});
  EXPECT_DOUBLE_EQ(sorted.cost, 20000 + 20000 * log_games);

  // Nested loop: the inner search runs once per outer row.
  auto join =
      Cost({{3, 0, "SCAN g"}, {5, 0, "SEARCH p USING INDEX pgs_player_season (player_id=?)"}});
  EXPECT_DOUBLE_EQ(join.cost, 20000 + 20000 * (log_pgs + 250 * (1 + log_pgs)));
  EXPECT_EQ(join.tables, (std::set<std::string>{"games", "pgs"}));

  // A skip-scan: one seek per player (200000 / 250 of them), then 16 rows per key.
  auto skip_scan =
      Cost({{3, 0, "SEARCH pgs USING INDEX pgs_player_season (ANY(player_id) AND season=?)"}});
  EXPECT_DOUBLE_EQ(skip_scan.cost, 800 * log_pgs + 16 * (1 + log_pgs));

  // The rowid: one row.
  auto rowid = Cost({{2, 0, "SEARCH games USING INTEGER PRIMARY KEY (rowid=?)"}});
  EXPECT_DOUBLE_EQ(rowid.cost, log_games + 1);
}

TEST(SqliteCostModelTest, SubqueriesAreCostedOnceOrPerRowWhenCorrelated) {
  const double log_games = std::log2(20000.0);
  auto list = Cost({{2, 0, "SCAN p"}, {4, 0, "LIST SUBQUERY 1"}, {6, 4, "SCAN games"}});
  EXPECT_DOUBLE_EQ(list.cost, 200000 + 20000);
  auto correlated = Cost({{2, 0, "SCAN games"},
                          {4, 0, "CORRELATED SCALAR SUBQUERY 1"},
                          {6, 4, "SEARCH games USING INTEGER PRIMARY KEY (rowid=?)"}});
  EXPECT_DOUBLE_EQ(correlated.cost, 20000 + 20000 * (log_games + 1));
  auto coroutine = Cost({{2, 0, "CO-ROUTINE (subquery-1)"},
                         {5, 2, "SCAN games"},
                         {20, 0, "SCAN (subquery-1)"},
                         {30, 0, "USE TEMP B-TREE FOR ORDER BY"}});
  EXPECT_DOUBLE_EQ(coroutine.cost, 20000 + 20000 + 20000 * log_games);
}

TEST(SqliteCostModelTest, SampledDistinctEstimate) {
  // Every value seen several times: the sample saw them all.
  EXPECT_DOUBLE_EQ(detail::EstimateDistinct(1e7, 1e5, 800, 0), 800);
  // All values distinct in the sample: scaled up by sqrt(rows / sample).
  EXPECT_DOUBLE_EQ(detail::EstimateDistinct(1e7, 1e5, 1e5, 1e5), 1e6);
  // Never above the rows.
  EXPECT_DOUBLE_EQ(detail::EstimateDistinct(400, 100, 100, 100), 200);
  EXPECT_DOUBLE_EQ(detail::EstimateDistinct(1e6, 0, 0, 0), 1);
}

// ---------------------------------------------------------------------------------------------
// Whole runs on a database built so that its best indexes are known

// player_game_stats: 200,000 rows, 800 players x 17 seasons (~15 rows per player and season).
// play_by_play: 100,000 rows, 2,000 games x 4 periods (~12 rows per game and period).
// games: 20,000 rows, 30 home teams, dates over ~4.5 years.
// Existing indexes no workload query wants: one on pts, and on games a (season) index that is
// a prefix of (away_team_id, season).
constexpr std::string_view kNbaSchema = R"sql(
CREATE TABLE games (game_id INTEGER PRIMARY KEY, season INTEGER NOT NULL,
  home_team_id INTEGER NOT NULL, away_team_id INTEGER NOT NULL, game_date TEXT NOT NULL);
CREATE TABLE player_game_stats (player_id INTEGER NOT NULL, game_id INTEGER NOT NULL,
  season INTEGER NOT NULL, pts INTEGER, reb INTEGER, ast INTEGER);
CREATE TABLE play_by_play (game_id INTEGER NOT NULL, period INTEGER NOT NULL,
  event_num INTEGER NOT NULL, description TEXT);
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 19999)
INSERT INTO games SELECT x, 2000 + x / 1230, x % 30 + 1, (x / 30 + x) % 30 + 1,
  date('2000-01-01', '+' || (x / 12) || ' days') FROM n;
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 199999)
INSERT INTO player_game_stats SELECT x % 800, x / 10, 2000 + (x / 10) / 1230, (x * 7) % 40,
  x % 15, x % 11 FROM n;
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 99999)
INSERT INTO play_by_play SELECT x / 50, (x % 50) / 13 + 1, x % 50, 'event ' || x FROM n;
CREATE INDEX idx_pgs_pts ON player_game_stats (pts);
CREATE INDEX idx_games_away ON games (away_team_id);
CREATE INDEX idx_games_away_season ON games (away_team_id, season);
)sql";

// Lookups by player and season, by game and period, by team and date range in date order.
// The weights make the order of the savings that of the greedy choice.
constexpr std::string_view kWorkload = R"sql(
-- calls: 1000
SELECT pts, reb, ast FROM player_game_stats WHERE player_id = 17 AND season = 2005;
-- calls: 30
SELECT event_num, description FROM play_by_play WHERE game_id = 1234 AND period = 2;
-- calls: 1
SELECT game_id, game_date FROM games WHERE home_team_id = 5 AND game_date >= '2003-01-01'
ORDER BY game_date;
)sql";

class AdvisorSqliteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    template_dir_ = new testing::TempDir();
    template_status_ = new Status(Build(template_dir_->File("nba.db")));
  }
  static void TearDownTestSuite() {
    delete template_status_;
    template_status_ = nullptr;
    delete template_dir_;
    template_dir_ = nullptr;
  }

  static Status Build(const std::string& path) {
    FB_ASSIGN_OR_RETURN(auto database, db::SqliteDatabase::Open(db::SqliteOptions{path}));
    FB_ASSIGN_OR_RETURN(auto connection, database->Connect(db::AccessMode::kReadWrite));
    FB_RETURN_IF_ERROR(connection->ExecuteScript(kNbaSchema));
    return connection->ExecuteScript("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)");
  }

  void SetUp() override {
    ASSERT_OK(*template_status_);
    std::filesystem::copy_file(template_dir_->File("nba.db"), dir_.File("nba.db"));
    Open(dir_.File("nba.db"));
  }

  void Open(const std::string& path) {
    connection_.reset();
    auto database = db::SqliteDatabase::Open(db::SqliteOptions{path});
    ASSERT_OK(database);
    database_ = std::move(*database);
    auto connection = database_->Connect(db::AccessMode::kReadWrite);
    ASSERT_OK(connection);
    connection_ = std::move(*connection);
  }

  db::Connection& connection() { return *connection_; }

  static std::vector<WorkloadQuery> Workload() {
    auto workload = ParseWorkloadFile(kWorkload);
    EXPECT_TRUE(workload.has_value());
    return workload.value_or(std::vector<WorkloadQuery>{});
  }

  // Milliseconds to run every workload query `repeats` times.
  double WorkloadMs(const std::vector<WorkloadQuery>& workload, int repeats) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < repeats; ++i) {
      for (const auto& query : workload) EXPECT_OK(connection().Query(query.sql));
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  }

  std::vector<std::string> IndexNames() {
    auto result = connection().Query(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
    EXPECT_TRUE(result.has_value());
    std::vector<std::string> names;
    if (result) {
      for (const auto& row : result->rows) names.push_back(std::get<std::string>(row[0]));
    }
    return names;
  }

  std::string PlanOf(const std::string& sql) {
    auto result = connection().Query("EXPLAIN QUERY PLAN " + sql);
    EXPECT_TRUE(result.has_value());
    std::string plan;
    if (result) {
      for (const auto& row : result->rows) plan += std::get<std::string>(row[3]) + "; ";
    }
    return plan;
  }

  static inline testing::TempDir* template_dir_ = nullptr;
  static inline Status* template_status_ = nullptr;
  testing::TempDir dir_;
  std::unique_ptr<db::SqliteDatabase> database_;
  std::unique_ptr<db::Connection> connection_;
};

std::string Describe(const Recommendation& recommendation) {
  std::string out = recommendation.table + "(";
  for (size_t i = 0; i < recommendation.columns.size(); ++i) {
    out += (i > 0 ? "," : "") + recommendation.columns[i];
  }
  return out + ")";
}

TEST_F(AdvisorSqliteTest, RecommendsExactlyTheHelpfulIndexesRankedBySaving) {
  const auto workload = Workload();
  auto report = Advise(connection(), workload);
  ASSERT_OK(report);
  std::printf("%s", FormatAdvice(*report).c_str());

  EXPECT_EQ(report->method, "sqlite-what-if");
  EXPECT_EQ(report->dialect, db::Dialect::kSqlite);
  EXPECT_EQ(report->queries, 3);
  EXPECT_TRUE(report->skipped.empty());
  EXPECT_FALSE(report->budget_exhausted);
  EXPECT_GE(report->candidates, 3);
  ASSERT_EQ(report->recommendations.size(), 3u);
  const auto& recs = report->recommendations;
  EXPECT_EQ(Describe(recs[0]), "player_game_stats(player_id,season)");
  EXPECT_EQ(Describe(recs[1]), "play_by_play(game_id,period)");
  EXPECT_EQ(Describe(recs[2]), "games(home_team_id,game_date)");
  EXPECT_GT(recs[0].saving, recs[1].saving);
  EXPECT_GT(recs[1].saving, recs[2].saving);
  EXPECT_EQ(recs[0].create_sql,
            "CREATE INDEX idx_player_game_stats_player_id_season ON player_game_stats "
            "(player_id, season)");
  EXPECT_EQ(recs[1].create_sql,
            "CREATE INDEX idx_play_by_play_game_id_period ON play_by_play (game_id, period)");
  EXPECT_EQ(recs[2].create_sql,
            "CREATE INDEX idx_games_home_team_id_game_date ON games (home_team_id, game_date)");
  double saved = 0;
  for (size_t i = 0; i < recs.size(); ++i) {
    SCOPED_TRACE(recs[i].create_sql);
    ASSERT_EQ(recs[i].helps.size(), 1u);
    EXPECT_EQ(recs[i].helps[0].sql, detail::Shorten(workload[i].sql, 300));
    EXPECT_EQ(recs[i].helps[0].calls, workload[i].calls);
    EXPECT_LT(recs[i].helps[0].cost_after, recs[i].helps[0].cost_before / 10);
    EXPECT_NEAR(recs[i].saving,
                workload[i].calls * (recs[i].helps[0].cost_before - recs[i].helps[0].cost_after),
                1e-6 * recs[i].saving);
    EXPECT_NEAR(recs[i].saving_fraction, recs[i].saving / report->cost_before, 1e-9);
    EXPECT_GT(recs[i].size_bytes, 0);
    saved += recs[i].saving;
  }
  // The player index: 200,000 rows of (3-digit id, 4-digit season, rowid, header).
  EXPECT_NEAR(recs[0].size_bytes, 200000 * (2.9 + 4 + 12), 200000 * 0.5);
  EXPECT_NEAR(report->cost_before - report->cost_after, saved, 1e-6 * saved);
  EXPECT_LT(report->cost_after, report->cost_before * 0.01);

  // The existing indexes: none is used; (season) is a prefix of (away_team_id, season).
  EXPECT_EQ(
      Describe(report->existing),
      (Strings{"duplicate idx_games_away: its columns (away_team_id) are a prefix of "
               "idx_games_away_season (away_team_id, season)",
               "unused idx_games_away: not used by any of the 1 workload query that read games",
               "unused idx_games_away_season: not used by any of the 1 workload query that read "
               "games",
               "unused idx_pgs_pts: not used by any of the 1 workload query that read "
               "player_game_stats"}));
  EXPECT_TRUE(report->applied.empty());
  // Nothing was created in the real database.
  EXPECT_EQ(IndexNames(), (Strings{"idx_games_away", "idx_games_away_season", "idx_pgs_pts"}));
}

TEST_F(AdvisorSqliteTest, ApplyCreatesExactlyTheRecommendedIndexesAndASecondRunFindsNothing) {
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
            (Strings{"idx_games_away", "idx_games_away_season", "idx_games_home_team_id_game_date",
                     "idx_pgs_pts", "idx_play_by_play_game_id_period",
                     "idx_player_game_stats_player_id_season"}));
  // The real planner now uses them, with statistics (ANALYZE ran on their tables).
  EXPECT_NE(PlanOf(workload[0].sql).find("INDEX idx_player_game_stats_player_id_season"),
            std::string::npos);
  EXPECT_NE(PlanOf(workload[1].sql).find("INDEX idx_play_by_play_game_id_period"),
            std::string::npos);
  EXPECT_NE(PlanOf(workload[2].sql).find("INDEX idx_games_home_team_id_game_date"),
            std::string::npos);
  auto stat_rows = connection().QueryScalar(
      "SELECT count(*) FROM sqlite_stat1 WHERE idx IN ('idx_player_game_stats_player_id_season', "
      "'idx_play_by_play_game_id_period', 'idx_games_home_team_id_game_date')");
  ASSERT_OK(stat_rows);
  EXPECT_EQ(std::get<int64_t>(*stat_rows), 3);
  const double after_ms = WorkloadMs(workload, 5);
  std::printf("workload (3 queries x 5): %.2f ms before, %.2f ms after the indexes\n", before_ms,
              after_ms);

  auto again = Advise(connection(), workload);
  ASSERT_OK(again);
  std::printf("%s", FormatAdvice(*again).c_str());
  EXPECT_TRUE(again->recommendations.empty());
  // Only games(game_date) is left to try: the new indexes serve the other candidates.
  EXPECT_EQ(again->candidates, 1);
  EXPECT_NEAR(again->cost_before, report->cost_after, 0.05 * report->cost_after);
  for (const auto& finding : again->existing) {
    EXPECT_EQ(finding.index.find("idx_games_home"), std::string::npos) << finding.evidence;
    EXPECT_EQ(finding.index.find("idx_play"), std::string::npos) << finding.evidence;
  }
}

TEST_F(AdvisorSqliteTest, QueriesItCannotUseAreSkippedWithTheReason) {
  auto workload = Workload();
  workload.push_back(WorkloadQuery{"SELECT FROM WHERE nonsense (", 5, -1, "file", {}});
  workload.push_back(WorkloadQuery{"DELETE FROM games WHERE game_id = 1", 1, -1, "file", {}});
  workload.push_back(
      WorkloadQuery{"SELECT missing_column FROM games WHERE season = 2001", 1, -1, "file", {}});
  workload.push_back(WorkloadQuery{"SELECT 1 + 1", 1, -1, "file", {}});
  auto report = Advise(connection(), workload);
  ASSERT_OK(report);
  EXPECT_EQ(report->queries, 3);
  ASSERT_EQ(report->skipped.size(), 4u);
  EXPECT_TRUE(report->skipped[0].starts_with("SELECT FROM WHERE nonsense (: cannot be parsed: "))
      << report->skipped[0];
  EXPECT_EQ(report->skipped[1], "DELETE FROM games WHERE game_id = 1: not a read (delete)");
  EXPECT_EQ(report->skipped[2], "SELECT 1 + 1: reads no table of the database");
  // Planning comes after parsing: its failures are listed last.
  EXPECT_EQ(report->skipped[3],
            "SELECT missing_column FROM games WHERE season = 2001: cannot be planned: no such "
            "column: missing_column");
  EXPECT_EQ(report->recommendations.size(), 3u);
  // Nothing was deleted.
  auto games = connection().QueryScalar("SELECT count(*) FROM games");
  ASSERT_OK(games);
  EXPECT_EQ(std::get<int64_t>(*games), 20000);
}

TEST_F(AdvisorSqliteTest, QueriesWithPlaceholdersArePlannedWithoutValues) {
  auto workload = ParseWorkloadFile(
      "-- calls: 1000\n"
      "SELECT pts FROM player_game_stats WHERE player_id = ? AND season = ?2;\n"
      "-- calls: 30\n"
      "SELECT event_num FROM play_by_play WHERE game_id = $1 AND period = $2;\n"
      "SELECT game_id FROM games WHERE home_team_id = :team AND game_date >= :since "
      "ORDER BY game_date;");
  ASSERT_OK(workload);
  auto report = Advise(connection(), *workload);
  ASSERT_OK(report);
  EXPECT_TRUE(report->skipped.empty());
  ASSERT_EQ(report->recommendations.size(), 3u);
  EXPECT_EQ(Describe(report->recommendations[0]), "player_game_stats(player_id,season)");
  EXPECT_EQ(Describe(report->recommendations[1]), "play_by_play(game_id,period)");
  EXPECT_EQ(Describe(report->recommendations[2]), "games(home_team_id,game_date)");
}

TEST_F(AdvisorSqliteTest, PgStatStatementsIsPostgresOnly) {
  EXPECT_ERROR(WorkloadFromPgStatStatements(connection()), ErrorCode::kUnsupported);
}

TEST_F(AdvisorSqliteTest, TimeBudgetStopsTheSearch) {
  AdvisorOptions options;
  options.time_budget = std::chrono::milliseconds(0);
  auto report = Advise(connection(), Workload(), options);
  ASSERT_OK(report);
  EXPECT_TRUE(report->budget_exhausted);
  EXPECT_TRUE(report->recommendations.empty());
  EXPECT_NE(FormatAdvice(*report).find("The time budget ran out"), std::string::npos);
}

TEST_F(AdvisorSqliteTest, MinGainAndMaxRecommendationsBoundTheChoice) {
  AdvisorOptions options;
  options.max_recommendations = 1;
  auto one = Advise(connection(), Workload(), options);
  ASSERT_OK(one);
  ASSERT_EQ(one->recommendations.size(), 1u);
  EXPECT_EQ(Describe(one->recommendations[0]), "player_game_stats(player_id,season)");
  // The games index saves about half of what is left after the first two; the play_by_play
  // one over 80% of what is left after the first.
  options.max_recommendations = 10;
  options.min_gain = 0.6;
  auto strict = Advise(connection(), Workload(), options);
  ASSERT_OK(strict);
  ASSERT_EQ(strict->recommendations.size(), 2u);
  EXPECT_EQ(Describe(strict->recommendations[1]), "play_by_play(game_id,period)");
}

TEST_F(AdvisorSqliteTest, ReportsProgress) {
  std::vector<std::string> steps;
  AdvisorOptions options;
  options.progress = [&](int done, int total, std::string_view what) {
    steps.push_back(fmt::format("{}/{} {}", done, total, what));
  };
  ASSERT_OK(Advise(connection(), Workload(), options));
  ASSERT_FALSE(steps.empty());
  EXPECT_TRUE(steps.front().starts_with("0/3 baseline: SELECT pts")) << steps.front();
  EXPECT_NE(std::find(steps.begin(), steps.end(), "3/3 baseline done"), steps.end());
  EXPECT_TRUE(std::any_of(steps.begin(), steps.end(), [](const std::string& step) {
    return step.find("round 1: player_game_stats(player_id,season)") != std::string::npos;
  }));
}

TEST_F(AdvisorSqliteTest, RefusesBadOptionsAndApplyOnAReadOnlyConnection) {
  AdvisorOptions options;
  options.max_columns = 0;
  EXPECT_ERROR(Advise(connection(), Workload(), options), ErrorCode::kInvalidArgument);
  options = {};
  options.min_gain = -1;
  EXPECT_ERROR(Advise(connection(), Workload(), options), ErrorCode::kInvalidArgument);
  options = {};
  options.apply = true;
  auto read_only = database_->Connect(db::AccessMode::kReadOnly);
  ASSERT_OK(read_only);
  EXPECT_ERROR(Advise(**read_only, Workload(), options), ErrorCode::kPermissionDenied);
  // Without apply a read-only connection is enough.
  auto report = Advise(**read_only, Workload());
  ASSERT_OK(report);
  EXPECT_EQ(report->recommendations.size(), 3u);
}

TEST_F(AdvisorSqliteTest, WorksWithoutSqliteStat1) {
  ASSERT_OK(connection().ExecuteScript("DROP TABLE sqlite_stat1"));
  auto report = Advise(connection(), Workload());
  ASSERT_OK(report);
  ASSERT_EQ(report->recommendations.size(), 3u);
  EXPECT_EQ(Describe(report->recommendations[0]), "player_game_stats(player_id,season)");
  // The real database was left as it was.
  auto stat1 =
      connection().QueryScalar("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'");
  ASSERT_OK(stat1);
  EXPECT_EQ(std::get<int64_t>(*stat1), 0);
}

TEST_F(AdvisorSqliteTest, SampledDistinctCountsGiveCostsCloseToExactOnes) {
  auto schema = LoadSchemaInfo(connection());
  ASSERT_OK(schema);
  const detail::Candidate candidate{"player_game_stats", {"player_id", "season"}};
  const std::string sql = "SELECT pts FROM player_game_stats WHERE player_id = 1 AND season = 2003";
  auto cost_with = [&](const detail::SqliteWhatIfOptions& options) -> double {
    auto engine = detail::MakeSqliteWhatIf(connection(), *schema, options);
    EXPECT_TRUE(engine.has_value());
    if (!engine) return -1;
    auto names = (*engine)->SetIndexes(std::span<const detail::Candidate>(&candidate, 1));
    EXPECT_TRUE(names.has_value());
    auto cost = (*engine)->Cost(sql, {});
    EXPECT_TRUE(cost.has_value());
    if (!names || !cost) return -1;
    EXPECT_EQ(cost->indexes.count(names->front()), 1u);
    return cost->cost;
  };
  const double exact = cost_with({});
  detail::SqliteWhatIfOptions sampled;
  sampled.exact_distinct_max_rows = 1000;
  sampled.sample_rows = 20000;
  const double estimated = cost_with(sampled);
  EXPECT_GT(exact, 0);
  // GEE underestimates rows per key when most keys are seen once or twice in the sample.
  EXPECT_NEAR(estimated, exact, exact * 0.5);
}

TEST_F(AdvisorSqliteTest, ReportAsJsonAndText) {
  auto report = Advise(connection(), Workload());
  ASSERT_OK(report);
  const nlohmann::json json = ToJson(*report);
  EXPECT_EQ(json["dialect"], "sqlite");
  EXPECT_EQ(json["method"], "sqlite-what-if");
  EXPECT_EQ(json["queries"], 3);
  ASSERT_EQ(json["recommendations"].size(), 3u);
  EXPECT_EQ(json["recommendations"][0]["columns"], (nlohmann::json{"player_id", "season"}));
  EXPECT_EQ(json["recommendations"][0]["create_sql"], report->recommendations[0].create_sql);
  EXPECT_EQ(json["recommendations"][0]["helps"][0]["calls"], 1000);
  EXPECT_EQ(json["existing"].size(), 4u);
  EXPECT_EQ(json["existing"][0]["drop_sql"], report->existing[0].drop_sql);
  EXPECT_EQ(json["budget_exhausted"], false);

  const std::string text = FormatAdvice(*report);
  EXPECT_NE(text.find("Index advice (sqlite-what-if): 3 queries"), std::string::npos) << text;
  EXPECT_NE(text.find("1. CREATE INDEX idx_player_game_stats_player_id_season ON "
                      "player_game_stats (player_id, season);"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Unused indexes:\n  idx_games_away on games"), std::string::npos) << text;
  EXPECT_NE(text.find("Duplicate indexes:\n  idx_games_away on games: its columns (away_team_id)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("DROP INDEX idx_pgs_pts;"), std::string::npos) << text;
  EXPECT_NE(text.find("helps 1 query:\n     1000 x 200000 -> "), std::string::npos) << text;
  EXPECT_NE(text.find("\n     30 x 100000 -> "), std::string::npos) << text;
}

}  // namespace
}  // namespace fastbreak::query
