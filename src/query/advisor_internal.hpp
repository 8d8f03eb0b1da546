// Internals of the index advisor shared by its source files and its tests: candidate
// generation, the what-if engines (SQLite copy, PostgreSQL hypopg), the SQLite plan cost model,
// index naming and the findings on existing indexes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"
#include "query/advisor.hpp"
#include "query/plan.hpp"
#include "query/schema_info.hpp"
#include "query/sql_model.hpp"

namespace fastbreak::query::detail {

// Longest workload statement considered, bytes.
inline constexpr size_t kMaxStatementBytes = 100 * 1024;
// Most statements in a workload (file or list given to Advise).
inline constexpr size_t kMaxWorkloadQueries = 10'000;
// Most candidate indexes evaluated in one Advise (the rest are dropped, largest tables kept).
inline constexpr size_t kMaxCandidates = 500;

// An index that could be created: a table and its key columns, as named in the schema.
struct Candidate {
  std::string table;
  std::vector<std::string> columns;
  // "table(a,b)" lowercased: identity for deduplication.
  std::string Key() const;
};

// Candidate indexes for one statement (see advisor.hpp): per table of each SELECT, the
// equality/IN columns, then one range column or the ORDER BY (or GROUP BY) columns, then the
// join columns, at most `max_columns`; and single-column candidates for join and range
// columns. Leaves out views, CTEs, unknown tables and columns, and candidates an existing index
// already serves (its leading columns equal the candidate's, or the candidate leads with
// SQLite's INTEGER PRIMARY KEY). Deduplicated, in the order found.
std::vector<Candidate> GenerateCandidates(const SqlModel& model, const SchemaInfo& schema,
                                          int max_columns);

// True when a non-partial index of `schema` on candidate.table has leading key columns equal
// to candidate.columns (case-insensitive), or the candidate leads with a SQLite rowid alias.
bool ServedByExisting(const Candidate& candidate, const SchemaInfo& schema);

// `name` as a SQL identifier: bare when it is lowercase letters, digits and '_' (not leading
// with a digit, not a keyword), else double-quoted with quotes doubled.
std::string QuoteIdentifier(std::string_view name);

// "idx_<table>_<col1>_<col2>": lowercased, characters other than [a-z0-9_] as '_', at most 63
// bytes (PostgreSQL's limit), made unique against `taken` (lowercase names) with _2, _3...
std::string IndexName(const Candidate& candidate, const std::set<std::string>& taken);

// "CREATE INDEX [IF NOT EXISTS ]<name> ON <table> (<columns>)", identifiers quoted as needed.
std::string CreateIndexSql(std::string_view name, const Candidate& candidate,
                           bool if_not_exists = false);

// ASCII lowercase.
std::string Lower(std::string_view text);

// `text` cut to at most `max_bytes` at a UTF-8 boundary, "..." appended when cut; runs of
// whitespace collapsed to one space.
std::string Shorten(std::string_view text, size_t max_bytes);

// `error` without the " (in: <sql>)" the drivers append (the caller shows the query itself).
Error WithoutStatement(Error error);

// Findings on the existing indexes.
//   duplicate: a non-unique, non-primary, non-partial index whose key columns are a prefix of
//              (or equal to) another non-partial index's on the same table (of two equal ones,
//              the one that is not unique, else the later by name, is the duplicate).
//   unused:    PostgreSQL: scans == 0 (pg_stat_user_indexes.idx_scan), not unique/primary.
//              SQLite: not unique/primary, on a table read by at least one of the workload's
//              queries (`queries_per_table`, lowercase table -> count), and in none of their
//              plans (`used_indexes`, lowercase names).
std::vector<ExistingIndexFinding> ExistingIndexFindings(
    const SchemaInfo& schema, const std::set<std::string>& used_indexes,
    const std::map<std::string, int>& queries_per_table);

// What one query costs under the current set of hypothetical indexes.
struct PlanCost {
  double cost = 0;                // in the engine's units
  std::set<std::string> indexes;  // lowercase names of the indexes the plan reads
  std::set<std::string> tables;   // lowercase base tables the plan reads
};

// One engine's way of asking its planner "what if these indexes existed". Not thread-safe.
class WhatIf {
 public:
  virtual ~WhatIf() = default;
  virtual std::string_view method() const = 0;
  // Makes exactly `indexes` (besides the real ones) visible to the planner. Returns the
  // lowercase name each got, in order; a plan reading that name uses that candidate.
  virtual Result<std::vector<std::string>> SetIndexes(std::span<const Candidate> indexes) = 0;
  // The planner's cost of `sql` with the current set. `aliases` maps the query's lowercase
  // aliases and table names to base tables (SQLite's plan names aliases).
  virtual Result<PlanCost> Cost(std::string_view sql,
                                const std::map<std::string, std::string>& aliases) = 0;
  // Estimated bytes of `candidate` built over the real data.
  virtual Result<int64_t> SizeBytes(const Candidate& candidate) = 0;
  // Removes every hypothetical index. Also done by the destructor, errors ignored there.
  virtual Status Reset() = 0;
};

struct SqliteWhatIfOptions {
  // Tables with more rows than this get distinct counts from a sample of `sample_rows` rows
  // (every k-th rowid) scaled up with the GEE estimator, instead of a full GROUP BY.
  int64_t exact_distinct_max_rows = 2'000'000;
  int64_t sample_rows = 500'000;
  // Rows read per column for average widths.
  int64_t width_sample_rows = 10'000;
};

// The SQLite what-if engine over `real` (see advisor.hpp). REQUIRES: `real` and `schema`
// outlive the engine.
Result<std::unique_ptr<WhatIf>> MakeSqliteWhatIf(db::Connection& real, const SchemaInfo& schema,
                                                 const SqliteWhatIfOptions& options = {});
// The hypopg engine. kNotFound when hypopg is not installed in the database. REQUIRES:
// `connection` outlives the engine; it is left with no hypothetical index and its settings
// restored when the engine is destroyed.
Result<std::unique_ptr<WhatIf>> MakePostgresWhatIf(db::Connection& connection);

// The SQLite cost model of advisor.hpp over an EXPLAIN QUERY PLAN tree. `table_rows` and
// `index_stats` (sqlite_stat1 figures: rows, then average rows per key prefix) are keyed by
// lowercase name; `aliases` maps plan names (aliases) to base tables. Fills `used` with the
// lowercase indexes and tables the plan reads.
struct SqliteCostInputs {
  const std::map<std::string, double>* table_rows = nullptr;
  const std::map<std::string, std::vector<double>>* index_stats = nullptr;
  const std::map<std::string, std::string>* aliases = nullptr;
};
PlanCost SqlitePlanCost(const PlanNode& root, const SqliteCostInputs& inputs);

// Distinct count of the first `prefix` columns estimated from a sample: GEE,
// sqrt(rows / sample) * singletons + (distinct_in_sample - singletons), at most `rows`.
double EstimateDistinct(double rows, double sample, double distinct_in_sample, double singletons);

}  // namespace fastbreak::query::detail
