// EXPLAIN analysis against a real PostgreSQL 15: plans of generate_series tables after
// ANALYZE, generic plans for statements with placeholders, EXPLAIN ANALYZE inside a rolled
// back read-only transaction, and what an untrusted statement may not do.
#include <nlohmann/json.hpp>

#include "query/plan.hpp"
#include "query/query_pg_test_util.hpp"
#include "query/schema_info.hpp"

namespace fastbreak::query {
namespace {

class PlanPgTest : public QueryPgTest {
 protected:
  void SetUp() override {
    QueryPgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // games: 50,000 rows, 24 seasons, 30 teams; c: 100,000 rows where a and b always agree.
    ASSERT_OK(connection().ExecuteScript(
        "DROP TABLE IF EXISTS games, teams, c;"
        "CREATE TABLE games AS SELECT g AS id, 2000 + g % 24 AS season, g % 30 AS team "
        "FROM generate_series(1, 50000) g;"
        "CREATE TABLE teams AS SELECT t AS id, 'team' || t AS name FROM generate_series(0, 29) t;"
        "CREATE TABLE c AS SELECT g AS id, g % 100 AS a, g % 100 AS b "
        "FROM generate_series(1, 100000) g;"
        "CREATE INDEX games_season ON games (season);"
        "ANALYZE games, teams, c"));
    ASSERT_OK(connection().ExecuteScript("RESET work_mem"));
    LoadSchema();
  }

  void LoadSchema() {
    auto schema = LoadSchemaInfo(connection());
    ASSERT_OK(schema);
    schema_ = std::move(*schema);
  }

  Result<QueryPlan> Run(std::string_view sql, ExplainOptions options = {}) {
    return Explain(connection(), sql, options, &schema_);
  }

  static ExplainOptions Analyzed(bool untrusted = true) {
    ExplainOptions options;
    options.analyze = true;
    options.buffers = true;
    options.untrusted = untrusted;
    return options;
  }

  std::string Text(std::string_view sql) {
    auto value = connection().QueryScalar(sql);
    EXPECT_TRUE(value.has_value()) << sql << ": " << value.error().ToString();
    if (!value) return "";
    if (const auto* text = std::get_if<std::string>(&*value)) return *text;
    if (const auto* number = std::get_if<int64_t>(&*value)) return std::to_string(*number);
    return "";
  }

  // The session is as it was: no transaction open, no statement left prepared, the plan cache
  // mode and read-only flag at their defaults.
  void ExpectSessionClean() {
    EXPECT_EQ(Text("SELECT count(*) FROM pg_prepared_statements WHERE name = 'fb_explain'"), "0");
    EXPECT_EQ(Text("SHOW plan_cache_mode"), "auto");
    EXPECT_EQ(Text("SHOW transaction_read_only"), "off");
    db::WorkOptions work;
    work.read_only = false;
    ASSERT_OK(connection().BeginWork(work));  // refused while a transaction is open
    ASSERT_OK(connection().EndWork(false));
  }

  static const PlanNode* FindNode(const PlanNode& node, std::string_view operation) {
    if (node.operation == operation) return &node;
    for (const PlanNode& child : node.children) {
      if (const PlanNode* found = FindNode(child, operation)) return found;
    }
    return nullptr;
  }

  static const Finding* FindRule(const QueryPlan& plan, std::string_view rule) {
    for (const Finding& finding : plan.findings) {
      if (finding.rule == rule) return &finding;
    }
    return nullptr;
  }

  SchemaInfo schema_;
};

TEST_F(PlanPgTest, ParsesTheServersOwnJson) {
  const std::string json = Text(
      "EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS) SELECT g.id, t.name FROM games g "
      "JOIN teams t ON t.id = g.team WHERE g.season = 2010");
  auto plan = ParsePostgresPlan(json);
  ASSERT_OK(plan);
  EXPECT_TRUE(plan->analyzed);
  EXPECT_GT(plan->execution_ms, 0);
  EXPECT_GT(plan->total_cost, 0);
  EXPECT_EQ(plan->total_cost, plan->root.total_cost);
  EXPECT_TRUE(plan->root.operation.ends_with("Join")) << plan->root.operation;
  const PlanNode* teams = FindNode(plan->root, "Seq Scan");
  ASSERT_NE(teams, nullptr);
  EXPECT_EQ(teams->relation, "teams");
  EXPECT_EQ(teams->alias, "t");
  EXPECT_EQ(teams->actual_rows, 30);
  EXPECT_EQ(teams->loops, 1);
  EXPECT_GE(teams->shared_hit_blocks + teams->shared_read_blocks, 1);
  const PlanNode* index = FindNode(plan->root, "Bitmap Index Scan");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->index, "games_season");
  EXPECT_EQ(index->detail, "index cond: (season = 2010)");
  EXPECT_EQ(index->actual_rows, 2083);
}

TEST_F(PlanPgTest, FullScanWithoutAnIndexAndNoneWithOne) {
  auto plan = Run("SELECT * FROM games WHERE team = 3");
  ASSERT_OK(plan);
  EXPECT_FALSE(plan->analyzed);
  EXPECT_EQ(plan->root.operation, "Seq Scan");
  const Finding* scan = FindRule(*plan, "full_scan");
  ASSERT_NE(scan, nullptr);
  EXPECT_EQ(scan->table, "games");
  EXPECT_EQ(scan->evidence,
            fmt::format("Seq Scan on games: rows={:.0f} cost=0.00..{:.2f}, filter: (team = 3), "
                        "table ~50,000 rows (pg_class.reltuples)",
                        plan->root.plan_rows, plan->root.total_cost));
  EXPECT_TRUE(plan->summary.starts_with("Seq Scan on games (cost=0.00..")) << plan->summary;

  ASSERT_OK(connection().ExecuteScript("CREATE INDEX games_team ON games (team); ANALYZE games"));
  plan = Run("SELECT * FROM games WHERE team = 3");
  ASSERT_OK(plan);
  EXPECT_EQ(FindRule(*plan, "full_scan"), nullptr);
  const PlanNode* index = FindNode(plan->root, "Bitmap Index Scan");
  if (index == nullptr) index = FindNode(plan->root, "Index Scan");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->index, "games_team");
}

TEST_F(PlanPgTest, LargeSortsAndSortsOnDiskAreTempBtrees) {
  auto plan = Run("SELECT * FROM games ORDER BY team, id");
  ASSERT_OK(plan);
  const Finding* sort = FindRule(*plan, "temp_btree");
  ASSERT_NE(sort, nullptr);
  EXPECT_EQ(sort->table, "games");
  EXPECT_TRUE(sort->evidence.starts_with("Sort on (team, id): 50000 input rows, cost="))
      << sort->evidence;

  ASSERT_OK(connection().ExecuteScript("SET work_mem = '64kB'"));
  plan = Run("SELECT * FROM games ORDER BY team, id", Analyzed());
  ASSERT_OK(plan);
  EXPECT_EQ(plan->root.sort_space_type, "Disk");
  sort = FindRule(*plan, "temp_btree");
  ASSERT_NE(sort, nullptr);
  EXPECT_NE(sort->evidence.find(
                fmt::format("sort method: external merge, disk: {} kB", plan->root.sort_space_kb)),
            std::string::npos)
      << sort->evidence;
  EXPECT_NE(sort->message.find("spilled to disk"), std::string::npos);
}

TEST_F(PlanPgTest, ANestedLoopOverLargeInputsIsReported) {
  auto plan = Run("SELECT count(*) FROM games a JOIN games b ON a.id < b.team");
  ASSERT_OK(plan);
  const PlanNode* loop = FindNode(plan->root, "Nested Loop");
  ASSERT_NE(loop, nullptr);
  const Finding* nested = FindRule(*plan, "nested_loop");
  ASSERT_NE(nested, nullptr);
  EXPECT_TRUE(nested->evidence.starts_with(fmt::format("Nested Loop (cost={:.2f}..{:.2f}): outer ",
                                                       loop->startup_cost, loop->total_cost)))
      << nested->evidence;
  EXPECT_NE(nested->evidence.find("row pairs"), std::string::npos);
  EXPECT_EQ(nested->table, "games");
}

TEST_F(PlanPgTest, PlaceholdersGiveAGenericPlan) {
  for (const bool untrusted : {true, false}) {
    ExplainOptions options;
    options.untrusted = untrusted;
    // Twice: the second run reuses the connection's cached statements.
    for (int run = 0; run < 2; ++run) {
      auto plan = Run("SELECT * FROM games WHERE season = ? AND team > ?", options);
      ASSERT_OK(plan);
      const PlanNode* index = FindNode(plan->root, "Bitmap Index Scan");
      if (index == nullptr) index = FindNode(plan->root, "Index Scan");
      ASSERT_NE(index, nullptr);
      EXPECT_EQ(index->detail, "index cond: (season = $1)");
      ExpectSessionClean();
    }
  }
  auto numbered = Run("SELECT id FROM games WHERE season = ?1 OR team = ?1 LIMIT $2");
  ASSERT_OK(numbered);
  EXPECT_NE(FindNode(numbered->root, "Limit"), nullptr);
  ExpectSessionClean();

  // A statement left over under the name is replaced.
  ASSERT_OK(connection().ExecuteScript("PREPARE fb_explain AS SELECT 1"));
  ASSERT_OK(Run("SELECT * FROM games WHERE id = ?"));
  ExpectSessionClean();

  // ANALYZE would run it with NULLs.
  EXPECT_ERROR(Run("SELECT * FROM games WHERE id = ?", Analyzed()), ErrorCode::kInvalidArgument);
  // PREPARE failing is the server's error, and leaves nothing behind.
  ExplainOptions trusted;
  trusted.untrusted = false;
  EXPECT_ERROR(Run("SELECT * FROM games WHERE id = ? AND nope = ?", trusted), ErrorCode::kNotFound);
  EXPECT_ERROR(Run("SELECT ? + ?", trusted), ErrorCode::kSyntax);
  ExpectSessionClean();
}

TEST_F(PlanPgTest, AGenericPlanInsideTheCallersTransactionLeavesItOpen) {
  db::WorkOptions work;
  work.read_only = false;
  ASSERT_OK(connection().BeginWork(work));
  ASSERT_OK(connection().Execute("INSERT INTO teams VALUES (30, 'new')"));
  auto plan = Run("SELECT * FROM games WHERE season = ?");
  ASSERT_OK(plan);
  auto analyzed = Run("SELECT count(*) FROM teams", Analyzed(false));
  ASSERT_OK(analyzed);
  EXPECT_EQ(analyzed->root.actual_rows, 1);
  // Still the caller's transaction, writable, with its insert.
  ASSERT_OK(connection().Execute("INSERT INTO teams VALUES (31, 'newer')"));
  EXPECT_EQ(Text("SELECT count(*) FROM teams"), "32");
  ASSERT_OK(connection().EndWork(false));
  EXPECT_EQ(Text("SELECT count(*) FROM teams"), "30");
  ExpectSessionClean();
}

TEST_F(PlanPgTest, AnalyzeFindsRowEstimatesOffForCorrelatedColumns) {
  auto plan = Run("SELECT * FROM c WHERE a = 1 AND b = 1", Analyzed());
  ASSERT_OK(plan);
  EXPECT_TRUE(plan->analyzed);
  EXPECT_GT(plan->execution_ms, 0);
  EXPECT_EQ(plan->root.actual_rows, 1000);
  EXPECT_LT(plan->root.plan_rows, 100);
  EXPECT_EQ(plan->root.rows_removed_by_filter, 99000);
  EXPECT_GE(plan->root.shared_hit_blocks, 0);
  EXPECT_GE(plan->root.shared_read_blocks, 0);
  EXPECT_GT(plan->root.shared_hit_blocks + plan->root.shared_read_blocks, 0);
  const Finding* estimate = FindRule(*plan, "row_estimate");
  ASSERT_NE(estimate, nullptr);
  EXPECT_EQ(estimate->table, "c");
  EXPECT_EQ(estimate->evidence,
            fmt::format("Seq Scan on c: estimated rows={:.0f}, actual rows=1000 (loops=1), "
                        "filter: ((a = 1) AND (b = 1)), rows removed by filter: 99000",
                        plan->root.plan_rows));
  EXPECT_NE(estimate->suggestion.find("CREATE STATISTICS"), std::string::npos);
  const nlohmann::json json = ToJson(*plan);
  EXPECT_EQ(json["plan"]["actual_rows"], 1000.0);
  EXPECT_TRUE(json["plan"].contains("shared_hit_blocks"));
  ExpectSessionClean();

  // What the suggestion says fixes it.
  ASSERT_OK(connection().ExecuteScript(
      "CREATE STATISTICS c_ab (dependencies) ON a, b FROM c; ANALYZE c"));
  plan = Run("SELECT * FROM c WHERE a = 1 AND b = 1", Analyzed());
  ASSERT_OK(plan);
  EXPECT_EQ(FindRule(*plan, "row_estimate"), nullptr);
  EXPECT_GE(plan->root.plan_rows, 500);
}

TEST_F(PlanPgTest, AnalyzeRunsReadOnlyAndRollsBack) {
  for (const bool untrusted : {true, false}) {
    auto plan = Run("SELECT count(*) FROM games", Analyzed(untrusted));
    ASSERT_OK(plan);
    EXPECT_TRUE(plan->analyzed);
    ExpectSessionClean();
    // A write hidden in a WITH fails in the read-only transaction; nothing changes.
    auto write = Run("WITH d AS (DELETE FROM games RETURNING id) SELECT count(*) FROM d",
                     Analyzed(untrusted));
    EXPECT_ERROR(write, ErrorCode::kPermissionDenied);
    EXPECT_EQ(Text("SELECT count(*) FROM games"), "50000");
    ExpectSessionClean();
  }
  // ANALYZE of anything but a query is refused before it runs, trusted or not.
  auto deleted = Run("DELETE FROM games", Analyzed(false));
  EXPECT_ERROR(deleted, ErrorCode::kPermissionDenied);
  EXPECT_NE(deleted.error().message.find("only a query"), std::string::npos);
  EXPECT_EQ(Text("SELECT count(*) FROM games"), "50000");
  // Without ANALYZE a trusted caller may see the plan of a write; nothing runs.
  ExplainOptions trusted;
  trusted.untrusted = false;
  auto plan = Run("DELETE FROM games WHERE team = 1", trusted);
  ASSERT_OK(plan);
  EXPECT_EQ(plan->root.operation, "ModifyTable");
  EXPECT_EQ(Text("SELECT count(*) FROM games"), "50000");
  ExpectSessionClean();
}

TEST_F(PlanPgTest, UntrustedStatementsAreCheckedBeforeAnythingRuns) {
  auto deleted = Run("DELETE FROM games");
  EXPECT_ERROR(deleted, ErrorCode::kPermissionDenied);
  EXPECT_NE(deleted.error().message.find("DELETE is not allowed"), std::string::npos);
  EXPECT_ERROR(Run("SELECT 1; DROP TABLE games"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Run("SELECT 1 FROM games WHERE id = ?; DROP TABLE games"),
               ErrorCode::kInvalidArgument);
  // The backend's checks apply, with and without placeholders.
  EXPECT_ERROR(Run("SELECT pg_sleep(5)"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Run("SELECT pg_sleep(?)"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Run("SELECT pg_read_file(?)"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Run("VACUUM games"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Run("SELECT * FROM nowhere"), ErrorCode::kNotFound);
  EXPECT_ERROR(Run("SELECT * FROM nowhere WHERE id = ?"), ErrorCode::kNotFound);
  EXPECT_ERROR(Run("SELECT FROM WHERE x"), ErrorCode::kSyntax);
  EXPECT_EQ(Text("SELECT count(*) FROM games"), "50000");
  ExpectSessionClean();
}

}  // namespace
}  // namespace fastbreak::query
