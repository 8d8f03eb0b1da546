// EXPLAIN analysis: SQLite's EXPLAIN QUERY PLAN and PostgreSQL's EXPLAIN (FORMAT JSON)
// (optionally with ANALYZE and BUFFERS) read into one plan tree, and findings drawn from it:
// full scans of large tables, temporary B-trees for sorting or grouping, nested loops over
// large inputs, and row estimates far from the actual rows; each with the cost or row
// figures that justify it.
//
// Bounds: SQL text at most kMaxExplainSqlBytes; a plan of at most kMaxPlanNodes nodes nested
// at most kMaxPlanDepth deep (SQLite: deeper rows hang from their deepest allowed ancestor;
// PostgreSQL: kInvalidArgument); PostgreSQL plan JSON at most kMaxPlanJsonBytes; at most
// kMaxPlanFindings findings and a summary of at most kMaxPlanSummaryBytes.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"
#include "query/lint.hpp"
#include "query/schema_info.hpp"

namespace fastbreak::query {

inline constexpr size_t kMaxExplainSqlBytes = 1 << 20;
inline constexpr size_t kMaxPlanJsonBytes = 16 << 20;
inline constexpr int kMaxPlanNodes = 10'000;
inline constexpr int kMaxPlanDepth = 64;
inline constexpr size_t kMaxPlanFindings = 100;
inline constexpr size_t kMaxPlanSummaryBytes = 1000;

struct PlanNode {
  // SQLite: the detail's first words ("SCAN", "SEARCH", "USE TEMP B-TREE", "CO-ROUTINE",
  // "MATERIALIZE", "COMPOUND QUERY", "LIST SUBQUERY"...). PostgreSQL: "Node Type"
  // ("Seq Scan", "Index Scan", "Nested Loop", "Sort", "HashAggregate"...).
  std::string operation;
  std::string relation;  // the table (or view/CTE) read, when one is
  std::string alias;
  std::string index;      // the index used, when one is
  bool covering = false;  // SQLite "USING COVERING INDEX", PostgreSQL "Index Only Scan"
  std::string detail;     // SQLite: the whole detail text; PostgreSQL: filter/cond summary
  // PostgreSQL "Parent Relationship": "Outer", "Inner", "InitPlan", "SubPlan", "Member"...
  std::string role;
  std::string sort_key;         // PostgreSQL "Sort Key", comma-separated
  std::string sort_method;      // with ANALYZE: "quicksort", "top-N heapsort", "external merge"
  std::string sort_space_type;  // with ANALYZE: "Memory" or "Disk"
  int64_t sort_space_kb = -1;   // with ANALYZE: "Sort Space Used"
  // PostgreSQL estimates (-1 when absent, as on SQLite).
  double startup_cost = -1;
  double total_cost = -1;
  double plan_rows = -1;
  // With ANALYZE (-1 otherwise): per loop, as PostgreSQL reports them.
  double actual_rows = -1;
  double actual_total_ms = -1;
  double loops = -1;
  int64_t shared_hit_blocks = -1;      // with BUFFERS
  int64_t shared_read_blocks = -1;     // with BUFFERS
  double rows_removed_by_filter = -1;  // with ANALYZE, per loop
  std::vector<PlanNode> children;
};

struct QueryPlan {
  db::Dialect dialect = db::Dialect::kSqlite;
  bool analyzed = false;
  PlanNode root;  // a synthetic "QUERY PLAN" root on SQLite; the top plan node on PostgreSQL
  double total_cost = -1;         // PostgreSQL: the root's total cost
  double execution_ms = -1;       // with ANALYZE
  std::vector<Finding> findings;  // rules full_scan, temp_btree, nested_loop, row_estimate
  // One line: the operations that matter, e.g. "SCAN player_game_stats; USE TEMP B-TREE FOR
  // ORDER BY" or "Seq Scan on games (cost=0.00..431.00 rows=2460)".
  std::string summary;
};

struct ExplainOptions {
  // PostgreSQL: EXPLAIN ANALYZE runs the statement (inside a read-only transaction that is
  // rolled back); refused for anything but a query (SELECT or WITH). SQLite has no
  // ANALYZE; ignored there.
  bool analyze = false;
  bool buffers = false;  // PostgreSQL: shared buffer hits and reads per node
  // A table or input is large from this many rows (full scans, sorts, nested loops: those
  // multiply it by the outer rows, PostgreSQL reports outer x inner >= large^2 / 10).
  int64_t large_table_rows = 10'000;
  // A row estimate off by this factor or more (either way) is a finding.
  double row_estimate_factor = 10;
  // The statement came from an untrusted party (an agent): prepared with PrepareUntrusted,
  // and refused (kPermissionDenied) unless it is a query (SELECT or WITH).
  bool untrusted = true;
  // The bounds applied to an untrusted statement (timeout, SQL size; max_sql_bytes counts
  // the caller's SQL, not the EXPLAIN prefix added to it).
  db::UntrustedLimits limits;
};

// Explains one statement on `connection` (`sql` without EXPLAIN; a trailing ';' and comments
// are allowed). Statements with `?`/`?N`/`$N` placeholders are explained as generic plans
// (SQLite: unbound parameters; PostgreSQL: PREPARE fb_explain, then EXPLAIN EXECUTE with
// plan_cache_mode = force_generic_plan inside a read-only transaction, DEALLOCATE after).
// PostgreSQL ANALYZE runs inside BEGIN READ ONLY ... ROLLBACK (a savepoint when the caller's
// transaction is open), so the session is left as it was. `schema` gives table rows for the
// findings and lets SQLite's aliases ("SCAN g") be traced to their tables.
// Errors: the engine's (kSyntax, kNotFound); kInvalidArgument for empty text, more than one
// statement, a leading EXPLAIN, or ANALYZE of a statement with placeholders (it would run
// with NULLs); kPermissionDenied for ANALYZE of anything but a query, and for what an
// untrusted statement may not do; kPayloadTooLarge past the bounds above.
Result<QueryPlan> Explain(db::Connection& connection, std::string_view sql,
                          const ExplainOptions& options = {}, const SchemaInfo* schema = nullptr);

// The parsers and the analysis alone, for tests and for callers that ran EXPLAIN themselves.
struct SqlitePlanRow {
  int id = 0;
  int parent = 0;
  std::string detail;
};
// The tree under a synthetic "QUERY PLAN" root (id 0), built by parent ids; a row whose
// parent is not an earlier row hangs from the root. Only the first kMaxPlanNodes rows count.
PlanNode ParseSqlitePlan(const std::vector<SqlitePlanRow>& rows);
// `json` is the whole output of EXPLAIN (FORMAT JSON): an array of one object with "Plan".
// kParseError for text that is not JSON; kInvalidArgument for JSON that is not such a plan.
// Findings and summary are left empty (AnalyzePlan fills them).
Result<QueryPlan> ParsePostgresPlan(std::string_view json);
// Replaces plan.findings and plan.summary. Without `schema`, table rows are unknown: SQLite
// findings that need them are skipped, PostgreSQL ones use the plan's own rows.
void AnalyzePlan(QueryPlan& plan, const SchemaInfo* schema, const ExplainOptions& options);

// {"dialect","analyzed","total_cost","execution_ms","summary","findings":[...],"plan":{tree}};
// total_cost and execution_ms, and each node's fields, only when present.
nlohmann::json ToJson(const QueryPlan& plan);

}  // namespace fastbreak::query
