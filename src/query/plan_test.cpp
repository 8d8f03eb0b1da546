// EXPLAIN analysis without a server: SQLite plan rows and PostgreSQL JSON (hand-written in
// PostgreSQL 15's shape) parsed into trees, the findings drawn from them, and Explain on a
// real SQLite file.
#include "query/plan.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "db/sqlite/sqlite_database.hpp"
#include "query/plan_internal.hpp"
#include "query/schema_info.hpp"
#include "testing/testing.hpp"

namespace fastbreak::query {
namespace {

// A schema holding only what the analysis reads: tables with their rows.
SchemaInfo SchemaWith(std::initializer_list<std::pair<const char*, int64_t>> tables,
                      std::string source = "count(*)") {
  SchemaInfo schema;
  for (const auto& [name, rows] : tables) {
    TableInfo table;
    table.name = name;
    table.rows = rows;
    table.rows_source = source;
    schema.tables.push_back(std::move(table));
  }
  return schema;
}

const Finding* FindRule(const QueryPlan& plan, std::string_view rule) {
  for (const Finding& finding : plan.findings) {
    if (finding.rule == rule) return &finding;
  }
  return nullptr;
}

int CountRule(const QueryPlan& plan, std::string_view rule) {
  int count = 0;
  for (const Finding& finding : plan.findings) count += finding.rule == rule ? 1 : 0;
  return count;
}

QueryPlan SqlitePlan(const std::vector<SqlitePlanRow>& rows) {
  QueryPlan plan;
  plan.dialect = db::Dialect::kSqlite;
  plan.root = ParseSqlitePlan(rows);
  return plan;
}

// --- SQLite plan rows ---

TEST(ParseSqlitePlanTest, ReadsEachDetailShape) {
  const struct {
    const char* detail;
    const char* operation;
    const char* relation;
    const char* alias;
    const char* index;
    bool covering;
  } cases[] = {
      {"SCAN t", "SCAN", "t", "", "", false},
      {"SCAN t AS a", "SCAN", "t", "a", "", false},
      {"SCAN TABLE t AS a USING INDEX i", "SCAN", "t", "a", "i", false},
      {"SCAN t USING INDEX t_a", "SCAN", "t", "", "t_a", false},
      {"SEARCH q USING INDEX t_a (a=?)", "SEARCH", "q", "", "t_a", false},
      {"SEARCH t USING COVERING INDEX t_ab (a=? AND b>?)", "SEARCH", "t", "", "t_ab", true},
      {"SEARCH t USING INTEGER PRIMARY KEY (rowid=?)", "SEARCH", "t", "", "INTEGER PRIMARY KEY",
       false},
      {"SEARCH w USING PRIMARY KEY (k=?)", "SEARCH", "w", "", "PRIMARY KEY", false},
      {"SEARCH u USING AUTOMATIC COVERING INDEX (x=?)", "SEARCH", "u", "", "(automatic)", true},
      {"SEARCH u USING AUTOMATIC PARTIAL COVERING INDEX (season=?)", "SEARCH", "u", "",
       "(automatic)", true},
      {"USE TEMP B-TREE FOR ORDER BY", "USE TEMP B-TREE", "", "", "", false},
      {"USE TEMP B-TREE FOR RIGHT PART OF ORDER BY", "USE TEMP B-TREE", "", "", "", false},
      {"SCAN CONSTANT ROW", "SCAN CONSTANT ROW", "", "", "", false},
      {"CO-ROUTINE (subquery-1)", "CO-ROUTINE", "(subquery-1)", "", "", false},
      {"MATERIALIZE w", "MATERIALIZE", "w", "", "", false},
      {"SCAN (subquery-1)", "SCAN", "(subquery-1)", "", "", false},
      {"CORRELATED SCALAR SUBQUERY 1", "CORRELATED SCALAR SUBQUERY", "", "", "", false},
      {"LIST SUBQUERY 12", "LIST SUBQUERY", "", "", "", false},
      {"COMPOUND QUERY", "COMPOUND QUERY", "", "", "", false},
      {"UNION ALL", "UNION ALL", "", "", "", false},
      {"UNION USING TEMP B-TREE", "UNION USING TEMP B-TREE", "", "", "", false},
      {"BLOOM FILTER ON t (a=?)", "BLOOM FILTER", "t", "", "", false},
  };
  for (const auto& c : cases) {
    const PlanNode root = ParseSqlitePlan({{2, 0, c.detail}});
    ASSERT_EQ(root.children.size(), 1u) << c.detail;
    const PlanNode& node = root.children[0];
    EXPECT_EQ(node.operation, c.operation) << c.detail;
    EXPECT_EQ(node.relation, c.relation) << c.detail;
    EXPECT_EQ(node.alias, c.alias) << c.detail;
    EXPECT_EQ(node.index, c.index) << c.detail;
    EXPECT_EQ(node.covering, c.covering) << c.detail;
    EXPECT_EQ(node.detail, c.detail);
    EXPECT_EQ(node.total_cost, -1);
  }
}

TEST(ParseSqlitePlanTest, BuildsTheTreeByParentIds) {
  // WITH w AS MATERIALIZED (SELECT a FROM t) SELECT * FROM w, w AS w2 ORDER BY 1
  const PlanNode root = ParseSqlitePlan({{2, 0, "MATERIALIZE w"},
                                         {3, 2, "SCAN t USING COVERING INDEX t_a"},
                                         {9, 0, "SCAN w"},
                                         {11, 0, "SCAN w2"},
                                         {20, 77, "USE TEMP B-TREE FOR ORDER BY"}});
  EXPECT_EQ(root.operation, "QUERY PLAN");
  ASSERT_EQ(root.children.size(), 4u);
  EXPECT_EQ(root.children[0].operation, "MATERIALIZE");
  ASSERT_EQ(root.children[0].children.size(), 1u);
  EXPECT_EQ(root.children[0].children[0].index, "t_a");
  EXPECT_EQ(root.children[1].detail, "SCAN w");
  EXPECT_EQ(root.children[2].detail, "SCAN w2");
  // An unknown parent hangs from the root.
  EXPECT_EQ(root.children[3].operation, "USE TEMP B-TREE");
}

TEST(ParseSqlitePlanTest, BoundsDepthAndRows) {
  std::vector<SqlitePlanRow> chain;
  for (int i = 1; i <= 100; ++i) chain.push_back({i, i - 1, "SCAN t"});
  const PlanNode deep = ParseSqlitePlan(chain);
  int depth = 0;
  for (const PlanNode* node = &deep; !node->children.empty(); node = &node->children.back()) {
    ++depth;
  }
  EXPECT_EQ(depth, kMaxPlanDepth);

  std::vector<SqlitePlanRow> wide(kMaxPlanNodes + 50, SqlitePlanRow{1, 0, "SCAN t"});
  for (size_t i = 0; i < wide.size(); ++i) wide[i].id = static_cast<int>(i + 1);
  EXPECT_EQ(ParseSqlitePlan(wide).children.size(), static_cast<size_t>(kMaxPlanNodes));
}

// --- SQLite findings ---

TEST(AnalyzeSqlitePlanTest, FullScanOfALargeTableNamesItsRows) {
  QueryPlan plan = SqlitePlan({{2, 0, "SCAN player_game_stats"}});
  const SchemaInfo schema = SchemaWith({{"player_game_stats", 1'204'330}}, "sqlite_stat1");
  AnalyzePlan(plan, &schema, {});
  ASSERT_EQ(plan.findings.size(), 1u);
  const Finding& finding = plan.findings[0];
  EXPECT_EQ(finding.rule, "full_scan");
  EXPECT_EQ(finding.severity, Severity::kWarning);
  EXPECT_EQ(finding.table, "player_game_stats");
  EXPECT_EQ(finding.evidence,
            "SCAN player_game_stats: ~1,204,330 rows (sqlite_stat1), no index used");
  EXPECT_NE(finding.message.find("player_game_stats is read in full"), std::string::npos);
  EXPECT_EQ(plan.summary, "SCAN player_game_stats");
}

TEST(AnalyzeSqlitePlanTest, NoFullScanForSmallTablesIndexesOrWithoutSchema) {
  const SchemaInfo schema = SchemaWith({{"t", 9'999}, {"big", 50'000}});
  QueryPlan small = SqlitePlan({{2, 0, "SCAN t"}});
  AnalyzePlan(small, &schema, {});
  EXPECT_TRUE(small.findings.empty());
  QueryPlan indexed = SqlitePlan({{2, 0, "SCAN big USING COVERING INDEX big_a"},
                                  {3, 0, "SEARCH big USING INDEX big_b (b=?)"}});
  AnalyzePlan(indexed, &schema, {});
  EXPECT_TRUE(indexed.findings.empty());
  QueryPlan unknown = SqlitePlan({{2, 0, "SCAN big"}});
  AnalyzePlan(unknown, nullptr, {});
  EXPECT_TRUE(unknown.findings.empty());
  ExplainOptions lower;
  lower.large_table_rows = 5'000;
  AnalyzePlan(small, &schema, lower);
  EXPECT_EQ(CountRule(small, "full_scan"), 1);
}

TEST(AnalyzeSqlitePlanTest, TempBtreeNamesItsPurposeAndTheTableUnderIt) {
  const SchemaInfo schema = SchemaWith({{"games", 20'000}, {"teams", 30}});
  QueryPlan order = SqlitePlan({{2, 0, "SCAN games"}, {3, 0, "USE TEMP B-TREE FOR ORDER BY"}});
  AnalyzePlan(order, &schema, {});
  const Finding* sort = FindRule(order, "temp_btree");
  ASSERT_NE(sort, nullptr);
  EXPECT_EQ(sort->severity, Severity::kWarning);
  EXPECT_EQ(sort->table, "games");
  EXPECT_EQ(sort->evidence,
            "USE TEMP B-TREE FOR ORDER BY over SCAN games (~20,000 rows, count(*))");
  EXPECT_TRUE(sort->message.starts_with("ORDER BY needs a temporary B-tree"));
  EXPECT_EQ(order.summary, "SCAN games; USE TEMP B-TREE FOR ORDER BY");

  QueryPlan group = SqlitePlan({{2, 0, "SCAN teams"}, {3, 0, "USE TEMP B-TREE FOR GROUP BY"}});
  AnalyzePlan(group, &schema, {});
  const Finding* grouping = FindRule(group, "temp_btree");
  ASSERT_NE(grouping, nullptr);
  EXPECT_EQ(grouping->severity, Severity::kInfo);  // 30 rows: cheap to sort
  EXPECT_TRUE(grouping->message.starts_with("GROUP BY needs a temporary B-tree"));
  EXPECT_NE(grouping->suggestion.find("GROUP BY columns"), std::string::npos);

  QueryPlan distinct = SqlitePlan({{2, 0, "USE TEMP B-TREE FOR DISTINCT"}});
  AnalyzePlan(distinct, nullptr, {});
  ASSERT_EQ(distinct.findings.size(), 1u);
  EXPECT_EQ(distinct.findings[0].evidence, "USE TEMP B-TREE FOR DISTINCT");
  EXPECT_TRUE(distinct.findings[0].message.starts_with("DISTINCT needs"));
}

TEST(AnalyzeSqlitePlanTest, ALaterFullScanAtTheSameLevelIsANestedLoop) {
  const SchemaInfo schema = SchemaWith({{"pgs", 20'000}, {"games", 20'000}});
  QueryPlan plan = SqlitePlan({{2, 0, "SCAN p"}, {3, 0, "SCAN g"}});
  plan.root.children[0].relation = "pgs";
  plan.root.children[0].alias = "p";
  plan.root.children[1].relation = "games";
  plan.root.children[1].alias = "g";
  AnalyzePlan(plan, &schema, {});
  EXPECT_EQ(CountRule(plan, "full_scan"), 2);
  ASSERT_EQ(CountRule(plan, "nested_loop"), 1);
  const Finding* nested = FindRule(plan, "nested_loop");
  EXPECT_EQ(nested->table, "games");
  EXPECT_EQ(nested->evidence,
            "SCAN g: ~20,000 rows (count(*)), no index, nested inside SCAN p (~20,000 rows, "
            "count(*)): up to ~400,000,000 row visits");

  // An index on the inner table turns it into a lookup: no nested loop to report.
  QueryPlan indexed = SqlitePlan({{2, 0, "SCAN pgs"}, {3, 0, "SEARCH games USING INDEX g (id=?)"}});
  AnalyzePlan(indexed, &schema, {});
  EXPECT_EQ(CountRule(indexed, "nested_loop"), 0);
}

TEST(AnalyzeSqlitePlanTest, AFullScanInACorrelatedSubqueryIsANestedLoop) {
  const SchemaInfo schema = SchemaWith({{"pgs", 20'000}, {"games", 20'000}});
  QueryPlan plan = SqlitePlan({{2, 0, "SEARCH pgs USING INDEX pgs_player (player_id=?)"},
                               {5, 0, "CORRELATED SCALAR SUBQUERY 1"},
                               {7, 5, "SEARCH games"}});
  AnalyzePlan(plan, &schema, {});
  const Finding* nested = FindRule(plan, "nested_loop");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->evidence,
            "SEARCH games: ~20,000 rows (count(*)), no index, nested inside a correlated "
            "subquery, run once per row of the outer query");
  EXPECT_NE(nested->message.find("correlated subquery"), std::string::npos);
}

TEST(AnalyzeSqlitePlanTest, FindingsAndSummaryAreBounded) {
  std::vector<SqlitePlanRow> rows;
  for (int i = 1; i <= 300; ++i) rows.push_back({i, 0, "SCAN t"});
  QueryPlan plan = SqlitePlan(rows);
  const SchemaInfo schema = SchemaWith({{"t", 20'000}});
  AnalyzePlan(plan, &schema, {});
  EXPECT_EQ(plan.findings.size(), kMaxPlanFindings);
  EXPECT_LE(plan.summary.size(), kMaxPlanSummaryBytes + 3);
  EXPECT_TRUE(plan.summary.starts_with("SCAN t; SCAN t; "));
  EXPECT_TRUE(plan.summary.ends_with("...")) << plan.summary;
  // Analyzing again replaces what was there.
  AnalyzePlan(plan, nullptr, {});
  EXPECT_TRUE(plan.findings.empty());
}

// --- PostgreSQL JSON ---

constexpr const char* kAnalyzedSort = R"json([
  {
    "Plan": {
      "Node Type": "Sort",
      "Parallel Aware": false,
      "Startup Cost": 6388.41,
      "Total Cost": 6513.41,
      "Plan Rows": 50000,
      "Plan Width": 12,
      "Actual Startup Time": 16.311,
      "Actual Total Time": 19.178,
      "Actual Rows": 50000,
      "Actual Loops": 1,
      "Sort Key": ["team", "id"],
      "Sort Method": "external merge",
      "Sort Space Used": 1112,
      "Sort Space Type": "Disk",
      "Shared Hit Blocks": 271,
      "Shared Read Blocks": 3,
      "Plans": [
        {
          "Node Type": "Seq Scan",
          "Parent Relationship": "Outer",
          "Relation Name": "games",
          "Alias": "g",
          "Startup Cost": 0.00,
          "Total Cost": 771.00,
          "Plan Rows": 50000,
          "Actual Total Time": 2.652,
          "Actual Rows": 50000,
          "Actual Loops": 1,
          "Filter": "(season > 2000)",
          "Rows Removed by Filter": 120,
          "Shared Hit Blocks": 268,
          "Shared Read Blocks": 3
        }
      ]
    },
    "Planning Time": 0.025,
    "Triggers": [],
    "Execution Time": 20.961
  }
])json";

TEST(ParsePostgresPlanTest, ReadsEveryFieldOfAnAnalyzedPlan) {
  auto plan = ParsePostgresPlan(kAnalyzedSort);
  ASSERT_OK(plan);
  EXPECT_EQ(plan->dialect, db::Dialect::kPostgres);
  EXPECT_TRUE(plan->analyzed);
  EXPECT_DOUBLE_EQ(plan->total_cost, 6513.41);
  EXPECT_DOUBLE_EQ(plan->execution_ms, 20.961);
  const PlanNode& sort = plan->root;
  EXPECT_EQ(sort.operation, "Sort");
  EXPECT_DOUBLE_EQ(sort.startup_cost, 6388.41);
  EXPECT_EQ(sort.plan_rows, 50000);
  EXPECT_EQ(sort.actual_rows, 50000);
  EXPECT_EQ(sort.loops, 1);
  EXPECT_DOUBLE_EQ(sort.actual_total_ms, 19.178);
  EXPECT_EQ(sort.shared_hit_blocks, 271);
  EXPECT_EQ(sort.shared_read_blocks, 3);
  EXPECT_EQ(sort.sort_key, "team, id");
  EXPECT_EQ(sort.sort_method, "external merge");
  EXPECT_EQ(sort.sort_space_type, "Disk");
  EXPECT_EQ(sort.sort_space_kb, 1112);
  EXPECT_EQ(sort.detail, "sort key: team, id, sort method: external merge, disk: 1112 kB");
  ASSERT_EQ(sort.children.size(), 1u);
  const PlanNode& scan = sort.children[0];
  EXPECT_EQ(scan.operation, "Seq Scan");
  EXPECT_EQ(scan.relation, "games");
  EXPECT_EQ(scan.alias, "g");
  EXPECT_EQ(scan.role, "Outer");
  EXPECT_EQ(scan.rows_removed_by_filter, 120);
  EXPECT_EQ(scan.detail, "filter: (season > 2000), rows removed by filter: 120");
  EXPECT_TRUE(plan->findings.empty());  // AnalyzePlan fills them
}

TEST(ParsePostgresPlanTest, APlanWithoutAnalyzeHasNoActualFigures) {
  auto plan = ParsePostgresPlan(R"json([{"Plan": {"Node Type": "Index Only Scan",
      "Relation Name": "games", "Alias": "games", "Index Name": "games_season",
      "Startup Cost": 0.29, "Total Cost": 8.31, "Plan Rows": 1,
      "Index Cond": "(season = $1)"}}])json");
  ASSERT_OK(plan);
  EXPECT_FALSE(plan->analyzed);
  EXPECT_EQ(plan->execution_ms, -1);
  EXPECT_EQ(plan->root.actual_rows, -1);
  EXPECT_EQ(plan->root.loops, -1);
  EXPECT_EQ(plan->root.shared_hit_blocks, -1);
  EXPECT_TRUE(plan->root.covering);
  EXPECT_EQ(plan->root.index, "games_season");
  EXPECT_EQ(plan->root.detail, "index cond: (season = $1)");
}

TEST(ParsePostgresPlanTest, MalformedInputIsAnErrorNotACrash) {
  EXPECT_ERROR(ParsePostgresPlan("not json"), ErrorCode::kParseError);
  EXPECT_ERROR(ParsePostgresPlan("[{\"Plan\": {\"Node Type\": \"Seq Scan\""),
               ErrorCode::kParseError);
  EXPECT_ERROR(ParsePostgresPlan(""), ErrorCode::kParseError);
  EXPECT_ERROR(ParsePostgresPlan("[]"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParsePostgresPlan("{}"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParsePostgresPlan("[42]"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParsePostgresPlan(R"([{"Plan": {"Total Cost": 1}}])"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParsePostgresPlan(R"([{"Plan": {"Node Type": "Sort", "Plans": {}}}])"),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParsePostgresPlan(R"([{"Plan": {"Node Type": "Sort", "Plans": [7]}}])"),
               ErrorCode::kInvalidArgument);
  // Wrong types for figures are read as absent.
  auto odd = ParsePostgresPlan(R"([{"Plan": {"Node Type": "Result", "Total Cost": "x"}}])");
  ASSERT_OK(odd);
  EXPECT_EQ(odd->root.total_cost, -1);
}

TEST(ParsePostgresPlanTest, BoundsNestingAndSize) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += R"({"Node Type": "Limit", "Plans": [)";
  deep += R"({"Node Type": "Result"})";
  for (int i = 0; i < 200; ++i) deep += "]}";
  EXPECT_ERROR(ParsePostgresPlan("[{\"Plan\": " + deep + "}]"), ErrorCode::kInvalidArgument);
  std::string chain = R"({"Node Type": "Result"})";
  for (int i = 0; i < kMaxPlanDepth + 1; ++i) {
    chain = R"({"Node Type": "Limit", "Plans": [)" + chain + "]}";
  }
  EXPECT_ERROR(ParsePostgresPlan("[{\"Plan\": " + chain + "}]"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParsePostgresPlan(std::string(kMaxPlanJsonBytes + 1, ' ')),
               ErrorCode::kPayloadTooLarge);
  std::string wide = R"([{"Plan": {"Node Type": "Append", "Plans": [)";
  for (int i = 0; i < kMaxPlanNodes; ++i) wide += R"({"Node Type": "Result"},)";
  wide += R"({"Node Type": "Result"}]}}])";
  EXPECT_ERROR(ParsePostgresPlan(wide), ErrorCode::kPayloadTooLarge);
}

// --- PostgreSQL findings ---

QueryPlan PgPlan(const std::string& json) {
  auto plan = ParsePostgresPlan(json);
  EXPECT_TRUE(plan.has_value()) << plan.error().ToString();
  return plan ? std::move(*plan) : QueryPlan{};
}

constexpr const char* kSeqScan = R"json([{"Plan": {"Node Type": "Seq Scan",
    "Relation Name": "games", "Alias": "games", "Startup Cost": 0.00, "Total Cost": 431.00,
    "Plan Rows": 2460, "Plan Width": 12, "Filter": "(season = 2023)"}}])json";

TEST(AnalyzePostgresPlanTest, FullScanUsesPlanRowsOrTableRows) {
  QueryPlan plan = PgPlan(kSeqScan);
  ExplainOptions options;
  options.large_table_rows = 2'000;
  AnalyzePlan(plan, nullptr, options);
  ASSERT_EQ(plan.findings.size(), 1u);
  EXPECT_EQ(plan.findings[0].rule, "full_scan");
  EXPECT_EQ(plan.findings[0].table, "games");
  EXPECT_EQ(plan.findings[0].evidence,
            "Seq Scan on games: rows=2460 cost=0.00..431.00, filter: (season = 2023)");
  EXPECT_EQ(plan.summary, "Seq Scan on games (cost=0.00..431.00 rows=2460)");

  // 2,460 rows out of a 10,000 row default: only the table's own rows make it large.
  AnalyzePlan(plan, nullptr, {});
  EXPECT_TRUE(plan.findings.empty());
  const SchemaInfo schema = SchemaWith({{"games", 24'600}}, "pg_class.reltuples");
  AnalyzePlan(plan, &schema, {});
  ASSERT_EQ(plan.findings.size(), 1u);
  EXPECT_EQ(plan.findings[0].evidence,
            "Seq Scan on games: rows=2460 cost=0.00..431.00, filter: (season = 2023), table "
            "~24,600 rows (pg_class.reltuples)");
}

TEST(AnalyzePostgresPlanTest, LargeOrSpilledSortsAreTempBtrees) {
  QueryPlan plan = PgPlan(kAnalyzedSort);
  AnalyzePlan(plan, nullptr, {});
  const Finding* sort = FindRule(plan, "temp_btree");
  ASSERT_NE(sort, nullptr);
  EXPECT_EQ(sort->table, "games");
  EXPECT_EQ(sort->evidence,
            "Sort on (team, id): 50000 input rows, cost=6388.41..6513.41, sort method: external "
            "merge, disk: 1112 kB");
  EXPECT_NE(sort->message.find("spilled to disk"), std::string::npos);
  EXPECT_EQ(CountRule(plan, "full_scan"), 1);
  EXPECT_EQ(plan.summary,
            "Sort (cost=6388.41..6513.41 rows=50000 actual rows=50000 loops=1); Seq Scan on "
            "games g (cost=0.00..771.00 rows=50000 actual rows=50000 loops=1)");

  // A small in-memory sort is fine; the same sort spilled to disk is not.
  const std::string small = R"([{"Plan": {"Node Type": "Sort", "Startup Cost": 2.04,
      "Total Cost": 2.11, "Plan Rows": 30, "Sort Key": ["t.id"], "Sort Method": "%s",
      "Sort Space Used": 26, "Sort Space Type": "%s", "Actual Rows": 30, "Actual Loops": 1,
      "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer",
      "Relation Name": "teams", "Alias": "t", "Startup Cost": 0, "Total Cost": 1.3,
      "Plan Rows": 30, "Actual Rows": 30, "Actual Loops": 1}]}}])";
  auto with = [&](const char* method, const char* type) {
    std::string text = small;
    text.replace(text.find("%s"), 2, method);
    text.replace(text.find("%s"), 2, type);
    return text;
  };
  QueryPlan memory = PgPlan(with("quicksort", "Memory"));
  AnalyzePlan(memory, nullptr, {});
  EXPECT_TRUE(memory.findings.empty());
  QueryPlan disk = PgPlan(with("external sort", "Disk"));
  AnalyzePlan(disk, nullptr, {});
  ASSERT_EQ(CountRule(disk, "temp_btree"), 1);
  EXPECT_EQ(disk.findings[0].evidence,
            "Sort on (t.id): 30 input rows, cost=2.04..2.11, sort method: external sort, disk: "
            "26 kB");
}

std::string NestedLoop(int outer_rows, const char* inner_type, int inner_rows) {
  return fmt::format(R"json([{{"Plan": {{"Node Type": "Nested Loop", "Join Type": "Inner",
      "Startup Cost": 0.00, "Total Cost": 23272.38, "Plan Rows": 500000,
      "Join Filter": "(a.id < b.team)", "Plans": [
        {{"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "games",
          "Alias": "b", "Startup Cost": 0.00, "Total Cost": 771.00, "Plan Rows": {}}},
        {{"Node Type": "{}", "Parent Relationship": "Inner", "Relation Name": "teams",
          "Alias": "a", "Startup Cost": 0.00, "Total Cost": 1.45, "Plan Rows": {}}}]}}}}])json",
                     outer_rows, inner_type, inner_rows);
}

TEST(AnalyzePostgresPlanTest, NestedLoopsOverManyPairsOrAnInnerSeqScan) {
  // 50,000 x 30 = 1.5M pairs: under 10,000^2 / 10.
  QueryPlan cheap = PgPlan(NestedLoop(50'000, "Materialize", 30));
  AnalyzePlan(cheap, nullptr, {});
  EXPECT_EQ(CountRule(cheap, "nested_loop"), 0);

  QueryPlan pairs = PgPlan(NestedLoop(50'000, "Materialize", 400));
  AnalyzePlan(pairs, nullptr, {});
  const Finding* nested = FindRule(pairs, "nested_loop");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->table, "teams");
  EXPECT_EQ(nested->evidence,
            "Nested Loop (cost=0.00..23272.38): outer Seq Scan on games b rows=50000, inner "
            "Materialize on teams a rows=400 per loop: 20000000 row pairs, join filter: (a.id < "
            "b.team)");

  // A Seq Scan of a large table as the inner side, even with few pairs estimated.
  const SchemaInfo schema = SchemaWith({{"teams", 80'000}}, "pg_class.reltuples");
  QueryPlan inner_scan = PgPlan(NestedLoop(20, "Seq Scan", 5));
  AnalyzePlan(inner_scan, &schema, {});
  const Finding* scan = FindRule(inner_scan, "nested_loop");
  ASSERT_NE(scan, nullptr);
  EXPECT_NE(scan->message.find("teams is scanned in full (Seq Scan) once per outer row"),
            std::string::npos);
  EXPECT_NE(scan->evidence.find("teams ~80,000 rows (pg_class.reltuples)"), std::string::npos);
  AnalyzePlan(inner_scan, nullptr, {});
  EXPECT_EQ(CountRule(inner_scan, "nested_loop"), 0);
}

std::string Estimated(double plan_rows, double actual_rows) {
  return fmt::format(R"json([{{"Plan": {{"Node Type": "Aggregate", "Startup Cost": 2041,
      "Total Cost": 2041.1, "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1,
      "Plans": [{{"Node Type": "Sort", "Parent Relationship": "Outer", "Startup Cost": 2041,
        "Total Cost": 2041.05, "Plan Rows": {0}, "Actual Rows": {1}, "Actual Loops": 1,
        "Sort Key": ["id"], "Plans": [{{"Node Type": "Seq Scan", "Parent Relationship": "Outer",
          "Relation Name": "c", "Alias": "c", "Startup Cost": 0, "Total Cost": 2041,
          "Plan Rows": {0}, "Actual Rows": {1}, "Actual Loops": 1,
          "Filter": "((a = 1) AND (b = 1))", "Rows Removed by Filter": 99000}}]}}]}},
      "Execution Time": 3.9}}])json",
                     plan_rows, actual_rows);
}

TEST(AnalyzePostgresPlanTest, RowEstimatesFarOffAreReportedAtTheirSource) {
  QueryPlan under = PgPlan(Estimated(11, 1000));
  AnalyzePlan(under, nullptr, {});
  // The Sort above the scan inherits the error: only the scan is reported.
  ASSERT_EQ(CountRule(under, "row_estimate"), 1);
  const Finding* estimate = FindRule(under, "row_estimate");
  EXPECT_EQ(estimate->table, "c");
  EXPECT_EQ(estimate->evidence,
            "Seq Scan on c: estimated rows=11, actual rows=1000 (loops=1), filter: ((a = 1) AND "
            "(b = 1)), rows removed by filter: 99000");
  EXPECT_NE(estimate->message.find("underestimated the rows of Seq Scan on c by 91x"),
            std::string::npos);
  EXPECT_NE(estimate->suggestion.find("CREATE STATISTICS"), std::string::npos);
  // The scan read 100,000 rows (1,000 kept, 99,000 removed): a full scan of a large table.
  EXPECT_EQ(CountRule(under, "full_scan"), 1);

  QueryPlan over = PgPlan(Estimated(5000, 10));
  AnalyzePlan(over, nullptr, {});
  ASSERT_EQ(CountRule(over, "row_estimate"), 1);
  EXPECT_NE(FindRule(over, "row_estimate")->message.find("overestimated"), std::string::npos);

  QueryPlan few = PgPlan(Estimated(2, 90));  // under 100 rows on both sides
  AnalyzePlan(few, nullptr, {});
  EXPECT_EQ(CountRule(few, "row_estimate"), 0);
  QueryPlan close = PgPlan(Estimated(200, 1000));  // 5x: within the factor
  AnalyzePlan(close, nullptr, {});
  EXPECT_EQ(CountRule(close, "row_estimate"), 0);
  ExplainOptions strict;
  strict.row_estimate_factor = 4;
  AnalyzePlan(close, nullptr, strict);
  EXPECT_EQ(CountRule(close, "row_estimate"), 1);

  // Without ANALYZE there is nothing to compare.
  QueryPlan plain = PgPlan(kSeqScan);
  AnalyzePlan(plain, nullptr, strict);
  EXPECT_EQ(CountRule(plain, "row_estimate"), 0);
}

// --- JSON ---

TEST(PlanJsonTest, HoldsOnlyThePresentFields) {
  QueryPlan sqlite = SqlitePlan({{2, 0, "SEARCH t USING COVERING INDEX t_ab (a=?)"}});
  const SchemaInfo schema = SchemaWith({{"t", 100}});
  AnalyzePlan(sqlite, &schema, {});
  const nlohmann::json out = ToJson(sqlite);
  EXPECT_EQ(out["dialect"], "sqlite");
  EXPECT_EQ(out["analyzed"], false);
  EXPECT_FALSE(out.contains("total_cost"));
  EXPECT_FALSE(out.contains("execution_ms"));
  EXPECT_EQ(out["summary"], "SEARCH t USING COVERING INDEX t_ab (a=?)");
  EXPECT_EQ(out["findings"], nlohmann::json::array());
  const nlohmann::json& root = out["plan"];
  EXPECT_EQ(root, nlohmann::json::parse(R"json({"operation": "QUERY PLAN", "children": [
      {"operation": "SEARCH", "relation": "t", "index": "t_ab", "covering": true,
       "detail": "SEARCH t USING COVERING INDEX t_ab (a=?)"}]})json"));

  QueryPlan pg = PgPlan(kAnalyzedSort);
  AnalyzePlan(pg, nullptr, {});
  const nlohmann::json analyzed = ToJson(pg);
  EXPECT_EQ(analyzed["dialect"], "postgres");
  EXPECT_EQ(analyzed["analyzed"], true);
  EXPECT_DOUBLE_EQ(analyzed["total_cost"].get<double>(), 6513.41);
  EXPECT_DOUBLE_EQ(analyzed["execution_ms"].get<double>(), 20.961);
  EXPECT_EQ(analyzed["plan"]["sort_space_kb"], 1112);
  EXPECT_EQ(analyzed["plan"]["shared_read_blocks"], 3);
  EXPECT_EQ(analyzed["plan"]["children"][0]["relation"], "games");
  EXPECT_EQ(analyzed["plan"]["children"][0]["rows_removed_by_filter"], 120.0);
  EXPECT_FALSE(analyzed["plan"]["children"][0].contains("children"));
  EXPECT_FALSE(analyzed["plan"]["children"][0].contains("index"));
  ASSERT_EQ(analyzed["findings"].size(), pg.findings.size());
  EXPECT_EQ(analyzed["findings"][0]["rule"], pg.findings[0].rule);
  EXPECT_EQ(analyzed["findings"][0]["evidence"], pg.findings[0].evidence);
}

// --- the statement scan ---

TEST(ScanStatementTest, FindsTheKeywordAndNumbersThePlaceholders) {
  using plan_detail::ScanStatement;
  auto scanned = ScanStatement(
      "  /* c */ (SELECT ?, ?3, '?''?', \"?\", $$?$$, ? -- ?\n FROM t WHERE x = $5) ; -- end",
      db::Dialect::kPostgres);
  ASSERT_OK(scanned);
  EXPECT_EQ(scanned->keyword, "select");
  EXPECT_EQ(scanned->parameters, 5);
  EXPECT_EQ(scanned->statement,
            "(SELECT ?, ?3, '?''?', \"?\", $$?$$, ? -- ?\n FROM t WHERE x = $5)");
  EXPECT_EQ(scanned->dollar_sql,
            "(SELECT $1, $3, '?''?', \"?\", $$?$$, $4 -- ?\n FROM t WHERE x = $5)");

  auto escaped = ScanStatement("WITH x AS (SELECT E'\\'?' AS s) SELECT s FROM x WHERE 1 = ?",
                               db::Dialect::kPostgres);
  ASSERT_OK(escaped);
  EXPECT_EQ(escaped->keyword, "with");
  EXPECT_EQ(escaped->parameters, 1);

  auto sqlite = ScanStatement("select [a?], `b?` from t where c = ?2", db::Dialect::kSqlite);
  ASSERT_OK(sqlite);
  EXPECT_EQ(sqlite->parameters, 2);
  EXPECT_EQ(ScanStatement("DELETE FROM t", db::Dialect::kSqlite)->keyword, "delete");
  EXPECT_EQ(ScanStatement("/* nested /* comment */ */ SELECT 1", db::Dialect::kPostgres)->keyword,
            "select");
}

TEST(ScanStatementTest, RefusesEmptyTextExtraStatementsAndBadPlaceholders) {
  using plan_detail::ScanStatement;
  EXPECT_ERROR(ScanStatement("", db::Dialect::kSqlite), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ScanStatement(" -- only a comment\n ;", db::Dialect::kSqlite),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ScanStatement("SELECT 1; SELECT 2", db::Dialect::kSqlite),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ScanStatement("SELECT ?0", db::Dialect::kPostgres), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ScanStatement("SELECT $70000", db::Dialect::kPostgres), ErrorCode::kInvalidArgument);
  ASSERT_OK(ScanStatement("SELECT ';' ; ; -- x", db::Dialect::kSqlite));
}

// Arbitrary text through every parser: errors or results, never a crash (ASan and UBSan
// builds run this too).
TEST(PlanParsersTest, ArbitraryTextNeverCrashes) {
  constexpr std::string_view kAlphabet = "SCAN SEARCH USING INDEX (?$1)'\"`[];-/*\\E{}[]:,0 a";
  const unsigned seed = 20240611;
  std::mt19937 random(seed);
  for (int i = 0; i < 3000; ++i) {
    std::string text(random() % 40, ' ');
    for (char& c : text) c = kAlphabet[random() % kAlphabet.size()];
    for (const auto dialect : {db::Dialect::kSqlite, db::Dialect::kPostgres}) {
      auto scanned = plan_detail::ScanStatement(text, dialect);
      if (scanned) {
        EXPECT_NE(text.find(scanned->statement), std::string::npos) << "seed " << seed;
      }
    }
    QueryPlan plan = SqlitePlan({{1, 0, text}, {2, 1, text.substr(text.size() / 2)}});
    AnalyzePlan(plan, nullptr, {});
    (void)ParsePostgresPlan(text);
    auto wrapped = ParsePostgresPlan(R"([{"Plan": {"Node Type": ")" + text + R"("}}])");
    if (wrapped) AnalyzePlan(*wrapped, nullptr, {});
  }
}

TEST(FormatCountTest, GroupsThousands) {
  EXPECT_EQ(plan_detail::FormatCount(0), "0");
  EXPECT_EQ(plan_detail::FormatCount(999), "999");
  EXPECT_EQ(plan_detail::FormatCount(1000), "1,000");
  EXPECT_EQ(plan_detail::FormatCount(1'204'330), "1,204,330");
  EXPECT_EQ(plan_detail::FormatCount(400'000'000), "400,000,000");
}

// --- Explain on a real SQLite file ---

class SqliteExplainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = db::SqliteDatabase::Open({.path = dir_.File("plan.db")});
    ASSERT_OK(database);
    database_ = std::move(*database);
    auto connection = database_->Connect(db::AccessMode::kReadWrite);
    ASSERT_OK(connection);
    connection_ = std::move(*connection);
    ASSERT_OK(connection_->ExecuteScript(
        "CREATE TABLE pgs (id INTEGER PRIMARY KEY, player_id INT, game_id INT, points INT);"
        "CREATE TABLE games (id INTEGER PRIMARY KEY, code INT, season INT);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
        "INSERT INTO pgs SELECT i, i % 500, i % 3000, i % 40 FROM n;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
        "INSERT INTO games SELECT i, i, 2000 + i % 20 FROM n"));
    LoadSchema();
  }

  void LoadSchema() {
    auto schema = LoadSchemaInfo(*connection_);
    ASSERT_OK(schema);
    schema_ = std::move(*schema);
  }

  Result<QueryPlan> Run(std::string_view sql, bool untrusted = true) {
    ExplainOptions options;
    options.untrusted = untrusted;
    return Explain(*connection_, sql, options, &schema_);
  }

  int64_t Rows() {
    auto count = connection_->QueryScalar("SELECT count(*) FROM pgs");
    return count ? std::get<int64_t>(*count) : -1;
  }

  testing::TempDir dir_;
  std::unique_ptr<db::SqliteDatabase> database_;
  std::unique_ptr<db::Connection> connection_;
  SchemaInfo schema_;
};

TEST_F(SqliteExplainTest, FullScanWithoutAnIndexAndNoneWithOne) {
  auto plan = Run("SELECT points FROM pgs WHERE player_id = 7");
  ASSERT_OK(plan);
  EXPECT_EQ(plan->dialect, db::Dialect::kSqlite);
  EXPECT_EQ(plan->summary, "SCAN pgs");
  ASSERT_EQ(plan->findings.size(), 1u);
  EXPECT_EQ(plan->findings[0].rule, "full_scan");
  EXPECT_EQ(plan->findings[0].evidence, "SCAN pgs: ~20,000 rows (count(*)), no index used");

  ASSERT_OK(connection_->ExecuteScript("CREATE INDEX pgs_player ON pgs (player_id); ANALYZE"));
  LoadSchema();
  plan = Run("SELECT points FROM pgs WHERE player_id = 7");
  ASSERT_OK(plan);
  EXPECT_TRUE(plan->findings.empty());
  ASSERT_EQ(plan->root.children.size(), 1u);
  EXPECT_EQ(plan->root.children[0].operation, "SEARCH");
  EXPECT_EQ(plan->root.children[0].index, "pgs_player");
  EXPECT_EQ(plan->summary, "SEARCH pgs USING INDEX pgs_player (player_id=?)");
  // The statistics ANALYZE wrote are now the source of the rows.
  plan = Run("SELECT points FROM pgs WHERE points = 7");
  ASSERT_OK(plan);
  ASSERT_EQ(CountRule(*plan, "full_scan"), 1);
  EXPECT_EQ(FindRule(*plan, "full_scan")->evidence,
            "SCAN pgs: ~20,000 rows (sqlite_stat1), no index used");
}

TEST_F(SqliteExplainTest, AliasesAreTracedToTheirTables) {
  auto plan = Run("SELECT s.points FROM pgs AS s WHERE s.player_id = ?");
  ASSERT_OK(plan);
  ASSERT_EQ(plan->root.children.size(), 1u);
  EXPECT_EQ(plan->root.children[0].relation, "pgs");
  EXPECT_EQ(plan->root.children[0].alias, "s");
  const Finding* scan = FindRule(*plan, "full_scan");
  ASSERT_NE(scan, nullptr);
  EXPECT_EQ(scan->table, "pgs");
  EXPECT_EQ(scan->evidence, "SCAN s: ~20,000 rows (count(*)), no index used");
}

TEST_F(SqliteExplainTest, OrderByANonIndexedColumnUsesATempBtree) {
  auto plan = Run("SELECT * FROM pgs ORDER BY points DESC LIMIT 10");
  ASSERT_OK(plan);
  const Finding* sort = FindRule(*plan, "temp_btree");
  ASSERT_NE(sort, nullptr);
  EXPECT_EQ(sort->severity, Severity::kWarning);
  EXPECT_EQ(sort->table, "pgs");
  EXPECT_EQ(sort->evidence, "USE TEMP B-TREE FOR ORDER BY over SCAN pgs (~20,000 rows, count(*))");
  EXPECT_EQ(plan->summary, "SCAN pgs; USE TEMP B-TREE FOR ORDER BY");

  ASSERT_OK(connection_->ExecuteScript("CREATE INDEX pgs_points ON pgs (points)"));
  plan = Run("SELECT * FROM pgs ORDER BY points DESC LIMIT 10");
  ASSERT_OK(plan);
  EXPECT_EQ(FindRule(*plan, "temp_btree"), nullptr);
}

TEST_F(SqliteExplainTest, AJoinWithoutAnIndexOnTheInnerTableIsANestedLoop) {
  auto plan = Run("SELECT count(*) FROM pgs p JOIN games g ON g.code < p.game_id");
  ASSERT_OK(plan);
  const Finding* nested = FindRule(*plan, "nested_loop");
  ASSERT_NE(nested, nullptr);
  EXPECT_NE(nested->evidence.find("~20,000 rows (count(*)), no index, nested inside SCAN "),
            std::string::npos);
  EXPECT_NE(nested->evidence.find("up to ~400,000,000 row visits"), std::string::npos);

  // For an equality join SQLite builds an automatic index on the inner table instead...
  plan = Run("SELECT count(*) FROM pgs p JOIN games g ON g.code = p.game_id");
  ASSERT_OK(plan);
  EXPECT_EQ(FindRule(*plan, "nested_loop"), nullptr);
  // ...unless automatic indexes are off.
  ASSERT_OK(connection_->ExecuteScript("PRAGMA automatic_index = OFF"));
  plan = Run("SELECT count(*) FROM pgs p JOIN games g ON g.code = p.game_id");
  ASSERT_OK(plan);
  nested = FindRule(*plan, "nested_loop");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->evidence,
            "SCAN g: ~20,000 rows (count(*)), no index, nested inside SCAN p (~20,000 rows, "
            "count(*)): up to ~400,000,000 row visits");
}

TEST_F(SqliteExplainTest, BadSqlIsTheEnginesError) {
  EXPECT_ERROR(Run("SELECT FROM WHERE"), ErrorCode::kSyntax);
  EXPECT_ERROR(Run("SELEC 1"), ErrorCode::kPermissionDenied);  // not a query, as far as known
  EXPECT_ERROR(Run("SELECT * FROM nowhere"), ErrorCode::kNotFound);
  EXPECT_ERROR(Run("SELEC 1", /*untrusted=*/false), ErrorCode::kSyntax);
}

TEST_F(SqliteExplainTest, UntrustedStatementsMustBeOneQuery) {
  auto deleted = Run("DELETE FROM pgs");
  EXPECT_ERROR(deleted, ErrorCode::kPermissionDenied);
  EXPECT_NE(deleted.error().message.find("DELETE is not allowed"), std::string::npos);
  EXPECT_ERROR(Run("SELECT 1; DELETE FROM pgs"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Run("WITH x AS (SELECT 1) DELETE FROM pgs"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Run("EXPLAIN SELECT 1"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Run("  -- nothing\n"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(Run("PRAGMA writable_schema = 1"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Run("SELECT load_extension('x')"), ErrorCode::kPermissionDenied);
  EXPECT_ERROR(Run("SELECT '" + std::string(20'000, 'x') + "'"), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(Rows(), 20'000);

  // A trusted caller may explain a write; nothing runs.
  auto trusted = Run("DELETE FROM pgs WHERE points = 3", /*untrusted=*/false);
  ASSERT_OK(trusted);
  EXPECT_EQ(trusted->summary, "SCAN pgs");
  EXPECT_EQ(Rows(), 20'000);
  // A trailing ';' and comment are fine.
  ASSERT_OK(Run("SELECT 1 FROM pgs WHERE id = 3; -- done"));
}

}  // namespace
}  // namespace fastbreak::query
