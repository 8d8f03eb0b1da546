// PostgreSQL: EXPLAIN (FORMAT JSON) run on the server (generic plans for statements with
// placeholders, ANALYZE inside a read-only transaction), its JSON read into a tree, and the
// findings drawn from the nodes' costs and rows.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/json_text.hpp"
#include "query/plan.hpp"
#include "query/plan_internal.hpp"

namespace fastbreak::query {
namespace plan_detail {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// Two levels of JSON ("Plans": [ { ) per plan level, plus the envelope.
constexpr int kMaxJsonNesting = 2 * kMaxPlanDepth + 8;
constexpr size_t kMaxTextBytes = 2000;  // of each condition kept in a node's detail
constexpr std::string_view kStatementName = "fb_explain";

std::string Text(const json& node, const char* key) {
  const auto it = node.find(key);
  if (it == node.end() || !it->is_string()) return {};
  const auto& text = it->get_ref<const std::string&>();
  return text.substr(0, kMaxTextBytes);
}

double Number(const json& node, const char* key) {
  const auto it = node.find(key);
  return it != node.end() && it->is_number() ? it->get<double>() : -1;
}

int64_t Integer(const json& node, const char* key) {
  const auto it = node.find(key);
  if (it == node.end() || !it->is_number()) return -1;
  if (it->is_number_integer()) return it->get<int64_t>();
  const double value = it->get<double>();
  return std::isfinite(value) && std::fabs(value) < 9e18 ? static_cast<int64_t>(value) : -1;
}

// "Sort Key": ["team", "id DESC"] -> "team, id DESC".
std::string Keys(const json& node, const char* key) {
  const auto it = node.find(key);
  if (it == node.end() || !it->is_array()) return {};
  std::string out;
  for (const json& item : *it) {
    if (!item.is_string() || out.size() > kMaxTextBytes) continue;
    if (!out.empty()) out.append(", ");
    out.append(item.get_ref<const std::string&>());
  }
  return out;
}

// "index cond: (season = 2010), filter: (team > 3), rows removed by filter: 99000".
std::string Detail(const json& j, const PlanNode& node) {
  std::string out;
  const auto add = [&](std::string_view label, const std::string& value) {
    if (value.empty()) return;
    if (!out.empty()) out.append(", ");
    out.append(label).append(": ").append(value);
  };
  add("join type", Text(j, "Join Type") == "Inner" ? std::string() : Text(j, "Join Type"));
  add("index cond", Text(j, "Index Cond"));
  add("recheck cond", Text(j, "Recheck Cond"));
  add("hash cond", Text(j, "Hash Cond"));
  add("merge cond", Text(j, "Merge Cond"));
  add("join filter", Text(j, "Join Filter"));
  add("one-time filter", Text(j, "One-Time Filter"));
  add("filter", Text(j, "Filter"));
  if (node.rows_removed_by_filter >= 0) {
    add("rows removed by filter", fmt::format("{:.0f}", node.rows_removed_by_filter));
  }
  add("sort key", node.sort_key);
  add("group key", Keys(j, "Group Key"));
  if (!node.sort_method.empty()) {
    std::string method = node.sort_method;
    if (node.sort_space_kb >= 0) {
      method += fmt::format(", {}: {} kB", Lower(node.sort_space_type), node.sort_space_kb);
    }
    add("sort method", method);
  }
  add("subplan", Text(j, "Subplan Name"));
  return out;
}

Result<PlanNode> ParseNode(const json& j, int depth, int& nodes) {
  if (!j.is_object()) return MakeError(ErrorCode::kInvalidArgument, "a plan node is not an object");
  if (depth > kMaxPlanDepth) {
    return MakeError(ErrorCode::kInvalidArgument, "the plan is nested deeper than {} nodes",
                     kMaxPlanDepth);
  }
  if (++nodes > kMaxPlanNodes) {
    return MakeError(ErrorCode::kPayloadTooLarge, "the plan has more than {} nodes", kMaxPlanNodes);
  }
  PlanNode node;
  node.operation = Text(j, "Node Type");
  if (node.operation.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "a plan node has no \"Node Type\"");
  }
  node.relation = Text(j, "Relation Name");
  if (node.relation.empty()) node.relation = Text(j, "CTE Name");
  node.alias = Text(j, "Alias");
  node.index = Text(j, "Index Name");
  node.covering = node.operation == "Index Only Scan";
  node.role = Text(j, "Parent Relationship");
  node.sort_key = Keys(j, "Sort Key");
  node.sort_method = Text(j, "Sort Method");
  node.sort_space_type = Text(j, "Sort Space Type");
  node.sort_space_kb = Integer(j, "Sort Space Used");
  node.startup_cost = Number(j, "Startup Cost");
  node.total_cost = Number(j, "Total Cost");
  node.plan_rows = Number(j, "Plan Rows");
  node.actual_rows = Number(j, "Actual Rows");
  node.actual_total_ms = Number(j, "Actual Total Time");
  node.loops = Number(j, "Actual Loops");
  node.shared_hit_blocks = Integer(j, "Shared Hit Blocks");
  node.shared_read_blocks = Integer(j, "Shared Read Blocks");
  node.rows_removed_by_filter = Number(j, "Rows Removed by Filter");
  node.detail = Detail(j, node);
  if (const auto plans = j.find("Plans"); plans != j.end()) {
    if (!plans->is_array()) {
      return MakeError(ErrorCode::kInvalidArgument, "\"Plans\" of a {} node is not an array",
                       node.operation);
    }
    for (const json& child : *plans) {
      FB_ASSIGN_OR_RETURN(PlanNode parsed, ParseNode(child, depth + 1, nodes));
      node.children.push_back(std::move(parsed));
    }
  }
  return node;
}

// --- findings ---

std::string Rows(double rows) { return fmt::format("{:.0f}", rows); }

// "Seq Scan on games g", "Index Scan using games_season on games", "Bitmap Index Scan using i".
std::string Label(const PlanNode& node) {
  std::string label = node.operation;
  if (!node.index.empty()) label += " using " + node.index;
  if (!node.relation.empty()) {
    label += " on " + node.relation;
    if (!node.alias.empty() && node.alias != node.relation) label += " " + node.alias;
  }
  return label;
}

// "rows=2460 cost=0.00..431.00"
std::string Figures(const PlanNode& node) {
  return fmt::format("rows={} cost={}..{}", Rows(node.plan_rows), FormatCost(node.startup_cost),
                     FormatCost(node.total_cost));
}

bool Analyzed(const PlanNode& node) { return node.actual_rows >= 0 && node.loops >= 0; }

// The rows a node produced per loop: the actual ones when analyzed (and run), else the
// planner's estimate.
double RowsOut(const PlanNode& node) {
  return Analyzed(node) && node.loops > 0 ? node.actual_rows : node.plan_rows;
}

// A join's outer or inner input: by "Parent Relationship", else by position among the
// children that are not init plans or subplans.
const PlanNode* Side(const PlanNode& node, std::string_view role, size_t position) {
  for (const PlanNode& child : node.children) {
    if (child.role == role) return &child;
  }
  size_t seen = 0;
  for (const PlanNode& child : node.children) {
    if (child.role == "InitPlan" || child.role == "SubPlan") continue;
    if (seen++ == position) return &child;
  }
  return nullptr;
}

// The first table read under `node` (itself included).
std::string FirstRelation(const PlanNode& node, int depth = 0) {
  if (!node.relation.empty() || depth > kMaxPlanDepth) return node.relation;
  for (const PlanNode& child : node.children) {
    std::string relation = FirstRelation(child, depth + 1);
    if (!relation.empty()) return relation;
  }
  return {};
}

struct Walk {
  const SchemaInfo* schema;
  const ExplainOptions& options;
  QueryPlan& plan;
};

void CheckSeqScan(const PlanNode& node, Walk& walk) {
  if (node.operation != "Seq Scan") return;
  const TableRows table = RowsOf(walk.schema, node.relation);
  double read = node.plan_rows;
  if (Analyzed(node) && node.rows_removed_by_filter >= 0) {
    read = std::max(read, node.actual_rows + node.rows_removed_by_filter);
  }
  const auto large = static_cast<double>(walk.options.large_table_rows);
  if (std::max(read, static_cast<double>(table.rows)) < large) return;
  Finding finding;
  finding.rule = "full_scan";
  finding.table = node.relation;
  finding.message = fmt::format(
      "{} is read in full (Seq Scan): no index serves the query's conditions on it", node.relation);
  finding.evidence = fmt::format("{}: {}", Label(node), Figures(node));
  if (Analyzed(node)) {
    finding.evidence +=
        fmt::format(", actual rows={} loops={}", Rows(node.actual_rows), Rows(node.loops));
  }
  if (!node.detail.empty()) finding.evidence += ", " + node.detail;
  if (table.rows >= 0) {
    finding.evidence += fmt::format(", table ~{} rows ({})",
                                    FormatCount(static_cast<double>(table.rows)), table.source);
  }
  finding.suggestion = fmt::format(
      "Index the column(s) that filter or join {} (the index advisor can verify one with "
      "hypopg), or add a condition an existing index serves",
      node.relation);
  AddFinding(walk.plan.findings, std::move(finding));
}

void CheckSort(const PlanNode& node, Walk& walk) {
  if (node.operation != "Sort" && node.operation != "Incremental Sort") return;
  const PlanNode* input = Side(node, "Outer", 0);
  const double rows = input == nullptr ? node.plan_rows : RowsOut(*input);
  const bool disk = node.sort_space_type == "Disk" || node.sort_method.starts_with("external");
  if (!disk && rows < static_cast<double>(walk.options.large_table_rows)) return;
  Finding finding;
  finding.rule = "temp_btree";
  finding.table = FirstRelation(node);
  const std::string keys = node.sort_key.empty() ? std::string("?") : node.sort_key;
  finding.message =
      disk ? fmt::format("The sort on ({}) spilled to disk: it needs more memory than work_mem",
                         keys)
           : fmt::format("{} rows are sorted on ({}) instead of being read in order",
                         FormatCount(rows), keys);
  finding.evidence =
      fmt::format("{} on ({}): {} input rows, cost={}..{}", node.operation, keys, Rows(rows),
                  FormatCost(node.startup_cost), FormatCost(node.total_cost));
  if (!node.sort_method.empty()) {
    finding.evidence += fmt::format(", sort method: {}", node.sort_method);
    if (node.sort_space_kb >= 0) {
      finding.evidence +=
          fmt::format(", {}: {} kB", Lower(node.sort_space_type), node.sort_space_kb);
    }
  }
  finding.suggestion = fmt::format(
      "An index on ({}) lets PostgreSQL read the rows in order (with LIMIT, only the first "
      "ones); a larger work_mem keeps a sort of this size in memory",
      keys);
  AddFinding(walk.plan.findings, std::move(finding));
}

void CheckNestedLoop(const PlanNode& node, Walk& walk) {
  if (node.operation != "Nested Loop") return;
  const PlanNode* outer = Side(node, "Outer", 0);
  const PlanNode* inner = Side(node, "Inner", 1);
  if (outer == nullptr || inner == nullptr) return;
  const auto large = static_cast<double>(walk.options.large_table_rows);
  const double outer_rows = RowsOut(*outer);
  const double inner_rows = RowsOut(*inner);
  const double pairs = outer_rows * inner_rows;
  const TableRows inner_table = RowsOf(walk.schema, inner->relation);
  const bool inner_seq_scan =
      inner->operation == "Seq Scan" &&
      std::max(inner->plan_rows, static_cast<double>(inner_table.rows)) >= large;
  if (!inner_seq_scan && pairs < large * large / 10) return;
  Finding finding;
  finding.rule = "nested_loop";
  finding.table = FirstRelation(*inner);
  finding.message =
      inner_seq_scan
          ? fmt::format("{} is scanned in full (Seq Scan) once per outer row of a Nested Loop",
                        inner->relation)
          : fmt::format("A Nested Loop pairs {} outer rows with {} inner rows each",
                        FormatCount(outer_rows), FormatCount(inner_rows));
  finding.evidence = fmt::format(
      "Nested Loop (cost={}..{}): outer {} rows={}, inner {} rows={} per loop: {} row pairs",
      FormatCost(node.startup_cost), FormatCost(node.total_cost), Label(*outer), Rows(outer_rows),
      Label(*inner), Rows(inner_rows), Rows(pairs));
  if (inner_table.rows >= 0) {
    finding.evidence +=
        fmt::format(", {} ~{} rows ({})", inner->relation,
                    FormatCount(static_cast<double>(inner_table.rows)), inner_table.source);
  }
  if (!node.detail.empty()) finding.evidence += ", " + node.detail;
  finding.suggestion =
      "Index the inner table's join column(s) so that each outer row is an index lookup; with "
      "an equality join condition and fresh statistics (ANALYZE) the planner can hash the join "
      "instead";
  AddFinding(walk.plan.findings, std::move(finding));
}

bool EstimateOff(const PlanNode& node, double factor) {
  if (!Analyzed(node) || node.loops <= 0 || node.plan_rows < 0) return false;
  const double high = std::max(node.actual_rows, node.plan_rows);
  const double low = std::max(std::min(node.actual_rows, node.plan_rows), 1.0);
  return high >= 100 && high / low >= factor;
}

void ReportEstimate(const PlanNode& node, Walk& walk) {
  const double high = std::max(node.actual_rows, node.plan_rows);
  const double low = std::max(std::min(node.actual_rows, node.plan_rows), 1.0);
  const bool under = node.actual_rows > node.plan_rows;
  Finding finding;
  finding.rule = "row_estimate";
  finding.table = FirstRelation(node);
  finding.message = fmt::format(
      "The planner {} the rows of {} by {:.0f}x; the plan above it (join order, join method, "
      "memory) rests on that estimate",
      under ? "underestimated" : "overestimated", Label(node), high / low);
  finding.evidence = fmt::format("{}: estimated rows={}, actual rows={} (loops={})", Label(node),
                                 Rows(node.plan_rows), Rows(node.actual_rows), Rows(node.loops));
  if (!node.detail.empty()) finding.evidence += ", " + node.detail;
  const std::string table = finding.table.empty() ? std::string("the tables") : finding.table;
  finding.suggestion = fmt::format(
      "ANALYZE {} to refresh its statistics; when filtered columns depend on each other, "
      "CREATE STATISTICS (dependencies, mcv) ON those columns FROM {} and ANALYZE again",
      table, table);
  AddFinding(walk.plan.findings, std::move(finding));
}

// Depth first. Returns whether a row estimate in this subtree is off; only the lowest such
// nodes are reported (the nodes above inherit their error).
bool WalkNode(const PlanNode& node, int depth, Walk& walk) {
  if (depth > kMaxPlanDepth) return false;
  CheckSeqScan(node, walk);
  CheckSort(node, walk);
  CheckNestedLoop(node, walk);
  std::string part =
      fmt::format("{} (cost={}..{} rows={}", Label(node), FormatCost(node.startup_cost),
                  FormatCost(node.total_cost), Rows(node.plan_rows));
  if (Analyzed(node)) {
    part += fmt::format(" actual rows={} loops={}", Rows(node.actual_rows), Rows(node.loops));
  }
  AppendSummary(walk.plan.summary, part + ")");
  bool below = false;
  for (const PlanNode& child : node.children) below = WalkNode(child, depth + 1, walk) || below;
  if (below) return true;
  if (!EstimateOff(node, walk.options.row_estimate_factor)) return false;
  ReportEstimate(node, walk);
  return true;
}

// --- running EXPLAIN ---

std::string ExplainOptionsText(const ExplainOptions& options) {
  std::string text = "FORMAT JSON";
  if (options.analyze) text += ", ANALYZE";
  if (options.buffers) text += ", BUFFERS";
  return text;
}

Result<std::string> ReadPlanText(db::Statement& statement) {
  std::string text;
  while (true) {
    FB_ASSIGN_OR_RETURN(const bool has_row, statement.Step());
    if (!has_row) break;
    if (!text.empty()) text.push_back('\n');
    text.append(statement.GetText(0));
    if (text.size() > kMaxPlanJsonBytes) {
      return MakeError(ErrorCode::kPayloadTooLarge, "the plan is larger than {} bytes",
                       kMaxPlanJsonBytes);
    }
  }
  return text;
}

Result<std::string> RunTrusted(db::Connection& connection, const std::string& sql) {
  FB_ASSIGN_OR_RETURN(db::StatementPtr statement, connection.Prepare(sql));
  return ReadPlanText(*statement);
}

// The untrusted statement runs in its own read-only transaction (or savepoint) under the
// limits; the caller's SQL keeps its size bound, the EXPLAIN around it is not counted.
Result<db::StatementPtr> PrepareUntrusted(db::Connection& connection, const std::string& sql,
                                          size_t added, const ExplainOptions& options) {
  db::UntrustedLimits limits = options.limits;
  limits.max_sql_bytes += added;
  limits.max_value_bytes = std::max(limits.max_value_bytes,
                                    static_cast<int>(std::min<size_t>(kMaxPlanJsonBytes, 1 << 30)));
  return connection.PrepareUntrusted(sql, limits);
}

// BEGIN READ ONLY, or a read-only savepoint when the caller's transaction is open (BeginWork
// refuses then); true for the savepoint.
Result<bool> BeginReadOnly(db::Connection& connection, milliseconds timeout) {
  db::WorkOptions work;
  work.read_only = true;
  work.statement_timeout = timeout;
  auto begun = connection.BeginWork(work);
  if (begun) return false;
  if (begun.error().code != ErrorCode::kInvalidArgument) return tl::unexpected(begun.error());
  std::string sql = "SAVEPOINT fb_explain_scope; SET LOCAL transaction_read_only = on";
  if (timeout.count() > 0) {
    sql += fmt::format("; SET LOCAL statement_timeout = {}", timeout.count());
  }
  FB_RETURN_IF_ERROR(connection.ExecuteScript(sql));
  return true;
}

Status EndReadOnly(db::Connection& connection, bool savepoint) {
  if (!savepoint) return connection.EndWork(/*commit=*/false);
  return connection.ExecuteScript(
      "ROLLBACK TO SAVEPOINT fb_explain_scope; RELEASE SAVEPOINT fb_explain_scope");
}

// Runs `body` read-only and rolls back whatever it did; the body's error comes first.
template <typename Body>
Result<std::string> InReadOnly(db::Connection& connection, milliseconds timeout, Body body) {
  FB_ASSIGN_OR_RETURN(const bool savepoint, BeginReadOnly(connection, timeout));
  Result<std::string> result = body();
  Status ended = EndReadOnly(connection, savepoint);
  if (!result) return result;
  if (!ended) return tl::unexpected(std::move(ended).error());
  return result;
}

// A generic plan: PREPARE fb_explain AS <statement>, EXPLAIN EXECUTE fb_explain(NULL, ...)
// with plan_cache_mode = force_generic_plan (SET LOCAL: undone by the rollback), DEALLOCATE.
Result<std::string> ExplainGeneric(db::Connection& connection, const ScannedSql& scanned,
                                   const ExplainOptions& options) {
  if (options.untrusted) {
    // The untrusted checks (one query, no refused functions), without running anything.
    const std::string check = "EXPLAIN (FORMAT JSON) " + scanned.dollar_sql;
    auto checked =
        PrepareUntrusted(connection, check, check.size() - scanned.statement.size(), options);
    if (!checked) return tl::unexpected(std::move(checked).error());
  }
  std::string arguments;
  for (int i = 0; i < scanned.parameters; ++i) arguments += i == 0 ? "NULL" : ", NULL";
  bool prepared = false;
  Result<std::string> text = InReadOnly(
      connection, options.untrusted ? options.limits.timeout : milliseconds(0),
      [&]() -> Result<std::string> {
        FB_ASSIGN_OR_RETURN(
            db::QueryResult existing,
            connection.Query(fmt::format("SELECT 1 FROM pg_prepared_statements WHERE name = '{}'",
                                         kStatementName)));
        if (!existing.rows.empty()) {
          FB_RETURN_IF_ERROR(
              connection.ExecuteScript(fmt::format("DEALLOCATE {}", kStatementName)));
        }
        FB_RETURN_IF_ERROR(connection.Execute(
            fmt::format("PREPARE {} AS {}", kStatementName, scanned.dollar_sql)));
        prepared = true;
        FB_RETURN_IF_ERROR(
            connection.ExecuteScript("SET LOCAL plan_cache_mode = force_generic_plan"));
        FB_ASSIGN_OR_RETURN(std::string plan,
                            RunTrusted(connection, fmt::format("EXPLAIN ({}) EXECUTE {}({})",
                                                               ExplainOptionsText(options),
                                                               kStatementName, arguments)));
        if (connection.ExecuteScript(fmt::format("DEALLOCATE {}", kStatementName))) {
          prepared = false;
        }
        return plan;
      });
  // A prepared statement outlives the rollback: drop it once the transaction is over.
  if (prepared) (void)connection.ExecuteScript(fmt::format("DEALLOCATE {}", kStatementName));
  return text;
}

}  // namespace

void AnalyzePostgresPlan(QueryPlan& plan, const SchemaInfo* schema, const ExplainOptions& options) {
  Walk walk{schema, options, plan};
  WalkNode(plan.root, 0, walk);
}

Result<QueryPlan> ExplainPostgres(db::Connection& connection, const ScannedSql& scanned,
                                  const ExplainOptions& options) {
  const bool query = scanned.keyword == "select" || scanned.keyword == "with";
  if (options.analyze && !query) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "EXPLAIN ANALYZE runs the statement: only a query (SELECT or WITH) may be "
                     "analyzed, not '{}'",
                     scanned.statement.substr(0, 30));
  }
  if (options.analyze && scanned.parameters > 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "EXPLAIN ANALYZE runs the statement and needs values for its {} "
                     "placeholder(s); write the values in, or explain without ANALYZE for the "
                     "generic plan",
                     scanned.parameters);
  }
  std::string text;
  if (scanned.parameters > 0) {
    FB_ASSIGN_OR_RETURN(text, ExplainGeneric(connection, scanned, options));
  } else {
    const std::string sql =
        fmt::format("EXPLAIN ({}) {}", ExplainOptionsText(options), scanned.statement);
    if (options.untrusted) {
      FB_ASSIGN_OR_RETURN(
          db::StatementPtr statement,
          PrepareUntrusted(connection, sql, sql.size() - scanned.statement.size(), options));
      FB_ASSIGN_OR_RETURN(text, ReadPlanText(*statement));
    } else if (options.analyze) {
      FB_ASSIGN_OR_RETURN(text, InReadOnly(connection, milliseconds(0),
                                           [&] { return RunTrusted(connection, sql); }));
    } else {
      FB_ASSIGN_OR_RETURN(text, RunTrusted(connection, sql));
    }
  }
  return ParsePostgresPlan(text);
}

}  // namespace plan_detail

Result<QueryPlan> ParsePostgresPlan(std::string_view text) {
  if (text.size() > kMaxPlanJsonBytes) {
    return MakeError(ErrorCode::kPayloadTooLarge, "the plan is {} bytes; at most {} are accepted",
                     text.size(), kMaxPlanJsonBytes);
  }
  if (JsonNestingDepth(text) > plan_detail::kMaxJsonNesting) {
    return MakeError(ErrorCode::kInvalidArgument, "the plan is nested deeper than {} nodes",
                     kMaxPlanDepth);
  }
  try {
    const nlohmann::json document = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (document.is_discarded()) {
      return MakeError(ErrorCode::kParseError, "the EXPLAIN output is not valid JSON");
    }
    const nlohmann::json* top = &document;
    if (document.is_array()) {
      if (document.empty()) return MakeError(ErrorCode::kInvalidArgument, "the plan is empty");
      top = &document.front();
    }
    if (!top->is_object() || !top->contains("Plan")) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "expected EXPLAIN (FORMAT JSON) output: an array of one object with "
                       "\"Plan\"");
    }
    QueryPlan plan;
    plan.dialect = db::Dialect::kPostgres;
    int nodes = 0;
    FB_ASSIGN_OR_RETURN(plan.root, plan_detail::ParseNode(top->at("Plan"), 0, nodes));
    plan.total_cost = plan.root.total_cost;
    plan.execution_ms = plan_detail::Number(*top, "Execution Time");
    plan.analyzed = plan.root.loops >= 0 || plan.execution_ms >= 0;
    return plan;
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot read the plan: {}", e.what());
  }
}

}  // namespace fastbreak::query
