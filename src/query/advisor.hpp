// The index advisor: derives candidate indexes from a workload, verifies each with the
// engine's own planner, chooses a set greedily, and reports existing indexes that are unused
// or duplicated. It never creates an index unless asked (AdvisorOptions::apply).
//
// Verification:
//   PostgreSQL  hypothetical indexes (hypopg): the planner's total cost of each query with and
//               without the candidate; the size is hypopg's estimate.
//   SQLite      a schema-only in-memory copy of the database carrying the real sqlite_stat1
//               rows, plus rows computed for each candidate from the data (distinct counts of
//               its column prefixes); EXPLAIN QUERY PLAN there shows which index the planner
//               chooses, and a cost model over the plan (rows visited from sqlite_stat1, a
//               temporary B-tree costs n log n) estimates the saving. The size is estimated
//               from the table's rows and the key columns' average widths.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/error.hpp"
#include "db/database.hpp"
#include "query/query_stats.hpp"

namespace fastbreak::query {

struct WorkloadQuery {
  std::string sql;
  double calls = 1;       // weight: how often it runs
  double total_ms = -1;   // observed time, when the source knows it
  std::string source;     // "file", "fastbreak", "pg_stat_statements"
  std::vector<std::string> tools;
};

// A file of SQL statements separated by semicolons (comments and blank lines allowed; a
// `-- calls: N` comment just before a statement weights it). kInvalidArgument when it holds
// no statement or more than 10,000; each statement at most 100 KB.
Result<std::vector<WorkloadQuery>> ParseWorkloadFile(std::string_view text);
// The fingerprints fastbreak recorded (their samples, weighted by calls), top `limit` by
// total time; statements that are not reads (INSERT...) are left out.
std::vector<WorkloadQuery> WorkloadFromStats(const QueryStats& stats, size_t limit = 200);
// pg_stat_statements on `connection`'s server, top `limit` by total time, reads only.
// kNotFound when the extension is not installed in the database.
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
  std::string create_sql;  // CREATE INDEX <name> ON <table> (<columns>)
  double saving = 0;       // workload cost saved (sum over queries of calls * (before - after))
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
  std::string method;  // "hypopg" or "sqlite-what-if"
  int queries = 0;     // workload queries analyzed
  std::vector<std::string> skipped;  // "<sql...>: why" for queries that could not be used
  int candidates = 0;  // candidate indexes considered
  double cost_before = 0;
  double cost_after = 0;  // with every recommendation
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
  // Called as work advances: done of total steps, with what is being done.
  std::function<void(int done, int total, std::string_view what)> progress;
};

// Advises on `workload` for the database behind `connection` (a PostgreSQL primary, or a
// SQLite connection; with `apply` it must be writable).
Result<AdviceReport> Advise(db::Connection& connection, const std::vector<WorkloadQuery>& workload,
                            const AdvisorOptions& options = {});

nlohmann::json ToJson(const AdviceReport& report);
// The report for a terminal: recommendations with their CREATE INDEX, saving, size and the
// queries they help; then unused and duplicate indexes; then skipped queries.
std::string FormatAdvice(const AdviceReport& report);

}  // namespace fastbreak::query
