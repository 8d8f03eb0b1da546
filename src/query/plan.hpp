// EXPLAIN analysis: SQLite's EXPLAIN QUERY PLAN and PostgreSQL's EXPLAIN (FORMAT JSON)
// (optionally with ANALYZE and BUFFERS) read into one plan tree, and findings drawn from it:
// full scans of large tables, temporary B-trees for sorting or grouping, nested loops over
// large inputs, and row estimates far from the actual rows; each with the cost or row
// figures that justify it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/error.hpp"
#include "db/database.hpp"
#include "query/lint.hpp"
#include "query/schema_info.hpp"

namespace fastbreak::query {

struct PlanNode {
  // SQLite: the detail's first words ("SCAN", "SEARCH", "USE TEMP B-TREE", "CO-ROUTINE",
  // "MATERIALIZE", "COMPOUND QUERY", "LIST SUBQUERY"...). PostgreSQL: "Node Type"
  // ("Seq Scan", "Index Scan", "Nested Loop", "Sort", "HashAggregate"...).
  std::string operation;
  std::string relation;  // the table (or view/CTE) read, when one is
  std::string alias;
  std::string index;     // the index used, when one is
  bool covering = false;  // SQLite "USING COVERING INDEX", PostgreSQL "Index Only Scan"
  std::string detail;    // SQLite: the whole detail text; PostgreSQL: filter/cond summary
  // PostgreSQL estimates (-1 when absent, as on SQLite).
  double startup_cost = -1;
  double total_cost = -1;
  double plan_rows = -1;
  // With ANALYZE (-1 otherwise): per loop, as PostgreSQL reports them.
  double actual_rows = -1;
  double actual_total_ms = -1;
  double loops = -1;
  int64_t shared_hit_blocks = -1;   // with BUFFERS
  int64_t shared_read_blocks = -1;  // with BUFFERS
  std::vector<PlanNode> children;
};

struct QueryPlan {
  db::Dialect dialect = db::Dialect::kSqlite;
  bool analyzed = false;
  PlanNode root;  // a synthetic "QUERY PLAN" root on SQLite; the top plan node on PostgreSQL
  double total_cost = -1;        // PostgreSQL: the root's total cost
  double execution_ms = -1;      // with ANALYZE
  std::vector<Finding> findings;  // rules full_scan, temp_btree, nested_loop, row_estimate
  // One line: the operations that matter, e.g. "SCAN player_game_stats; USE TEMP B-TREE FOR
  // ORDER BY" or "Seq Scan on games (cost=0.00..431.00 rows=2460)".
  std::string summary;
};

struct ExplainOptions {
  // PostgreSQL: EXPLAIN ANALYZE runs the statement (inside a read-only transaction that is
  // rolled back); refused for anything but a SELECT. SQLite has no ANALYZE; ignored there.
  bool analyze = false;
  bool buffers = false;
  int64_t large_table_rows = 10'000;
  // A row estimate off by this factor or more (either way) is a finding.
  double row_estimate_factor = 10;
  // The statement came from an untrusted party (an agent): prepared with PrepareUntrusted.
  bool untrusted = true;
};

// Explains one statement on `connection`. Statements with `?`/`$N` placeholders are
// explained as generic plans (SQLite: unbound parameters; PostgreSQL: PREPARE, then EXPLAIN
// EXECUTE with plan_cache_mode = force_generic_plan). Errors: the engine's (kSyntax,
// kNotFound), kPermissionDenied for what an untrusted statement may not do.
Result<QueryPlan> Explain(db::Connection& connection, std::string_view sql,
                          const ExplainOptions& options = {}, const SchemaInfo* schema = nullptr);

// The parsers and the analysis alone, for tests and for callers that ran EXPLAIN themselves.
struct SqlitePlanRow {
  int id = 0;
  int parent = 0;
  std::string detail;
};
PlanNode ParseSqlitePlan(const std::vector<SqlitePlanRow>& rows);
// `json` is the whole output of EXPLAIN (FORMAT JSON): an array of one object with "Plan".
Result<QueryPlan> ParsePostgresPlan(std::string_view json);
// Fills plan.findings and plan.summary.
void AnalyzePlan(QueryPlan& plan, const SchemaInfo* schema, const ExplainOptions& options);

// {"dialect","analyzed","total_cost","execution_ms","summary","findings":[...],"plan":{tree}}
nlohmann::json ToJson(const QueryPlan& plan);

}  // namespace fastbreak::query
