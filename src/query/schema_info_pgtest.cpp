// LoadSchemaInfo against a real PostgreSQL 15: tables and views, columns with nullability and
// primary keys, indexes (unique, primary, partial, expression) with size and idx_scan, row
// counts before and after ANALYZE, and nothing of hypopg's or pg_stat_statements'.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "query/query_pg_test_util.hpp"
#include "query/schema_info.hpp"

namespace fastbreak::query {
namespace {

class SchemaInfoPgTest : public QueryPgTest {
 protected:
  void SetUp() override {
    QueryPgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Autovacuum is off for these tables so that "never analyzed" stays true until the test
    // runs ANALYZE itself.
    ASSERT_OK(connection().ExecuteScript(R"sql(
      DROP VIEW IF EXISTS home_games;
      DROP TABLE IF EXISTS games, teams;
      CREATE TABLE teams (team_id bigint PRIMARY KEY, name text NOT NULL UNIQUE, city text)
        WITH (autovacuum_enabled = false);
      CREATE TABLE games (game_id bigint PRIMARY KEY, season integer NOT NULL,
                          home_team_id bigint REFERENCES teams, away_team_id bigint,
                          attendance double precision)
        WITH (autovacuum_enabled = false);
      CREATE INDEX idx_games_season_home ON games (season, home_team_id);
      CREATE INDEX idx_games_away ON games (away_team_id) WHERE away_team_id IS NOT NULL;
      CREATE INDEX idx_teams_lower_name ON teams (lower(name), city);
      CREATE VIEW home_games AS SELECT game_id, home_team_id FROM games;
      INSERT INTO teams SELECT i, 'team ' || i, NULL FROM generate_series(1, 30) AS i;
      INSERT INTO games SELECT i, 2000 + i % 20, 1 + i % 30, NULL, NULL
        FROM generate_series(1, 500) AS i;
    )sql"));
  }

  static const IndexInfo* Index(const SchemaInfo& schema, std::string_view name) {
    for (const IndexInfo& index : schema.indexes) {
      if (index.name == name) return &index;
    }
    return nullptr;
  }
};

TEST_F(SchemaInfoPgTest, TablesColumnsAndIndexes) {
  ASSERT_OK(
      connection().Query("SELECT * FROM hypopg_create_index('CREATE INDEX ON games "
                         "(attendance)')"));
  auto schema = LoadSchemaInfo(connection());
  ASSERT_OK(schema);
  EXPECT_EQ(schema->dialect, db::Dialect::kPostgres);
  // Sorted by name; hypopg's and pg_stat_statements' views are left out.
  std::vector<std::string> names;
  for (const TableInfo& table : schema->tables) names.push_back(table.name);
  EXPECT_EQ(names, (std::vector<std::string>{"games", "home_games", "teams"}));

  const TableInfo* games = schema->FindTable("GAMES");
  ASSERT_NE(games, nullptr);
  EXPECT_FALSE(games->is_view);
  ASSERT_EQ(games->columns.size(), 5u);
  EXPECT_EQ(games->columns[0].name, "game_id");
  EXPECT_EQ(games->columns[0].type, "bigint");
  EXPECT_TRUE(games->columns[0].not_null);
  EXPECT_TRUE(games->columns[0].primary_key);
  EXPECT_EQ(games->columns[1].type, "integer");
  EXPECT_TRUE(games->columns[1].not_null);
  EXPECT_FALSE(games->columns[1].primary_key);
  const ColumnInfo* home = games->FindColumn("Home_Team_Id");
  ASSERT_NE(home, nullptr);
  EXPECT_FALSE(home->not_null);
  EXPECT_EQ(games->columns[4].type, "double precision");

  const TableInfo* view = schema->FindTable("home_games");
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->is_view);
  EXPECT_EQ(view->rows, -1);
  EXPECT_EQ(view->columns.size(), 2u);

  std::vector<std::string> index_names;
  for (const IndexInfo& index : schema->indexes) index_names.push_back(index.name);
  EXPECT_EQ(index_names,
            (std::vector<std::string>{"games_pkey", "idx_games_away", "idx_games_season_home",
                                      "idx_teams_lower_name", "teams_name_key", "teams_pkey"}));
  const IndexInfo* pkey = Index(*schema, "games_pkey");
  EXPECT_TRUE(pkey->primary);
  EXPECT_TRUE(pkey->unique);
  EXPECT_EQ(pkey->columns, (std::vector<std::string>{"game_id"}));
  const IndexInfo* unique = Index(*schema, "teams_name_key");
  EXPECT_TRUE(unique->unique);
  EXPECT_FALSE(unique->primary);
  EXPECT_EQ(unique->table, "teams");
  const IndexInfo* partial = Index(*schema, "idx_games_away");
  EXPECT_TRUE(partial->partial);
  EXPECT_FALSE(partial->unique);
  const IndexInfo* composite = Index(*schema, "idx_games_season_home");
  EXPECT_EQ(composite->columns, (std::vector<std::string>{"season", "home_team_id"}));
  EXPECT_EQ(composite->definition,
            "CREATE INDEX idx_games_season_home ON public.games USING btree (season, "
            "home_team_id)");
  EXPECT_GT(composite->size_bytes, 0);
  EXPECT_FALSE(composite->partial);
  const IndexInfo* expression = Index(*schema, "idx_teams_lower_name");
  EXPECT_EQ(expression->columns, (std::vector<std::string>{"<expr>", "city"}));

  EXPECT_TRUE(schema->HasIndexLeadingWith("games", "season"));
  EXPECT_FALSE(schema->HasIndexLeadingWith("games", "home_team_id"));
  EXPECT_EQ(schema->IndexesOf("Games").size(), 3u);
}

TEST_F(SchemaInfoPgTest, RowsCountedUntilAnalyzedThenFromReltuples) {
  // CREATE INDEX sets reltuples as it builds; a table filled after its last index was built
  // and never analyzed has reltuples -1.
  ASSERT_OK(connection().ExecuteScript(
      "DROP TABLE IF EXISTS fresh; CREATE TABLE fresh (a int) WITH (autovacuum_enabled = "
      "false); INSERT INTO fresh SELECT generate_series(1, 77)"));
  auto before = LoadSchemaInfo(connection());
  ASSERT_OK(before);
  const TableInfo* fresh = before->FindTable("fresh");
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->rows, 77);
  EXPECT_EQ(fresh->rows_source, "count(*)");

  ASSERT_OK(connection().ExecuteScript("ANALYZE fresh; ANALYZE games"));
  auto after = LoadSchemaInfo(connection());
  ASSERT_OK(after);
  EXPECT_EQ(after->FindTable("fresh")->rows, 77);
  EXPECT_EQ(after->FindTable("fresh")->rows_source, "pg_class.reltuples");
  EXPECT_EQ(after->FindTable("games")->rows, 500);
  EXPECT_EQ(after->FindTable("games")->rows_source, "pg_class.reltuples");
}

TEST_F(SchemaInfoPgTest, IndexScansFromPgStatUserIndexes) {
  ASSERT_OK(connection().ExecuteScript("ANALYZE games; SET enable_seqscan = off"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(connection().Query("SELECT count(*) FROM games WHERE season = 2003"));
  }
  // Statistics reach the shared counters when the session goes idle; force that flush.
  ASSERT_OK(connection().Query("SELECT pg_stat_force_next_flush()"));
  auto schema = LoadSchemaInfo(connection());
  ASSERT_OK(schema);
  EXPECT_EQ(Index(*schema, "idx_games_season_home")->scans, 3);
  EXPECT_EQ(Index(*schema, "idx_games_away")->scans, 0);
}

}  // namespace
}  // namespace fastbreak::query
