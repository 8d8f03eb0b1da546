// The shape of a SQL statement, as the lint and the index advisor need it: which tables each
// SELECT reads, which columns it filters on and how (equality, range, LIKE, IN...), its joins,
// ORDER BY and GROUP BY columns. Built from libpg_query's parse tree, so it covers the SQL
// both engines share (fastbreak's own and most analysts' queries); SQLite-only syntax is
// kSyntax.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "query/schema_info.hpp"

namespace fastbreak::query {

// A column as written (`p.player_id` -> qualifier "p", column "player_id"), with the base
// table it belongs to once resolved (empty when unknown: a derived table, a CTE, or an
// unqualified name that more than one table could own without a schema to decide).
struct ColumnUse {
  std::string qualifier;
  std::string column;  // lowercased unless quoted
  std::string table;   // resolved base table, lowercased
  int location = -1;   // byte offset in the SQL
};

enum class PredicateKind {
  kEquality,  // col = value, value = col, col IS value
  kIn,        // col IN (values), col = ANY(...)
  kRange,     // <, <=, >, >=, BETWEEN
  kLike,      // LIKE, ILIKE, GLOB
  kNotEqual,  // <>, !=, NOT IN (values)
  kIsNull,    // IS [NOT] NULL
  kOther,     // anything else that names a column
};

// A condition on one column against something that does not depend on the same table row
// (a constant, a parameter, an outer column). Conditions between two tables are JoinEdges.
struct Predicate {
  PredicateKind kind = PredicateKind::kOther;
  ColumnUse column;
  // The column is inside a function or expression (lower(col) = ?, col + 1 > ?,
  // substr(col,1,4) = ?): an index on the plain column cannot serve it.
  bool wrapped = false;
  std::string wrapper;  // "lower", "substr", "+"; empty when not wrapped
  // LIKE with a constant pattern: the pattern, and whether it starts with % or _.
  std::string pattern;
  bool leading_wildcard = false;
  // Under an OR (anywhere below the WHERE's top-level AND): it cannot alone drive an index.
  bool under_or = false;
  int location = -1;
};

struct JoinEdge {
  ColumnUse left;
  ColumnUse right;
  bool explicit_join = true;  // JOIN ... ON/USING; false for a WHERE a.x = b.y
};

struct TableUse {
  std::string name;   // lowercased base table name (or CTE/view name)
  std::string alias;  // empty when none
  bool is_cte = false;
  int location = -1;  // byte offset of the name in the SQL
};

struct OrderTerm {
  ColumnUse column;
  bool descending = false;
};

// A run of ORs at one place in a WHERE: how many terms, and which columns they test.
struct OrChain {
  int terms = 0;
  std::vector<ColumnUse> columns;  // one per term that tests a single column
  bool same_column = false;        // every term tests the same column (an IN in disguise)
  int location = -1;
};

// `col NOT IN (SELECT subcol FROM ...)`.
struct NotInSubquery {
  ColumnUse column;
  ColumnUse subquery_column;  // resolved against the subquery's FROM when possible
  // The subquery's WHERE rejects NULLs of subquery_column at its top level (`IS NOT NULL`,
  // or a comparison on it outside any OR), so NOT IN cannot meet a NULL.
  bool null_filtered = false;
  int location = -1;
};

// Two FROM items listed with a comma that no WHERE condition joins.
struct CrossJoin {
  std::string left;
  std::string right;
};

// One SELECT (the statement itself, a CTE, a subquery, or an arm of a UNION). UPDATE and
// DELETE are modelled as a SELECT of their target table (plus UPDATE's FROM and DELETE's
// USING) filtered by their WHERE. Derived tables and table functions in FROM are not listed
// in `tables` (their own SELECT is a shape of its own).
struct SelectShape {
  std::vector<TableUse> tables;  // this level's FROM, in order
  bool select_star = false;      // * or t.* in the target list
  int star_location = -1;        // where the first `*` or `t.*` term starts
  bool has_where = false;
  bool has_limit = false;     // LIMIT n / FETCH FIRST n (not LIMIT ALL, not OFFSET alone)
  bool has_order_by = false;  // any ORDER BY, even one whose terms are all expressions
  bool has_group_by = false;
  bool has_aggregate = false;  // count(), sum()... in the target list
  bool distinct = false;
  std::vector<Predicate> predicates;
  std::vector<JoinEdge> joins;
  std::vector<OrderTerm> order_by;  // only plain column terms; others are skipped
  std::vector<ColumnUse> group_by;  // only plain column terms
  std::vector<OrChain> or_chains;   // runs of at least 2 terms
  std::vector<NotInSubquery> not_in_subqueries;
  std::vector<CrossJoin> cross_joins;
  int depth = 0;  // 0 = the statement's own SELECT
};

struct SqlModel {
  std::string statement;  // "select", "insert", "update", "delete", "explain", "other"
  // Outermost first, then nested ones in text order (each SELECT before the ones inside it;
  // a CTE's query after the SELECT that owns the WITH). The arms of a UNION/INTERSECT/EXCEPT
  // are shapes of the same depth, in order; the set operation's ORDER BY and LIMIT set
  // has_order_by / has_limit on every arm (its order terms name output columns: not listed).
  // EXPLAIN is modelled as the statement it explains; INSERT ... SELECT as its SELECT.
  std::vector<SelectShape> selects;
};

// The longest SQL AnalyzeSql accepts, and how deep its expressions and subqueries may nest.
inline constexpr size_t kMaxAnalyzedSqlBytes = 100 * 1024;
inline constexpr int kMaxSqlNesting = 200;

// Parses one statement (placeholders `?`, `?N`, `$N`, `:name`, `@name` accepted; locations
// are offsets in `sql` as given). Errors: kSyntax with libpg_query's message and offset when
// it cannot parse; kInvalidArgument for no statement, more than one, or expressions nested
// more than kMaxSqlNesting levels; kPayloadTooLarge past kMaxAnalyzedSqlBytes.
// Column resolution: a qualified column to the FROM item with that alias or name (searching
// enclosing SELECTs for correlated references). An unqualified one, with `schema`, to the one
// table of the SELECT whose catalog entry has the column (or the enclosing SELECT's when no
// table here has it); without a schema, to the only table of the SELECT. Views stay as they
// are (their name is the table).
Result<SqlModel> AnalyzeSql(std::string_view sql, const SchemaInfo* schema = nullptr);

}  // namespace fastbreak::query
