// The schema LoadSchemaInfo reads from a real SQLite file (with and without ANALYZE), and the
// lint over it: query by query, the exact set of rules reported and the evidence that
// justifies each; the schema-free mode; SQL the parser does not accept; the bounds.
#include "query/lint.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/sqlite/sqlite_database.hpp"
#include "query/schema_info.hpp"
#include "query/sql_model.hpp"
#include "testing/testing.hpp"

namespace fastbreak::query {
namespace {

using Strings = std::vector<std::string>;

// teams (30 rows), players (300), games (1,230), player_game_stats (5,000, of which
// sqlite_stat1 is told 1,204,330 by AnalyzeAsIfLarge), notes (no index), and a view.
class SqliteSchemaFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = db::SqliteDatabase::Open({.path = dir_.File("nba.db")});
    ASSERT_OK(database);
    database_ = std::move(*database);
    auto connection = database_->Connect(db::AccessMode::kReadWrite);
    ASSERT_OK(connection);
    connection_ = std::move(*connection);
    ASSERT_OK(connection_->ExecuteScript(R"sql(
      CREATE TABLE teams (team_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, city TEXT);
      CREATE TABLE players (player_id INTEGER PRIMARY KEY, full_name TEXT NOT NULL,
                            team_id INTEGER REFERENCES teams (team_id));
      CREATE INDEX idx_players_name ON players (full_name);
      CREATE INDEX idx_players_upper ON players (upper(full_name));
      CREATE TABLE games (game_id INTEGER PRIMARY KEY, season INTEGER NOT NULL,
                          home_team_id INTEGER, away_team_id INTEGER);
      CREATE INDEX idx_games_season ON games (season, home_team_id);
      CREATE INDEX idx_games_away ON games (away_team_id) WHERE away_team_id IS NOT NULL;
      CREATE TABLE player_game_stats (player_id INTEGER NOT NULL, game_id INTEGER NOT NULL,
                                      pts INTEGER, season INTEGER, team_id INTEGER,
                                      PRIMARY KEY (player_id, game_id));
      CREATE INDEX idx_stats_game ON player_game_stats (game_id);
      CREATE TABLE notes (body TEXT);
      CREATE VIEW big_games AS SELECT player_id, pts FROM player_game_stats WHERE pts > 30;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
        INSERT INTO teams SELECT i, 'team ' || i, 'city ' || i FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
        INSERT INTO player_game_stats SELECT i % 300, i, i % 50, 2020 + i % 4, i % 30 FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1230)
        INSERT INTO games SELECT i, 2020 + i % 4, 1 + i % 30, NULL FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
        INSERT INTO players SELECT i, 'player ' || i, 1 + i % 30 FROM n;
      INSERT INTO notes VALUES ('a'), ('b');
    )sql"));
  }

  // ANALYZE, then make player_game_stats look like the real table (1,204,330 rows).
  void AnalyzeAsIfLarge() {
    ASSERT_OK(connection_->ExecuteScript(
        "ANALYZE; UPDATE sqlite_stat1 SET stat = '1204330 4 1' WHERE tbl = "
        "'player_game_stats' AND idx = 'idx_stats_game'; "
        "UPDATE sqlite_stat1 SET stat = '1204330 4 1' WHERE tbl = 'player_game_stats' "
        "AND idx <> 'idx_stats_game'"));
  }

  SchemaInfo Load() {
    auto schema = LoadSchemaInfo(*connection_);
    EXPECT_TRUE(schema.has_value()) << schema.error().ToString();
    return schema ? std::move(*schema) : SchemaInfo{};
  }

  static const IndexInfo* Index(const SchemaInfo& schema, std::string_view name) {
    for (const IndexInfo& index : schema.indexes) {
      if (index.name == name) return &index;
    }
    return nullptr;
  }

  testing::TempDir dir_;
  std::unique_ptr<db::SqliteDatabase> database_;
  std::unique_ptr<db::Connection> connection_;
};

using SchemaInfoSqliteTest = SqliteSchemaFixture;

TEST_F(SchemaInfoSqliteTest, TablesColumnsAndIndexesWithoutAnalyze) {
  SchemaInfo schema = Load();
  EXPECT_EQ(schema.dialect, db::Dialect::kSqlite);
  Strings names;
  for (const TableInfo& table : schema.tables) names.push_back(table.name);
  EXPECT_EQ(names,
            (Strings{"big_games", "games", "notes", "player_game_stats", "players", "teams"}));

  const TableInfo* stats = schema.FindTable("Player_Game_Stats");
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(stats->rows, 5000);
  EXPECT_EQ(stats->rows_source, "count(*)");
  ASSERT_EQ(stats->columns.size(), 5u);
  EXPECT_EQ(stats->columns[0].name, "player_id");
  EXPECT_EQ(stats->columns[0].type, "INTEGER");
  EXPECT_TRUE(stats->columns[0].not_null);
  EXPECT_TRUE(stats->columns[0].primary_key);
  EXPECT_TRUE(stats->columns[1].primary_key);
  EXPECT_FALSE(stats->columns[2].not_null);
  EXPECT_FALSE(stats->columns[2].primary_key);
  EXPECT_EQ(schema.FindTable("games")->rows, 1230);
  EXPECT_FALSE(schema.FindTable("games")->FindColumn("HOME_TEAM_ID")->not_null);
  EXPECT_TRUE(schema.FindTable("teams")->FindColumn("team_id")->primary_key);

  const TableInfo* view = schema.FindTable("big_games");
  EXPECT_TRUE(view->is_view);
  EXPECT_EQ(view->rows, -1);
  EXPECT_EQ(view->columns.size(), 2u);

  Strings indexes;
  for (const IndexInfo& index : schema.indexes) indexes.push_back(index.table + "." + index.name);
  EXPECT_EQ(
      indexes,
      (Strings{"games.idx_games_away", "games.idx_games_season", "player_game_stats.idx_stats_game",
               "player_game_stats.sqlite_autoindex_player_game_stats_1", "players.idx_players_name",
               "players.idx_players_upper", "teams.sqlite_autoindex_teams_1"}));
  const IndexInfo* pk = Index(schema, "sqlite_autoindex_player_game_stats_1");
  EXPECT_TRUE(pk->primary);
  EXPECT_TRUE(pk->unique);
  EXPECT_EQ(pk->columns, (Strings{"player_id", "game_id"}));
  EXPECT_TRUE(pk->definition.empty());
  const IndexInfo* unique = Index(schema, "sqlite_autoindex_teams_1");
  EXPECT_TRUE(unique->unique);
  EXPECT_FALSE(unique->primary);
  const IndexInfo* partial = Index(schema, "idx_games_away");
  EXPECT_TRUE(partial->partial);
  EXPECT_EQ(partial->definition,
            "CREATE INDEX idx_games_away ON games (away_team_id) WHERE away_team_id IS NOT NULL");
  const IndexInfo* composite = Index(schema, "idx_games_season");
  EXPECT_EQ(composite->columns, (Strings{"season", "home_team_id"}));
  EXPECT_FALSE(composite->partial);
  EXPECT_GT(composite->size_bytes, 0);  // from dbstat
  EXPECT_EQ(composite->scans, -1);
  EXPECT_EQ(Index(schema, "idx_players_upper")->columns, (Strings{"<expr>"}));

  EXPECT_TRUE(schema.HasIndexLeadingWith("PLAYERS", "Full_Name"));
  EXPECT_FALSE(schema.HasIndexLeadingWith("games", "home_team_id"));
  EXPECT_EQ(schema.IndexesOf("games").size(), 2u);
  EXPECT_TRUE(schema.IndexesOf("notes").empty());
}

TEST_F(SchemaInfoSqliteTest, RowsFromSqliteStat1AfterAnalyze) {
  AnalyzeAsIfLarge();
  ASSERT_OK(connection_->ExecuteScript(
      "CREATE TABLE later (a INTEGER); INSERT INTO later VALUES (1), (2), (3)"));
  SchemaInfo schema = Load();
  EXPECT_EQ(schema.FindTable("player_game_stats")->rows, 1204330);
  EXPECT_EQ(schema.FindTable("player_game_stats")->rows_source, "sqlite_stat1");
  EXPECT_EQ(schema.FindTable("games")->rows, 1230);
  EXPECT_EQ(schema.FindTable("games")->rows_source, "sqlite_stat1");
  // A table without an index has a stat row of its own (idx NULL).
  EXPECT_EQ(schema.FindTable("notes")->rows, 2);
  EXPECT_EQ(schema.FindTable("notes")->rows_source, "sqlite_stat1");
  // Created after ANALYZE: no stat row, so counted.
  EXPECT_EQ(schema.FindTable("later")->rows, 3);
  EXPECT_EQ(schema.FindTable("later")->rows_source, "count(*)");
  EXPECT_EQ(schema.FindTable("sqlite_stat1"), nullptr);
}

TEST_F(SchemaInfoSqliteTest, AtMost2000Tables) {
  std::string script = "BEGIN;";
  for (int i = 0; i < 1995; ++i) script += "CREATE TABLE t" + std::to_string(i) + " (a);";
  script += "COMMIT;";
  ASSERT_OK(connection_->ExecuteScript(script));
  EXPECT_ERROR(LoadSchemaInfo(*connection_), ErrorCode::kPayloadTooLarge);
}

// --- lint ---

class LintTest : public SqliteSchemaFixture {
 protected:
  void SetUp() override {
    SqliteSchemaFixture::SetUp();
    if (HasFatalFailure()) return;
    AnalyzeAsIfLarge();
    schema_ = Load();
  }

  std::vector<Finding> Lint(std::string_view sql, const LintOptions& options = {}) {
    return LintSql(sql, &schema_, options);
  }

  SchemaInfo schema_;
};

Strings Rules(const std::vector<Finding>& findings) {
  Strings rules;
  for (const Finding& finding : findings) rules.push_back(finding.rule);
  return rules;
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "'" << (text) << "'"

TEST_F(LintTest, CleanQueryHasNoFindings) {
  EXPECT_EQ(Rules(Lint("SELECT s.pts FROM player_game_stats s WHERE s.player_id = ? AND "
                       "s.game_id = ? ORDER BY s.pts")),
            Strings{});
  EXPECT_EQ(Rules(Lint("SELECT name, city FROM teams ORDER BY name")), Strings{});  // small
}

TEST_F(LintTest, MissingWhere) {
  auto findings = Lint("SELECT player_id, pts FROM player_game_stats");
  EXPECT_EQ(Rules(findings), (Strings{"missing_where"}));
  const Finding& finding = findings[0];
  EXPECT_EQ(finding.severity, Severity::kWarning);
  EXPECT_EQ(finding.evidence,
            "player_game_stats has ~1,204,330 rows (sqlite_stat1) and the query reads it "
            "without WHERE or LIMIT");
  EXPECT_CONTAINS(finding.message, "reads every row of player_game_stats");
  EXPECT_EQ(finding.table, "player_game_stats");
  EXPECT_EQ(finding.location, 27);
  EXPECT_FALSE(finding.suggestion.empty());

  EXPECT_EQ(Rules(Lint("SELECT player_id, pts FROM player_game_stats LIMIT 10")), Strings{});
  // One finding per table, even when the statement reads it twice.
  EXPECT_EQ(Rules(Lint("SELECT a.pts FROM player_game_stats a JOIN player_game_stats b ON "
                       "a.game_id = b.game_id")),
            (Strings{"missing_where"}));
  auto changed = Lint("UPDATE player_game_stats SET pts = 0");
  EXPECT_EQ(Rules(changed), (Strings{"missing_where"}));
  EXPECT_CONTAINS(changed[0].message, "UPDATE changes every row of player_game_stats");
  EXPECT_EQ(Rules(Lint("UPDATE player_game_stats SET pts = 0 WHERE game_id = 3")), Strings{});
  auto removed = Lint("DELETE FROM player_game_stats");
  EXPECT_EQ(Rules(removed), (Strings{"missing_where"}));
  EXPECT_CONTAINS(removed[0].message, "DELETE removes every row of player_game_stats");
  // Below the threshold, or an unknown size: nothing to say.
  EXPECT_EQ(Rules(Lint("SELECT game_id FROM games")), Strings{});
  LintOptions strict;
  strict.large_table_rows = 1000;
  EXPECT_EQ(Rules(Lint("SELECT game_id FROM games", strict)), (Strings{"missing_where"}));
}

TEST_F(LintTest, SelectStar) {
  auto findings = Lint("SELECT * FROM teams WHERE team_id = ?");
  EXPECT_EQ(Rules(findings), (Strings{"select_star"}));
  EXPECT_EQ(findings[0].severity, Severity::kInfo);
  EXPECT_EQ(findings[0].message, "SELECT * returns every column of teams");
  EXPECT_EQ(findings[0].evidence, "* in the select list over teams (3 columns)");
  EXPECT_EQ(findings[0].location, 7);

  auto qualified = Lint(
      "SELECT t.name, p.* FROM teams t JOIN players p ON p.team_id = t.team_id WHERE "
      "t.team_id = 1");
  EXPECT_EQ(Rules(qualified), (Strings{"select_star"}));
  EXPECT_EQ(qualified[0].message, "SELECT * returns every column of players");
  EXPECT_EQ(qualified[0].table, "players");
  // EXISTS (SELECT * ...) is idiomatic: only the statement's own select list counts.
  EXPECT_EQ(Rules(Lint("SELECT name FROM teams t WHERE EXISTS (SELECT * FROM players p WHERE "
                       "p.team_id = t.team_id) AND t.team_id = 3")),
            Strings{});
}

TEST_F(LintTest, LeadingWildcardLike) {
  const std::string sql = "SELECT player_id FROM players WHERE full_name LIKE '%son'";
  auto findings = Lint(sql);
  EXPECT_EQ(Rules(findings), (Strings{"leading_wildcard_like"}));
  EXPECT_EQ(findings[0].evidence,
            "the pattern '%son' begins with '%': every row of players is tested");
  EXPECT_CONTAINS(findings[0].message, "LIKE '%son' on players.full_name");
  EXPECT_EQ(findings[0].location, static_cast<int>(sql.find("full_name LIKE")));
  EXPECT_EQ(Rules(Lint("SELECT player_id FROM players WHERE full_name LIKE 'Ja%'")), Strings{});
  auto concatenated = Lint("SELECT player_id FROM players WHERE full_name LIKE '%' || ? || '%'");
  EXPECT_EQ(Rules(concatenated), (Strings{"leading_wildcard_like"}));
  EXPECT_CONTAINS(concatenated[0].evidence, "'%...'");
}

TEST_F(LintTest, FunctionOnIndexedColumn) {
  auto findings = Lint("SELECT player_id FROM players WHERE lower(full_name) = ?");
  EXPECT_EQ(Rules(findings), (Strings{"function_on_indexed_column"}));
  EXPECT_EQ(findings[0].evidence,
            "lower(players.full_name): index idx_players_name leads with full_name");
  EXPECT_EQ(findings[0].table, "players");
  EXPECT_EQ(findings[0].location, 36);
  // An expression index over upper(full_name) serves that expression.
  EXPECT_EQ(Rules(Lint("SELECT player_id FROM players WHERE upper(full_name) = ?")), Strings{});
  // No index leads with team_id: nothing is hidden.
  EXPECT_EQ(Rules(Lint("SELECT player_id FROM players WHERE abs(team_id) = 3")), Strings{});
  auto arithmetic = Lint("SELECT game_id FROM games WHERE season + 1 = ?");
  EXPECT_EQ(Rules(arithmetic), (Strings{"function_on_indexed_column"}));
  EXPECT_EQ(arithmetic[0].evidence, "games.season + ...: index idx_games_season leads with season");
}

TEST_F(LintTest, ImplicitCrossJoin) {
  auto findings = Lint("SELECT t.name, g.season FROM teams t, games g WHERE g.season = 2024");
  EXPECT_EQ(Rules(findings), (Strings{"implicit_cross_join"}));
  EXPECT_EQ(findings[0].evidence,
            "FROM teams, games with no condition between them: ~30 x ~1,230 = ~36,900 row "
            "pairs");
  EXPECT_CONTAINS(findings[0].message, "teams and games are listed with a comma");
  EXPECT_EQ(findings[0].location, 38);
  EXPECT_EQ(Rules(Lint("SELECT t.name FROM teams t, games g WHERE g.home_team_id = t.team_id "
                       "AND g.season = 2024")),
            Strings{});
}

TEST_F(LintTest, OrChain) {
  auto findings = Lint(
      "SELECT pts FROM player_game_stats WHERE season = 2024 OR team_id = 5 OR player_id = 7 "
      "OR season = 2023");
  EXPECT_EQ(Rules(findings), (Strings{"or_chain"}));
  EXPECT_EQ(findings[0].evidence, "4 OR terms over 3 columns (season, team_id, player_id)");
  EXPECT_EQ(findings[0].table, "player_game_stats");
  EXPECT_EQ(findings[0].location, 40);
  // One column: an IN in disguise. Two terms: under the threshold.
  EXPECT_EQ(Rules(Lint("SELECT pts FROM player_game_stats WHERE game_id = 1 OR game_id = 2 OR "
                       "game_id = 3")),
            Strings{});
  EXPECT_EQ(Rules(Lint("SELECT pts FROM player_game_stats WHERE game_id = 1 OR season = 2")),
            Strings{});
  LintOptions options;
  options.or_chain_terms = 5;
  EXPECT_EQ(Rules(Lint("SELECT pts FROM player_game_stats WHERE season = 2024 OR team_id = 5 "
                       "OR player_id = 7 OR season = 2023",
                       options)),
            Strings{});
}

TEST_F(LintTest, OrderByWithoutLimit) {
  auto findings = Lint("SELECT player_id, pts FROM player_game_stats WHERE pts > 40 ORDER BY pts");
  EXPECT_EQ(Rules(findings), (Strings{"order_by_without_limit"}));
  EXPECT_EQ(findings[0].evidence,
            "player_game_stats has ~1,204,330 rows (sqlite_stat1); no LIMIT, no aggregate or "
            "GROUP BY, and no equality condition narrows it");
  EXPECT_EQ(findings[0].location, 69);
  EXPECT_EQ(Rules(Lint("SELECT pts FROM player_game_stats ORDER BY pts")),
            (Strings{"missing_where", "order_by_without_limit"}));
  EXPECT_EQ(Rules(Lint("SELECT pts FROM player_game_stats WHERE pts > 40 ORDER BY pts LIMIT 5")),
            Strings{});
  EXPECT_EQ(Rules(Lint("SELECT season, max(pts) FROM player_game_stats WHERE pts > 40 "
                       "GROUP BY season ORDER BY season")),
            Strings{});
  EXPECT_EQ(Rules(Lint("SELECT pts FROM player_game_stats WHERE player_id = ? ORDER BY pts")),
            Strings{});
}

TEST_F(LintTest, NotInNullableSubquery) {
  auto findings =
      Lint("SELECT name FROM teams WHERE team_id NOT IN (SELECT home_team_id FROM games)");
  EXPECT_EQ(Rules(findings), (Strings{"not_in_nullable_subquery"}));
  EXPECT_EQ(findings[0].evidence,
            "games.home_team_id is nullable: one NULL in the subquery makes NOT IN match no row");
  EXPECT_CONTAINS(findings[0].suggestion,
                  "NOT EXISTS (SELECT 1 FROM games WHERE "
                  "games.home_team_id = teams.team_id)");
  EXPECT_EQ(findings[0].table, "games");
  EXPECT_EQ(findings[0].location, 29);
  EXPECT_EQ(Rules(Lint("SELECT name FROM teams WHERE team_id NOT IN (SELECT home_team_id FROM "
                       "games WHERE home_team_id IS NOT NULL)")),
            Strings{});
  EXPECT_EQ(Rules(Lint("SELECT name FROM teams WHERE team_id NOT IN (SELECT season FROM "
                       "games)")),
            Strings{});  // NOT NULL
}

TEST_F(LintTest, SeveralFindingsInTextOrder) {
  auto findings = Lint(
      "SELECT * FROM players p, teams t WHERE lower(p.full_name) = ? "
      "AND t.city LIKE '%ville'");
  EXPECT_EQ(Rules(findings), (Strings{"select_star", "implicit_cross_join",
                                      "function_on_indexed_column", "leading_wildcard_like"}));
  for (size_t i = 1; i < findings.size(); ++i) {
    EXPECT_LE(findings[i - 1].location, findings[i].location);
  }
}

TEST_F(LintTest, WithoutSchemaOnlyWhatCanBeProven) {
  const auto no_schema = [](std::string_view sql) { return Rules(LintSql(sql, nullptr)); };
  EXPECT_EQ(no_schema("SELECT player_id, pts FROM player_game_stats"), Strings{});
  EXPECT_EQ(no_schema("SELECT player_id FROM players WHERE lower(full_name) = ?"), Strings{});
  EXPECT_EQ(no_schema("SELECT pts FROM player_game_stats WHERE pts > 1 ORDER BY pts"), Strings{});
  EXPECT_EQ(no_schema("SELECT name FROM teams WHERE team_id NOT IN (SELECT home_team_id FROM "
                      "games)"),
            Strings{});
  EXPECT_EQ(no_schema("SELECT * FROM players WHERE full_name LIKE '%son'"),
            (Strings{"select_star", "leading_wildcard_like"}));
  auto cross = LintSql("SELECT 1 FROM teams, games", nullptr);
  EXPECT_EQ(Rules(cross), (Strings{"implicit_cross_join"}));
  EXPECT_EQ(cross[0].evidence, "FROM teams, games with no condition between them");
  EXPECT_EQ(no_schema("SELECT 1 FROM s WHERE a = 1 OR b = 2 OR c = 3"), (Strings{"or_chain"}));
}

TEST_F(LintTest, UnparsableSqlGetsTokenRules) {
  auto findings = Lint("SELECT * FROM players WHERE full_name GLOB '*son' AND team_id IS ?");
  EXPECT_EQ(Rules(findings), (Strings{"not_parsed", "select_star", "leading_wildcard_like"}));
  EXPECT_EQ(findings[0].severity, Severity::kInfo);
  EXPECT_CONTAINS(findings[0].evidence, "syntax error at or near \"GLOB\" (at offset 38)");
  EXPECT_EQ(findings[1].location, 7);
  EXPECT_CONTAINS(findings[2].message, "GLOB '*son' on full_name");
  EXPECT_EQ(findings[2].location, 28);

  EXPECT_EQ(Rules(Lint("INSERT OR REPLACE INTO teams VALUES (1, 'x', 'y')")),
            (Strings{"not_parsed"}));
  // Quoted text and comments are not tokens: nothing to report in them.
  EXPECT_EQ(Rules(Lint("SELECT `a` FROM t /* SELECT * */ WHERE b = 'x LIKE ''%y''' GLOB 'z'")),
            (Strings{"not_parsed"}));
  EXPECT_EQ(Rules(Lint("SELECT a FROM t WHERE x NOT LIKE '%y' AND y GLOB 'z'")),
            (Strings{"not_parsed"}));
  EXPECT_EQ(Rules(Lint("")), (Strings{"not_parsed"}));
}

TEST_F(LintTest, InvalidUtf8IsReplacedNotFatal) {
  // Invalid bytes become '?' (same offsets): the statement still parses, and every finding
  // can be written as JSON.
  auto findings = Lint("SELECT * FROM players WHERE full_name LIKE '%\xff\xfeson'");
  EXPECT_EQ(Rules(findings), (Strings{"select_star", "leading_wildcard_like"}));
  EXPECT_CONTAINS(findings[1].evidence, "'%??son'");
  for (const Finding& finding : findings) EXPECT_NO_THROW((void)ToJson(finding).dump());
  auto truncated = Lint("SELECT \xc3 FROM t GLOB 'x'");
  EXPECT_EQ(Rules(truncated), (Strings{"not_parsed"}));
  EXPECT_NO_THROW((void)ToJson(truncated[0]).dump());
}

TEST_F(LintTest, BoundedInput) {
  std::string nested = "SELECT * FROM t WHERE a IN ";
  for (int i = 0; i < 150; ++i) nested += "(SELECT a FROM t WHERE a IN ";
  nested += "(1)" + std::string(150, ')');
  auto deep = Lint(nested);
  EXPECT_EQ(Rules(deep), (Strings{"not_parsed", "select_star"}));
  EXPECT_CONTAINS(deep[0].evidence, "nested more than 200 levels");

  // Over 100 KB: not parsed, token rules over the first 100 KB, at most 100 findings.
  std::string huge = "SELECT * FROM t WHERE a = 1";
  while (huge.size() <= kMaxAnalyzedSqlBytes + 1000) huge += " OR b LIKE '%x'";
  auto findings = Lint(huge);
  ASSERT_EQ(findings.size(), 100u);
  EXPECT_EQ(findings[0].rule, "not_parsed");
  EXPECT_CONTAINS(findings[0].evidence, "at most 102400 are analyzed");
  EXPECT_EQ(findings[1].rule, "select_star");
  EXPECT_EQ(findings[99].rule, "leading_wildcard_like");

  // Parsed, but with thousands of findings: still at most 100.
  std::string many = "SELECT a FROM t WHERE a = 1";
  for (int i = 0; i < 3000; ++i) many += " AND b LIKE '%x'";
  ASSERT_LT(many.size(), kMaxAnalyzedSqlBytes);
  auto capped = Lint(many);
  EXPECT_EQ(capped.size(), 100u);
  EXPECT_EQ(capped[0].rule, "leading_wildcard_like");
}

TEST(LintJsonTest, ToJson) {
  Finding finding;
  finding.rule = "missing_where";
  finding.message = "m";
  finding.evidence = "e";
  finding.suggestion = "s";
  finding.table = "games";
  finding.location = 12;
  EXPECT_EQ(ToJson(finding), nlohmann::json::parse(R"({"rule": "missing_where",
      "severity": "warning", "message": "m", "evidence": "e", "suggestion": "s",
      "table": "games", "location": 12})"));
  finding.table.clear();
  finding.location = -1;
  finding.severity = Severity::kInfo;
  EXPECT_EQ(ToJson(finding), nlohmann::json::parse(R"({"rule": "missing_where",
      "severity": "info", "message": "m", "evidence": "e", "suggestion": "s"})"));
  EXPECT_EQ(SeverityName(Severity::kWarning), "warning");
}

}  // namespace
}  // namespace fastbreak::query
