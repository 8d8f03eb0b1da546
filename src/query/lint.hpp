// Lint of one query: specific, explained findings, each with the evidence that justifies it
// (row counts from the catalog, the index involved, the text at fault).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "query/schema_info.hpp"

namespace fastbreak::query {

enum class Severity { kInfo, kWarning };
std::string_view SeverityName(Severity severity);  // "info", "warning"

struct Finding {
  // select_star, missing_where, leading_wildcard_like, function_on_indexed_column,
  // implicit_cross_join, or_chain, order_by_without_limit, not_in_nullable_subquery;
  // from the plan analysis: full_scan, temp_btree, nested_loop, row_estimate; and
  // not_parsed when the lint could only look at tokens.
  std::string rule;
  Severity severity = Severity::kWarning;
  std::string message;     // what is wrong, naming the table/column
  std::string evidence;    // the figures or text that show it
  std::string suggestion;  // what to do instead
  std::string table;       // the table concerned, when one is
  int location = -1;       // byte offset in the SQL, when known
};

struct LintOptions {
  // A table is large from this many rows (missing WHERE, ORDER BY without LIMIT).
  int64_t large_table_rows = 10'000;
  // OR chains of at least this many terms over different columns are reported.
  int or_chain_terms = 3;
};

// Findings in text order, at most 100. Without a schema, rules that need row counts, indexes
// or nullability are skipped (missing_where, function_on_indexed_column,
// order_by_without_limit, not_in_nullable_subquery report only what they can prove). SQL that
// does not parse (or is longer than kMaxAnalyzedSqlBytes, or nested too deeply) gets the
// token-level rules (select_star, leading_wildcard_like; over its first kMaxAnalyzedSqlBytes)
// after one not_parsed info finding whose evidence is the parser's message.
//
// What each rule needs: missing_where, a base table of at least large_table_rows read by a
// SELECT (or changed by an UPDATE/DELETE) with neither WHERE nor LIMIT; select_star, `*` in
// the statement's own select list (not in subqueries); order_by_without_limit, an ORDER BY
// without LIMIT, aggregate or GROUP BY over a large table that no top-level equality or IN
// narrows; or_chain, at least or_chain_terms OR terms over at least two columns;
// function_on_indexed_column, an index that leads with the wrapped column (and no expression
// index on that function of it); not_in_nullable_subquery, a nullable subquery column its
// WHERE does not filter.
std::vector<Finding> LintSql(std::string_view sql, const SchemaInfo* schema,
                             const LintOptions& options = {});

// {"rule","severity","message","evidence","suggestion","table"?,"location"?}
nlohmann::json ToJson(const Finding& finding);

}  // namespace fastbreak::query
