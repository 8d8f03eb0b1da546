// SQLite: EXPLAIN QUERY PLAN rows read into a tree, their detail text parsed (SQLite 3.40
// wording, and the older "SCAN TABLE t"), and the findings drawn from the loops.
#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "query/plan.hpp"
#include "query/plan_internal.hpp"
#include "query/sql_model.hpp"

namespace fastbreak::query {
namespace plan_detail {
namespace {

constexpr std::string_view kPrefix = "EXPLAIN QUERY PLAN ";
constexpr std::string_view kTempBtree = "USE TEMP B-TREE";
constexpr size_t kMaxDetailBytes = 2000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Removes `prefix` from the front of `text`; true when it was there.
bool Consume(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// Takes a name off the front of `rest`: up to the next space, or a whole "(subquery-1)".
std::string TakeName(std::string_view& rest) {
  size_t end = 0;
  if (rest.starts_with('(')) {
    end = rest.find(')');
    end = end == std::string_view::npos ? rest.size() : end + 1;
  } else {
    end = std::min(rest.find(' '), rest.size());
  }
  std::string name(rest.substr(0, end));
  rest.remove_prefix(end);
  return name;
}

// What follows "USING ": "INDEX i (a=?)", "COVERING INDEX i", "INTEGER PRIMARY KEY
// (rowid=?)", "PRIMARY KEY (a=?)" (WITHOUT ROWID), "AUTOMATIC [PARTIAL] [COVERING] INDEX".
void ParseUsing(std::string_view clause, PlanNode& node) {
  if (Consume(clause, "INTEGER PRIMARY KEY")) {
    node.index = "INTEGER PRIMARY KEY";
  } else if (Consume(clause, "PRIMARY KEY")) {
    node.index = "PRIMARY KEY";
  } else if (Consume(clause, "AUTOMATIC ")) {
    node.index = "(automatic)";
    node.covering = clause.find("COVERING INDEX") != std::string_view::npos;
  } else {
    node.covering = Consume(clause, "COVERING ");
    if (Consume(clause, "INDEX ")) node.index = TakeName(clause);
  }
}

PlanNode ParseDetail(std::string_view detail) {
  detail = detail.substr(0, kMaxDetailBytes);
  PlanNode node;
  node.detail = std::string(detail);
  std::string_view rest = detail;
  if (rest == "SCAN CONSTANT ROW") {
    node.operation = std::string(rest);
    return node;
  }
  for (const std::string_view op : {std::string_view("SCAN"), std::string_view("SEARCH")}) {
    if (!rest.starts_with(op) || rest.size() <= op.size() + 1 || rest[op.size()] != ' ') continue;
    node.operation = std::string(op);
    rest.remove_prefix(op.size() + 1);
    Consume(rest, "TABLE ");  // SQLite before 3.36
    node.relation = TakeName(rest);
    if (Consume(rest, " AS ")) node.alias = TakeName(rest);
    if (Consume(rest, " USING ")) ParseUsing(rest, node);
    return node;
  }
  if (rest.starts_with(kTempBtree)) {
    node.operation = std::string(kTempBtree);
    return node;
  }
  for (const std::string_view op :
       {std::string_view("CO-ROUTINE"), std::string_view("MATERIALIZE")}) {
    if (rest.starts_with(op) && rest.size() > op.size() + 1 && rest[op.size()] == ' ') {
      node.operation = std::string(op);
      node.relation = std::string(rest.substr(op.size() + 1));
      return node;
    }
  }
  if (Consume(rest, "BLOOM FILTER ON ")) {
    node.operation = "BLOOM FILTER";
    node.relation = TakeName(rest);
    return node;
  }
  // "CORRELATED SCALAR SUBQUERY 2", "LIST SUBQUERY 1", "INDEX 3": the words without the number.
  size_t end = rest.size();
  while (end > 0 && IsDigit(rest[end - 1])) --end;
  if (end < rest.size() && end > 1 && rest[end - 1] == ' ') rest = rest.substr(0, end - 1);
  node.operation = std::string(rest);
  return node;
}

bool IsLoop(const PlanNode& node) {
  return (node.operation == "SCAN" || node.operation == "SEARCH") && !node.relation.empty();
}

// A loop that reads every row: SCAN without an index, or a SEARCH without one (SQLite says
// SEARCH for a min()/max() it cannot serve from an index, and still visits every row).
bool IsFullScan(const PlanNode& node) {
  return IsLoop(node) && node.index.empty() &&
         node.detail.find(" VIRTUAL TABLE") == std::string::npos;
}

// Points the nodes that name an alias ("SCAN g": SQLite shows the alias alone) at the table.
void ResolveAliases(PlanNode& node, const std::unordered_map<std::string, std::string>& tables,
                    int depth) {
  if (depth > kMaxPlanDepth) return;
  if ((IsLoop(node) || node.operation == "BLOOM FILTER") && node.alias.empty()) {
    const auto it = tables.find(Lower(node.relation));
    if (it != tables.end() && !it->second.empty() && Lower(it->second) != Lower(node.relation)) {
      node.alias = std::move(node.relation);
      node.relation = it->second;
    }
  }
  for (PlanNode& child : node.children) ResolveAliases(child, tables, depth + 1);
}

void ResolveAliases(PlanNode& root, std::string_view sql, const SchemaInfo* schema) {
  Result<SqlModel> model = AnalyzeSql(sql, schema);
  if (!model) return;  // SQLite-only syntax: the names stay as the plan shows them
  // Name shown in the plan (the alias, else the table) -> table; "" when two tables share it.
  std::unordered_map<std::string, std::string> tables;
  for (const SelectShape& select : model->selects) {
    for (const TableUse& use : select.tables) {
      auto [it, inserted] =
          tables.emplace(Lower(use.alias.empty() ? use.name : use.alias), use.name);
      if (!inserted && it->second != use.name) it->second.clear();
    }
  }
  ResolveAliases(root, tables, 0);
}

// --- findings ---

struct Walk {
  const SchemaInfo* schema;
  const ExplainOptions& options;
  QueryPlan& plan;
};

// "SCAN t (~20,000 rows, count(*))", or the detail alone when the rows are unknown.
std::string LoopLabel(const PlanNode& loop, const SchemaInfo* schema) {
  const TableRows rows = RowsOf(schema, loop.relation);
  if (rows.rows < 0) return loop.detail;
  return fmt::format("{} (~{} rows, {})", loop.detail, FormatCount(static_cast<double>(rows.rows)),
                     rows.source);
}

std::string JoinLabels(const std::vector<const PlanNode*>& loops, const SchemaInfo* schema) {
  std::string out;
  for (const PlanNode* loop : loops) {
    if (!out.empty()) out.append(" and ");
    out.append(LoopLabel(*loop, schema));
  }
  return out;
}

void CheckLoop(const PlanNode& loop, const std::vector<const PlanNode*>& outer, bool correlated,
               Walk& walk) {
  if (!IsFullScan(loop)) return;
  const TableRows rows = RowsOf(walk.schema, loop.relation);
  if (rows.rows < 0 || rows.rows < walk.options.large_table_rows) return;
  const std::string count = FormatCount(static_cast<double>(rows.rows));
  Finding scan;
  scan.rule = "full_scan";
  scan.table = loop.relation;
  scan.message = fmt::format("{} is read in full: no index serves the query's conditions on it",
                             loop.relation);
  scan.evidence = fmt::format("{}: ~{} rows ({}), no index used", loop.detail, count, rows.source);
  scan.suggestion = fmt::format(
      "Index the column(s) that filter or join {} (the index advisor can verify one), or add a "
      "condition an existing index serves",
      loop.relation);
  AddFinding(walk.plan.findings, std::move(scan));
  if (outer.empty() && !correlated) return;

  std::string around;
  std::string visits;
  if (outer.empty()) {
    around = "a correlated subquery, run once per row of the outer query";
  } else {
    around = JoinLabels(outer, walk.schema);
    double product = static_cast<double>(rows.rows);
    for (const PlanNode* o : outer) {
      const TableRows outer_rows = RowsOf(walk.schema, o->relation);
      if (!IsFullScan(*o) || outer_rows.rows < 0) {
        product = -1;
        break;
      }
      product *= static_cast<double>(outer_rows.rows);
    }
    if (product >= 0) visits = fmt::format(": up to ~{} row visits", FormatCount(product));
  }
  Finding nested;
  nested.rule = "nested_loop";
  nested.table = loop.relation;
  nested.message = fmt::format("{} is scanned in full once per row of the {}", loop.relation,
                               outer.empty() ? "outer query (correlated subquery)" : "outer loop");
  nested.evidence = fmt::format("{}: ~{} rows ({}), no index, nested inside {}{}", loop.detail,
                                count, rows.source, around, visits);
  nested.suggestion = fmt::format(
      "Index the column(s) {} is joined or correlated on, so that each outer row becomes an "
      "index lookup",
      loop.relation);
  AddFinding(walk.plan.findings, std::move(nested));
}

void CheckTempBtree(const PlanNode& node, const std::vector<const PlanNode*>& loops, Walk& walk) {
  std::string_view purpose = node.detail;
  Consume(purpose, kTempBtree);
  Consume(purpose, " FOR ");
  bool large = false;
  for (const PlanNode* loop : loops) {
    const TableRows rows = RowsOf(walk.schema, loop->relation);
    if (IsFullScan(*loop) && rows.rows >= walk.options.large_table_rows) large = true;
  }
  Finding finding;
  finding.rule = "temp_btree";
  finding.severity = large ? Severity::kWarning : Severity::kInfo;
  if (!loops.empty()) finding.table = loops.front()->relation;
  const std::string what = purpose.empty() ? std::string("the query") : std::string(purpose);
  finding.message = fmt::format(
      "{} needs a temporary B-tree: SQLite sorts the rows itself instead of reading them in "
      "order",
      what);
  finding.evidence = loops.empty()
                         ? node.detail
                         : fmt::format("{} over {}", node.detail, JoinLabels(loops, walk.schema));
  if (purpose.find("GROUP BY") != std::string_view::npos) {
    finding.suggestion =
        "An index on the GROUP BY columns (after any columns filtered by equality) lets SQLite "
        "group the rows as it reads them";
  } else if (purpose.find("DISTINCT") != std::string_view::npos) {
    finding.suggestion =
        "An index on the DISTINCT columns avoids the B-tree; drop DISTINCT if the rows are "
        "unique already";
  } else {
    finding.suggestion =
        "An index on the columns filtered by equality followed by the ORDER BY columns lets "
        "SQLite read the rows in order; add LIMIT when only the first rows are needed";
  }
  AddFinding(walk.plan.findings, std::move(finding));
}

// The loops of one level run nested in order: each SCAN/SEARCH inside the ones before it.
void WalkLevel(const PlanNode& node, bool correlated, int depth, Walk& walk) {
  if (depth > kMaxPlanDepth) return;
  std::vector<const PlanNode*> loops;
  for (const PlanNode& child : node.children) {
    if (IsLoop(child)) {
      CheckLoop(child, loops, correlated, walk);
      loops.push_back(&child);
    } else if (child.operation == kTempBtree) {
      CheckTempBtree(child, loops, walk);
    }
    WalkLevel(child, correlated || child.operation.starts_with("CORRELATED"), depth + 1, walk);
  }
}

void Summarize(const PlanNode& node, int depth, std::string& summary) {
  if (depth > kMaxPlanDepth) return;
  if (node.operation.starts_with("SCAN") || node.operation == "SEARCH" ||
      node.operation == kTempBtree) {
    AppendSummary(summary, node.detail);
  }
  for (const PlanNode& child : node.children) Summarize(child, depth + 1, summary);
}

}  // namespace

void AnalyzeSqlitePlan(QueryPlan& plan, const SchemaInfo* schema, const ExplainOptions& options) {
  Walk walk{schema, options, plan};
  WalkLevel(plan.root, false, 0, walk);
  Summarize(plan.root, 0, plan.summary);
}

Result<QueryPlan> ExplainSqlite(db::Connection& connection, const ScannedSql& scanned,
                                const ExplainOptions& options, const SchemaInfo* schema) {
  const std::string text = std::string(kPrefix).append(scanned.statement);
  db::StatementPtr statement;
  if (options.untrusted) {
    db::UntrustedLimits limits = options.limits;
    limits.max_sql_bytes += kPrefix.size();
    FB_ASSIGN_OR_RETURN(statement, connection.PrepareUntrusted(text, limits));
  } else {
    FB_ASSIGN_OR_RETURN(statement, connection.Prepare(text));
  }
  if (statement->ColumnCount() < 4) {
    return MakeError(ErrorCode::kInternal, "EXPLAIN QUERY PLAN returned {} columns; expected 4",
                     statement->ColumnCount());
  }
  std::vector<SqlitePlanRow> rows;
  while (true) {
    FB_ASSIGN_OR_RETURN(const bool has_row, statement->Step());
    if (!has_row) break;
    if (rows.size() >= static_cast<size_t>(kMaxPlanNodes)) {
      return MakeError(ErrorCode::kPayloadTooLarge, "the plan has more than {} rows",
                       kMaxPlanNodes);
    }
    const auto id = std::clamp<int64_t>(statement->GetInt(0), INT32_MIN, INT32_MAX);
    const auto parent = std::clamp<int64_t>(statement->GetInt(1), INT32_MIN, INT32_MAX);
    rows.push_back(
        {static_cast<int>(id), static_cast<int>(parent), std::string(statement->GetText(3))});
  }
  QueryPlan plan;
  plan.dialect = db::Dialect::kSqlite;
  plan.root = ParseSqlitePlan(rows);
  ResolveAliases(plan.root, scanned.statement, schema);
  return plan;
}

}  // namespace plan_detail

PlanNode ParseSqlitePlan(const std::vector<SqlitePlanRow>& rows) {
  struct Flat {
    PlanNode node;
    size_t parent = 0;
    int depth = 0;
    std::vector<size_t> children;
  };
  const size_t count = std::min(rows.size(), static_cast<size_t>(kMaxPlanNodes));
  std::vector<Flat> flat;
  flat.reserve(count + 1);
  flat.push_back({});
  flat[0].node.operation = "QUERY PLAN";
  std::unordered_map<int, size_t> by_id;
  by_id.emplace(0, 0);
  for (size_t r = 0; r < count; ++r) {
    const auto found = by_id.find(rows[r].parent);
    size_t parent = found == by_id.end() ? 0 : found->second;
    while (flat[parent].depth >= kMaxPlanDepth) parent = flat[parent].parent;
    const size_t index = flat.size();
    flat.push_back({plan_detail::ParseDetail(rows[r].detail), parent, flat[parent].depth + 1, {}});
    flat[parent].children.push_back(index);
    by_id.emplace(rows[r].id, index);
  }
  // A child always comes after its parent, so one pass from the back finds every child's
  // subtree finished when its parent takes it.
  std::vector<PlanNode> built(flat.size());
  for (size_t i = flat.size(); i-- > 0;) {
    PlanNode node = std::move(flat[i].node);
    node.children.reserve(flat[i].children.size());
    for (const size_t child : flat[i].children) node.children.push_back(std::move(built[child]));
    built[i] = std::move(node);
  }
  return std::move(built[0]);
}

}  // namespace fastbreak::query
