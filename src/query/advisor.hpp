// The index advisor: derives candidate indexes from a workload, verifies each with the
// engine's own planner, chooses a set greedily, and reports existing indexes that are unused
// or duplicated. It never creates an index unless asked (AdvisorOptions::apply).
//
// Candidates, per table of each SELECT of each workload query: the columns compared with = or
// IN, then one range column (<, >, BETWEEN) or the ORDER BY (or GROUP BY) columns, then the
// join columns, at most max_columns; and each join column and each range column alone. Left
// out: columns under OR or inside an expression, views, CTEs, and candidates an existing index
// serves (its leading columns are the candidate's, or SQLite's INTEGER PRIMARY KEY leads).
//
// Verification:
//   PostgreSQL  hypothetical indexes (hypopg): the planner's total cost of each query with and
//               without the candidate (generic plans, plan_cache_mode = force_generic_plan,
//               for queries with $N/? parameters); the size is hypopg's estimate. A candidate
//               helps a query only when the plan names its hypothetical index. Every
//               hypothetical index is removed (hypopg_reset) and plan_cache_mode restored when
//               Advise returns, on error too.
//   SQLite      a schema-only in-memory copy of the database carrying the real sqlite_stat1
//               rows (tables never analyzed: COUNT(*); indexes without a row: computed), plus
//               rows computed for each candidate from the data ("rows d1 .. dk", dk = ceil(rows
//               / distinct values of the first k columns); tables over 2M rows: distinct counts
//               estimated from a ~500k-row sample with the GEE estimator); EXPLAIN QUERY PLAN
//               there shows which index the planner chooses, and the cost model below
//               estimates the saving. The size is rows * (average widths of the key columns
//               over at most 10,000 rows + 8 bytes of rowid + 4 of record header).
//
// SQLite cost model, over the EXPLAIN QUERY PLAN tree (units: rows touched). Sibling
// SCAN/SEARCH nodes are nested loops, outer first; n is the number of rows the loops before a
// node produce (1 for the first), and each node's cost is paid n times:
//   SCAN t                              rows(t); produces rows(t)
//   SCAN t USING [COVERING] INDEX i     rows(t), times (1 + log2 rows(t)) when not covering
//   SEARCH t USING [COVERING] INDEX i (a=? AND b>?)
//                                       visits v = d_k rows (k equality columns, d_k from i's
//                                       sqlite_stat1 row: rows per key; 10 when unknown; rows(t)
//                                       when k = 0), times 1/3 per range bound; costs
//                                       log2 rows(t) + v * (1 + log2 rows(t)) (each row is then
//                                       looked up in the table), or + v when covering; a
//                                       skip-scan, ANY(a), seeks once per distinct a
//   SEARCH t USING INTEGER PRIMARY KEY  log2 rows(t) + 1 (a range: rows(t)/3 per bound)
//   SEARCH t USING AUTOMATIC ... INDEX  rows(t) log2 rows(t) once to build, then as a search
//   USE TEMP B-TREE FOR ...             n log2 n
//   CO-ROUTINE / MATERIALIZE x          its own loops, once; SCAN x then reads the rows they
//                                       produce
//   subqueries                          their own loops, once (CORRELATED ...: n times)
//   COMPOUND QUERY, MULTI-INDEX OR      the sum of their parts
// rows(t) comes from sqlite_stat1. A workload's cost is the sum over its queries of calls *
// cost.
//
// Choice: greedy. Each round costs the workload with the indexes chosen so far plus each
// remaining candidate, and picks the candidate with the largest saving per byte among those
// saving at least min_gain of the current workload cost; it stops at max_recommendations,
// when none is left, or when time_budget has passed (budget_exhausted; the round under way is
// dropped).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"
#include "query/query_stats.hpp"

namespace fastbreak::query {

struct WorkloadQuery {
  std::string sql;
  double calls = 1;      // weight: how often it runs
  double total_ms = -1;  // observed time, when the source knows it
  std::string source;    // "file", "fastbreak", "pg_stat_statements"
  std::vector<std::string> tools;
};

// A file of SQL statements separated by semicolons (comments and blank lines allowed; a
// `-- calls: N` comment just before a statement weights it, N positive, at most 1e15).
// Semicolons inside quotes, comments and $tag$ quotes do not split. kInvalidArgument (with the
// line) when it holds no statement or more than 10,000, a statement over 100 KiB (102,400
// bytes), a file over 64 MiB, a bad weight, or unterminated quotes or comments.
Result<std::vector<WorkloadQuery>> ParseWorkloadFile(std::string_view text);
// The fingerprints fastbreak recorded (their samples, weighted by calls), top `limit` by
// total time; statements that are not reads (INSERT...) are left out.
std::vector<WorkloadQuery> WorkloadFromStats(const QueryStats& stats, size_t limit = 200);
// pg_stat_statements on `connection`'s server, top `limit` (at most 10,000) by total time,
// reads only; statements that read no user table (catalogs, SELECT 1) or mention hypopg or
// pg_stat_statements (the advisor's own) are left out. kNotFound when the extension is not
// installed in the database; kUnsupported on SQLite.
Result<std::vector<WorkloadQuery>> WorkloadFromPgStatStatements(db::Connection& connection,
                                                                size_t limit = 200);

struct QueryBenefit {
  std::string sql;  // the workload query (cut to 300 bytes)
  double calls = 1;
  double cost_before = 0;  // per execution, in the method's cost units
  double cost_after = 0;
};

struct Recommendation {
  std::string table;
  std::vector<std::string> columns;
  std::string create_sql;      // CREATE INDEX <name> ON <table> (<columns>)
  double saving = 0;           // workload cost saved (sum over queries of calls * (before - after))
  double saving_fraction = 0;  // of the workload's cost before any recommendation
  int64_t size_bytes = 0;      // estimated
  std::vector<QueryBenefit> helps;  // the queries whose plan uses it, largest saving first
};

struct ExistingIndexFinding {
  std::string kind;  // "unused" or "duplicate"
  std::string index;
  std::string table;
  std::string evidence;  // "idx_scan = 0 since stats reset", "its columns (a) are a prefix
                         // of idx_b (a, b)"
  std::string drop_sql;
};

struct AdviceReport {
  db::Dialect dialect = db::Dialect::kSqlite;
  std::string method;                // "hypopg" or "sqlite-what-if"
  int queries = 0;                   // workload queries analyzed
  std::vector<std::string> skipped;  // "<sql...>: why" for queries that could not be used
  int candidates = 0;                // candidate indexes considered
  double cost_before = 0;
  double cost_after = 0;                        // with every recommendation
  std::vector<Recommendation> recommendations;  // in the order chosen (largest gain first)
  std::vector<ExistingIndexFinding> existing;
  bool budget_exhausted = false;
  std::vector<std::string> applied;  // CREATE INDEX statements run (with apply)
  double elapsed_ms = 0;
};

struct AdvisorOptions {
  // Stop choosing when the best remaining candidate saves less than this fraction of the
  // workload's current cost.
  double min_gain = 0.02;
  std::chrono::milliseconds time_budget{30'000};
  size_t max_recommendations = 10;
  int max_columns = 3;
  bool apply = false;  // create the recommended indexes (then ANALYZE their tables)
  // Called as work advances: done of total steps of the current phase (the baseline plans,
  // then each round of the choice), with what is being done ("baseline: SELECT ...",
  // "round 2: games(home_team_id,game_date)", "round 2 done").
  std::function<void(int done, int total, std::string_view what)> progress;
};

// Advises on `workload` for the database behind `connection` (a PostgreSQL primary, or a
// SQLite connection; with `apply` it must be writable). Queries that cannot be used (do not
// parse, are not reads, read no table, cannot be planned, are over 100 KiB) are listed in
// `skipped`, not fatal. At most 10,000 queries and 500 candidates. Errors: kInvalidArgument
// for options out of range (min_gain outside [0, 1], max_columns outside [1, 16],
// max_recommendations over 100, more than 10,000 queries); kPermissionDenied for apply on a
// read-only connection; kNotFound when PostgreSQL lacks hypopg; the database's errors.
Result<AdviceReport> Advise(db::Connection& connection, const std::vector<WorkloadQuery>& workload,
                            const AdvisorOptions& options = {});

nlohmann::json ToJson(const AdviceReport& report);
// The report for a terminal: recommendations with their CREATE INDEX, saving, size and the
// queries they help; then unused and duplicate indexes; then skipped queries.
std::string FormatAdvice(const AdviceReport& report);

}  // namespace fastbreak::query
