// Internals of the EXPLAIN analysis shared by its source files: the lexical scan of the
// statement and the two engines' EXPLAIN runners.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"
#include "query/plan.hpp"

namespace fastbreak::query::plan_detail {

// One statement as the EXPLAIN runners need it.
struct ScannedSql {
  // From the first token to the end of the last one before a ';' (comments around dropped).
  std::string_view statement;
  // The first word after any opening parentheses, lowercased ("select", "with", "delete");
  // empty when the statement starts with something else.
  std::string keyword;
  // The highest placeholder number (`?` counts as the next one, `?N` and `$N` as N); 0 when
  // the statement has none.
  int parameters = 0;
  // `statement` with `?` and `?N` written as `$N` (for PostgreSQL).
  std::string dollar_sql;
};

// Splits off the first statement, skipping comments, string literals and quoted names (as
// `dialect` writes them). kInvalidArgument when there is no statement, when anything but
// comments and ';' follows it, or for a placeholder number outside 1..65535.
Result<ScannedSql> ScanStatement(std::string_view sql, db::Dialect dialect);

// The runners: EXPLAIN the scanned statement and read the plan (findings not yet drawn).
// REQUIRES: the checks Explain makes on `scanned` have passed.
Result<QueryPlan> ExplainSqlite(db::Connection& connection, const ScannedSql& scanned,
                                const ExplainOptions& options, const SchemaInfo* schema);
Result<QueryPlan> ExplainPostgres(db::Connection& connection, const ScannedSql& scanned,
                                  const ExplainOptions& options);

// The findings and summary of one engine's plan (AnalyzePlan dispatches to them).
void AnalyzeSqlitePlan(QueryPlan& plan, const SchemaInfo* schema, const ExplainOptions& options);
void AnalyzePostgresPlan(QueryPlan& plan, const SchemaInfo* schema, const ExplainOptions& options);

// A table's estimated rows from the schema: rows -1 when the schema or the table is unknown
// (or a view); source "sqlite_stat1", "count(*)", "pg_class.reltuples", or "catalog".
struct TableRows {
  int64_t rows = -1;
  std::string source;
};
TableRows RowsOf(const SchemaInfo* schema, std::string_view table);

// Appends `finding` unless kMaxPlanFindings are there already.
void AddFinding(std::vector<Finding>& findings, Finding finding);
// Appends `part` to a summary ("; "-separated), stopping at kMaxPlanSummaryBytes with "...".
void AppendSummary(std::string& summary, std::string_view part);

// 1204330 -> "1,204,330" (rounded to a whole number).
std::string FormatCount(double value);
// "431.00"
std::string FormatCost(double value);
// ASCII lowercase.
std::string Lower(std::string_view text);

}  // namespace fastbreak::query::plan_detail
