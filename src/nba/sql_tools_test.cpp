#include <gtest/gtest.h>

#include <string>

#include "nba/catalog.hpp"
#include "nba/lookup.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

class SqlToolTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = testing::OpenGeneratedLeague(); }

  Result<ToolOutput> Call(std::string_view tool_name, const Json& arguments) {
    return testing::CallTool(*db_, tool_name, arguments);
  }

  Result<ToolOutput> Sql(std::string_view sql, Json extra = Json::object()) {
    extra["sql"] = sql;
    return Call("run_sql", extra);
  }

  int64_t Scalar(std::string_view sql) {
    auto value = db_->QueryScalar(sql);
    EXPECT_TRUE(value.has_value()) << sql;
    return value ? std::get<int64_t>(*value) : -1;
  }

  std::unique_ptr<db::Connection> db_;
};

TEST_F(SqlToolTest, ReturnsColumnsRowsAndTimings) {
  auto out = Sql("SELECT abbreviation, team_id FROM teams ORDER BY team_id LIMIT 3");
  ASSERT_OK(out);
  EXPECT_EQ(out->structured["columns"], Json::array({"abbreviation", "team_id"}));
  ASSERT_EQ(out->structured["rows"].size(), 3u);
  EXPECT_EQ(out->structured["rows"][0], Json::array({"ATL", 1610612737}));
  EXPECT_EQ(out->structured["row_count"], 3);
  EXPECT_EQ(out->structured["truncated"], false);
  EXPECT_GE(out->structured["elapsed_ms"].get<double>(), 0.0);
  EXPECT_NE(out->text.find("ATL"), std::string::npos);
  EXPECT_NE(out->text.find("3 rows"), std::string::npos);
}

TEST_F(SqlToolTest, ValuesKeepTheirTypes) {
  auto out = Sql("SELECT 1 AS i, 2.5 AS r, 'x' AS s, NULL AS n, x'0102' AS b");
  ASSERT_OK(out);
  EXPECT_EQ(out->structured["rows"][0], Json::parse(R"([1, 2.5, "x", null, "<blob 2 bytes>"])"));
}

TEST_F(SqlToolTest, InvalidUtf8IsReplacedSoTheResultSerializes) {
  auto out = Sql("SELECT CAST(x'41ff42' AS TEXT) AS t");
  ASSERT_OK(out);
  EXPECT_EQ(out->structured["rows"][0][0],
            "A\xEF\xBF\xBD"
            "B");
  EXPECT_NO_THROW((void)out->structured.dump());
}

TEST_F(SqlToolTest, MaxRowsTruncatesAndSaysSo) {
  auto out = Sql("SELECT player_id FROM players ORDER BY player_id", {{"max_rows", 5}});
  ASSERT_OK(out);
  EXPECT_EQ(out->structured["row_count"], 5);
  EXPECT_EQ(out->structured["rows"].size(), 5u);
  EXPECT_EQ(out->structured["truncated"], true);
  EXPECT_NE(out->text.find("more rows exist"), std::string::npos);

  auto exact = Sql("SELECT team_id FROM teams", {{"max_rows", 30}});
  ASSERT_OK(exact);
  EXPECT_EQ(exact->structured["row_count"], 30);
  EXPECT_EQ(exact->structured["truncated"], false);
}

TEST_F(SqlToolTest, TheDefaultIsAHundredRowsAndTheTextShowsFifty) {
  auto out = Sql("SELECT player_id, full_name FROM players");
  ASSERT_OK(out);
  ASSERT_GT(Scalar("SELECT count(*) FROM players"), 100);
  EXPECT_EQ(out->structured["row_count"], 100);
  EXPECT_EQ(out->structured["truncated"], true);
  const auto lines = std::count(out->text.begin(), out->text.end(), '\n');
  EXPECT_EQ(lines, 50 + 3);  // header, rule, 50 rows, summary
  EXPECT_NE(out->text.find("first 50 shown"), std::string::npos);
}

TEST_F(SqlToolTest, EveryWriteAndEscapeIsRefusedAndNothingChanges) {
  const int64_t teams = Scalar("SELECT count(*) FROM teams");
  const int64_t games = Scalar("SELECT count(*) FROM games");
  const struct {
    const char* sql;
    ErrorCode code;
  } cases[] = {
      {"INSERT INTO teams(team_id, abbreviation, city, nickname, full_name, conference, "
       "division) VALUES (1, 'X', 'X', 'X', 'X X', 'East', 'Atlantic')",
       ErrorCode::kPermissionDenied},
      {"UPDATE teams SET city = 'Nowhere'", ErrorCode::kPermissionDenied},
      {"DELETE FROM teams", ErrorCode::kPermissionDenied},
      {"DROP TABLE teams", ErrorCode::kPermissionDenied},
      {"DROP VIEW standings", ErrorCode::kPermissionDenied},
      {"CREATE TABLE t(x)", ErrorCode::kPermissionDenied},
      {"CREATE TEMP TABLE t AS SELECT * FROM teams", ErrorCode::kPermissionDenied},
      {"ALTER TABLE teams RENAME TO t", ErrorCode::kPermissionDenied},
      {"ATTACH DATABASE ':memory:' AS other", ErrorCode::kPermissionDenied},
      {"DETACH DATABASE main", ErrorCode::kPermissionDenied},
      {"PRAGMA writable_schema = 1", ErrorCode::kPermissionDenied},
      {"PRAGMA journal_mode = delete", ErrorCode::kPermissionDenied},
      {"PRAGMA query_only = 0", ErrorCode::kPermissionDenied},
      {"BEGIN IMMEDIATE", ErrorCode::kPermissionDenied},
      {"SAVEPOINT s", ErrorCode::kPermissionDenied},
      {"VACUUM", ErrorCode::kPermissionDenied},
      {"ANALYZE", ErrorCode::kPermissionDenied},
      {"REINDEX", ErrorCode::kPermissionDenied},
      {"SELECT load_extension('x')", ErrorCode::kPermissionDenied},
      {"SELECT 1; DELETE FROM teams", ErrorCode::kInvalidArgument},
      {"SELECT 1; SELECT 2", ErrorCode::kInvalidArgument},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.sql);
    auto out = Sql(c.sql);
    EXPECT_ERROR(out, c.code);
    if (!out && c.code == ErrorCode::kInvalidArgument) {
      EXPECT_NE(out.error().message.find("run_sql takes one statement"), std::string::npos);
    }
  }
  auto refused = Sql("DELETE FROM teams");
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("DELETE from teams"), std::string::npos);
  EXPECT_EQ(Scalar("SELECT count(*) FROM teams"), teams);
  EXPECT_EQ(Scalar("SELECT count(*) FROM games"), games);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('t', 'teams')"), 1);
}

TEST_F(SqlToolTest, NormalToolsAndLookupsWorkAfterRefusalsOnTheSameConnection) {
  EXPECT_ERROR(Sql("DELETE FROM teams"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Sql("PRAGMA journal_mode = delete"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                   "SELECT count(*) FROM c",
                   {{"timeout_ms", 20}}),
               ErrorCode::kTimeout);
  auto team = ResolveTeam(*db_, Json("Celtics"));
  ASSERT_OK(team);
  EXPECT_EQ(team->abbreviation, "BOS");
  ASSERT_OK(Call("describe_schema", {{"table", "teams"}}));
  // Trusted statements may still use pragmas and run past the untrusted deadline.
  auto columns = db_->Query("SELECT name FROM pragma_table_info('teams')");
  ASSERT_OK(columns);
  EXPECT_FALSE(columns->rows.empty());
  ASSERT_OK(Sql("SELECT count(*) FROM standings"));
}

TEST_F(SqlToolTest, ARunawayQueryHitsTheTimeout) {
  const auto started = std::chrono::steady_clock::now();
  auto out =
      Sql("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
          {{"timeout_ms", 100}});
  EXPECT_ERROR(out, ErrorCode::kTimeout);
  EXPECT_NE(out.error().message.find("exceeded 100 ms"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(SqlToolTest, BadSqlComesBackWithTheEnginesMessage) {
  auto syntax = Sql("SELEC * FROM teams");
  EXPECT_ERROR(syntax, ErrorCode::kSyntax);
  EXPECT_NE(syntax.error().message.find("syntax error"), std::string::npos);
  auto column = Sql("SELECT points FROM player_game_stats");
  EXPECT_ERROR(column, ErrorCode::kNotFound);
  EXPECT_NE(column.error().message.find("no such column: points"), std::string::npos);
  EXPECT_NE(column.error().message.find("describe_schema"), std::string::npos);
  EXPECT_ERROR(Sql("SELECT * FROM team"), ErrorCode::kNotFound);
}

TEST_F(SqlToolTest, ArgumentsAreChecked) {
  EXPECT_ERROR(Call("run_sql", Json::object()), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("run_sql", {{"sql", 5}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Sql("SELECT 1", {{"max_rows", 0}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Sql("SELECT 1", {{"max_rows", 1001}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Sql("SELECT 1", {{"timeout_ms", 0}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Sql("SELECT 1", {{"timeout_ms", 10001}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Sql("SELECT 1", {{"limit", 3}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Sql("SELECT 1 -- " + std::string(10000, 'x')), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Sql("   "), ErrorCode::kInvalidArgument);
  ASSERT_OK(Sql("SELECT 1", {{"max_rows", 1000}, {"timeout_ms", 10000}}));
}

TEST_F(SqlToolTest, ToolsAreListedReadOnlyWithSchemas) {
  for (const char* name : {"describe_schema", "run_sql"}) {
    const ToolSpec* tool = NbaCatalog().FindTool(name);
    ASSERT_NE(tool, nullptr) << name;
    EXPECT_TRUE(tool->annotations.read_only);
    EXPECT_EQ(tool->input_schema["type"], "object");
    EXPECT_EQ(tool->output_schema["type"], "object");
  }
  EXPECT_EQ(NbaCatalog().FindTool("run_sql")->input_schema["required"], Json::array({"sql"}));
}

class SchemaToolTest : public SqlToolTest {};

TEST_F(SchemaToolTest, ListsTablesAndViewsWithColumnsKeysAndMeanings) {
  auto out = Call("describe_schema", Json::object());
  ASSERT_OK(out);
  const Json& tables = out->structured["tables"];
  std::vector<std::string> names;
  for (const Json& table : tables) names.push_back(table["name"]);
  ASSERT_GE(names.size(), 11u);
  EXPECT_EQ(names[0], "teams");
  for (const char* name : {"players", "games", "player_game_stats", "play_by_play", "standings"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  const auto find = [&](std::string_view name) -> const Json& {
    for (const Json& table : tables) {
      if (table["name"] == name) return table;
    }
    return tables[0];
  };
  EXPECT_EQ(find("standings")["kind"], "view");
  const Json& games = find("games");
  EXPECT_EQ(games["kind"], "table");
  bool saw_id = false;
  bool saw_home = false;
  for (const Json& column : games["columns"]) {
    if (column["name"] == "game_id") {
      saw_id = true;
      EXPECT_EQ(column["primary_key"], 1);
      EXPECT_NE(column["note"].get<std::string>().find("0022300061"), std::string::npos);
    }
    if (column["name"] == "home_team_id") {
      saw_home = true;
      EXPECT_EQ(column["references"], "teams.team_id");
      EXPECT_EQ(column["not_null"], true);
    }
    if (column["name"] == "game_type") {
      EXPECT_NE(column["note"].dump().find("playoffs"), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_id);
  EXPECT_TRUE(saw_home);
  EXPECT_NE(out->structured["conventions"].get<std::string>().find("event_type"),
            std::string::npos);
  EXPECT_NE(out->text.find("## play_by_play (table)"), std::string::npos);
  EXPECT_NE(out->text.find("8 substitution"), std::string::npos);
  EXPECT_NE(out->text.find("| clock_ms | INTEGER NOT NULL |"), std::string::npos);
}

TEST_F(SchemaToolTest, OneTableOrAClearNotFound) {
  auto one = Call("describe_schema", {{"table", "player_season_totals"}});
  ASSERT_OK(one);
  ASSERT_EQ(one->structured["tables"].size(), 1u);
  EXPECT_EQ(one->structured["tables"][0]["kind"], "view");
  EXPECT_EQ(one->text.find("## teams"), std::string::npos);
  auto missing = Call("describe_schema", {{"table", "stats"}});
  EXPECT_ERROR(missing, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("player_game_stats"), std::string::npos);
  EXPECT_ERROR(Call("describe_schema", {{"table", 3}}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Call("describe_schema", {{"tables", "teams"}}), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fastbreak::nba
