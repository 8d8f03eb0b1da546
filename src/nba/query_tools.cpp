// The query intelligence tools: get_top_queries, get_slow_queries, analyze_query and
// recommend_indexes. They read the service's per-fingerprint statistics
// (CallContext::query_stats) and run EXPLAIN and the index advisor on the call's connection.
// None of them changes the database, and none is cached.
#include <algorithm>
#include <chrono>

#include "nba/args.hpp"
#include "nba/catalog_parts.hpp"
#include "query/advisor.hpp"
#include "query/fingerprint.hpp"
#include "query/lint.hpp"
#include "query/plan.hpp"
#include "query/query_stats.hpp"
#include "query/schema_info.hpp"

namespace fastbreak::nba::detail {
namespace {

constexpr size_t kMaxAnalyzedSql = 10'000;
constexpr size_t kMaxWorkloadQueries = 100;
// Slow entries explained per get_slow_queries call (each EXPLAIN is a query of its own).
constexpr size_t kMaxExplainedPerCall = 5;
// The advisor's budget inside a tool call stays under the default 10 s call limit.
constexpr int64_t kMaxAdviceBudgetMs = 8'000;

Result<query::QueryStats*> RequireStats(const CallContext& context) {
  if (context.query_stats == nullptr) {
    return MakeError(ErrorCode::kUnsupported,
                     "query statistics are off on this server (query.enabled: false)");
  }
  return context.query_stats;
}

std::string Cut(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

Result<double> NumberArgument(const Json& arguments, std::string_view name, double fallback,
                              double min, double max) {
  const Json* value = FindArgument(arguments, name);
  if (value == nullptr) return fallback;
  if (!value->is_number() || value->get<double>() < min || value->get<double>() > max) {
    return MakeError(ErrorCode::kInvalidArgument, "{} must be a number between {} and {}", name,
                     min, max);
  }
  return value->get<double>();
}

ToolSpec GetTopQueriesTool() {
  ToolSpec tool;
  tool.name = "get_top_queries";
  tool.title = "Top queries";
  tool.description =
      "Ranks the SQL statements this server has run, grouped by fingerprint (the same query "
      "with different values counts as one), by total time (default), mean time, p95, max "
      "time, calls, errors or rows. Each entry gives calls, errors, rows, total/mean/p50/p95/"
      "p99/max milliseconds, first and last seen, the tools that issue it and one sample with "
      "its values. Use it to find what costs the database most; then analyze_query or "
      "recommend_indexes. Example: {\"order_by\": \"p95\", \"limit\": 5}.";
  tool.input_schema = schema::Object(
      {{"limit", schema::Integer("how many queries", 1, 100, 10)},
       {"order_by",
        schema::Enum("ranking",
                     {"total_time", "mean_time", "p95", "max_time", "calls", "errors", "rows"},
                     "total_time")},
       {"tool", schema::String("only statements issued by this tool (e.g. standings)")}});
  tool.output_schema =
      schema::Object({{"queries", schema::Array({{"type", "object"}}, "fingerprints, ranked")},
                      {"totals", {{"type", "object"}}}},
                     {"queries", "totals"});
  tool.annotations = {true, false, false, false};
  tool.cacheable = false;
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(CheckArguments(arguments, {"limit", "order_by", "tool"}));
    FB_ASSIGN_OR_RETURN(int64_t limit, IntArgument(arguments, "limit", 10, 1, 100));
    FB_ASSIGN_OR_RETURN(
        std::string order_name,
        EnumArgument(arguments, "order_by",
                     {"total_time", "mean_time", "p95", "max_time", "calls", "errors", "rows"},
                     "total_time"));
    FB_ASSIGN_OR_RETURN(std::string tool_name, StringArgument(arguments, "tool", ""));
    FB_ASSIGN_OR_RETURN(query::QueryStats * stats, RequireStats(context));
    FB_ASSIGN_OR_RETURN(query::TopOrder order, query::ParseTopOrder(order_name));
    const auto rows = stats->Top(static_cast<size_t>(limit), order, tool_name);
    Json queries = Json::array();
    std::string text = fmt::format("Top {} queries by {}:\n", rows.size(), order_name);
    int rank = 0;
    for (const auto& row : rows) {
      queries.push_back(query::ToJson(row));
      text +=
          fmt::format("{}. {} calls, {:.1f} ms total, {:.2f} ms mean, p95 {:.2f} ms: {}\n", ++rank,
                      row.calls, row.total_ms, row.mean_ms, row.p95_ms, Cut(row.normalized, 160));
    }
    if (rows.empty()) text += "(no statements recorded yet)\n";
    Json structured = {{"queries", std::move(queries)}, {"totals", query::ToJson(stats->Totals())}};
    return JsonOutput(std::move(structured), std::move(text));
  };
  return tool;
}

ToolSpec GetSlowQueriesTool() {
  ToolSpec tool;
  tool.name = "get_slow_queries";
  tool.title = "Slow queries";
  tool.description =
      "Lists the latest statements that ran at or over the slow-query threshold "
      "(query.slow_threshold_ms), newest first: the SQL with its values, duration, rows, the "
      "tool call that caused it (tool and arguments) and a plan summary from EXPLAIN. Filter "
      "with `min_ms` or `tool`. Example: {\"min_ms\": 250, \"limit\": 10}.";
  tool.input_schema = schema::Object(
      {{"limit", schema::Integer("how many entries", 1, 100, 20)},
       {"min_ms", schema::Number("only entries at least this slow (milliseconds)")},
       {"tool", schema::String("only statements issued by this tool")},
       {"explain", schema::Boolean("add plan summaries (EXPLAIN) where missing", true)}});
  tool.output_schema = schema::Object(
      {{"threshold_ms", schema::Number("the slow-query threshold")},
       {"slow_total", schema::Integer("slow statements seen since start")},
       {"queries", schema::Array({{"type", "object"}}, "slow statements, newest first")}},
      {"threshold_ms", "slow_total", "queries"});
  tool.annotations = {true, false, false, false};
  tool.cacheable = false;
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(CheckArguments(arguments, {"limit", "min_ms", "tool", "explain"}));
    FB_ASSIGN_OR_RETURN(int64_t limit, IntArgument(arguments, "limit", 20, 1, 100));
    FB_ASSIGN_OR_RETURN(double min_ms, NumberArgument(arguments, "min_ms", 0, 0, 86'400'000));
    FB_ASSIGN_OR_RETURN(std::string tool_name, StringArgument(arguments, "tool", ""));
    FB_ASSIGN_OR_RETURN(bool explain, BoolArgument(arguments, "explain", true));
    FB_ASSIGN_OR_RETURN(query::QueryStats * stats, RequireStats(context));
    auto slow = stats->SlowQueries(static_cast<size_t>(limit), min_ms, tool_name);
    if (explain) {
      size_t explained = 0;
      for (auto& entry : slow) {
        if (!entry.plan_summary.empty() || entry.dialect != context.db.dialect()) continue;
        if (explained++ == kMaxExplainedPerCall) break;
        query::ExplainOptions options;
        options.untrusted = true;
        auto plan = query::Explain(context.db, entry.sql, options);
        entry.plan_summary = plan ? plan->summary : "not explained: " + plan.error().message;
        stats->SetPlanSummary(entry.sequence, entry.plan_summary);
      }
    }
    const query::QueryStatsTotals totals = stats->Totals();
    Json queries = Json::array();
    std::string text = fmt::format("{} slow statements (threshold {} ms, {} seen in all):\n",
                                   slow.size(), totals.threshold_ms, totals.slow);
    for (const auto& entry : slow) {
      queries.push_back(query::ToJson(entry));
      text += fmt::format("- {:.1f} ms, {} rows{}: {}{}\n", entry.duration_ms, entry.rows,
                          entry.tool.empty() ? "" : ", tool " + entry.tool, Cut(entry.sql, 200),
                          entry.plan_summary.empty() ? "" : "\n  plan: " + entry.plan_summary);
    }
    Json structured = {{"threshold_ms", totals.threshold_ms},
                       {"slow_total", totals.slow},
                       {"queries", std::move(queries)}};
    return JsonOutput(std::move(structured), std::move(text));
  };
  return tool;
}

ToolSpec AnalyzeQueryTool() {
  ToolSpec tool;
  tool.name = "analyze_query";
  tool.title = "Analyze a query";
  tool.description =
      "Reviews one read-only SQL query without running it (unless `analyze` is true on "
      "PostgreSQL): lint findings (SELECT *, missing WHERE on a large table, leading-wildcard "
      "LIKE, functions on indexed columns, implicit cross joins, OR chains, ORDER BY without "
      "LIMIT, NOT IN over a nullable subquery), the EXPLAIN plan with its findings (full scans, "
      "temporary B-trees, nested loops, row-estimate errors) and the evidence for each, index "
      "advice verified by the planner, and the query's recorded statistics when this server "
      "has run it. Example: {\"sql\": \"SELECT * FROM player_game_stats WHERE pts > 40\"}.";
  tool.input_schema = schema::Object(
      {{"sql", schema::String("one SELECT (or WITH) query, up to 10,000 bytes")},
       {"analyze", schema::Boolean("PostgreSQL: EXPLAIN ANALYZE, BUFFERS (runs the query)", false)},
       {"advise", schema::Boolean("also ask the index advisor", true)}},
      {"sql"});
  tool.output_schema =
      schema::Object({{"fingerprint", schema::String("16 hex digits")},
                      {"normalized", schema::String("the query with its values replaced")},
                      {"findings", schema::Array({{"type", "object"}}, "lint and plan findings")},
                      {"plan", {{"type", "object"}}},
                      {"advice", {{"type", "object"}}},
                      {"observed", {{"type", "object"}}}},
                     {"fingerprint", "normalized", "findings", "plan"});
  tool.annotations = {true, false, true, false};
  tool.cacheable = false;
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(CheckArguments(arguments, {"sql", "analyze", "advise"}));
    FB_ASSIGN_OR_RETURN(std::string sql, RequiredStringArgument(arguments, "sql", kMaxAnalyzedSql));
    FB_ASSIGN_OR_RETURN(bool analyze, BoolArgument(arguments, "analyze", false));
    FB_ASSIGN_OR_RETURN(bool advise, BoolArgument(arguments, "advise", true));
    FB_ASSIGN_OR_RETURN(query::SchemaInfo schema, query::LoadSchemaInfo(context.db));
    query::ExplainOptions explain;
    explain.analyze = analyze;
    explain.buffers = analyze;
    explain.untrusted = true;
    FB_ASSIGN_OR_RETURN(query::QueryPlan plan, query::Explain(context.db, sql, explain, &schema));
    const query::Fingerprint fingerprint = query::FingerprintSql(sql);
    std::vector<query::Finding> findings = query::LintSql(sql, &schema);
    findings.insert(findings.end(), plan.findings.begin(), plan.findings.end());

    Json structured = {{"fingerprint", query::FingerprintHex(fingerprint.id)},
                       {"normalized", fingerprint.normalized},
                       {"findings", Json::array()},
                       {"plan", query::ToJson(plan)}};
    for (const auto& finding : findings) structured["findings"].push_back(query::ToJson(finding));
    std::string text = fmt::format("Plan: {}\n", plan.summary);
    for (const auto& finding : findings) {
      text += fmt::format("- [{}] {}: {} ({})\n", query::SeverityName(finding.severity),
                          finding.rule, finding.message, finding.evidence);
    }
    if (findings.empty()) text += "No findings.\n";
    if (advise) {
      query::AdvisorOptions options;
      options.time_budget = std::chrono::milliseconds(kMaxAdviceBudgetMs / 2);
      options.max_recommendations = 3;
      query::WorkloadQuery one;
      one.sql = sql;
      one.source = "analyze_query";
      auto report = query::Advise(context.db, {one}, options);
      if (report) {
        structured["advice"] = query::ToJson(*report);
        for (const auto& recommendation : report->recommendations) {
          text += fmt::format("Index: {} (saves {:.0f}% of this query's cost)\n",
                              recommendation.create_sql, recommendation.saving_fraction * 100);
        }
      } else {
        structured["advice"] = {{"error", report.error().message}};
      }
    }
    if (context.query_stats != nullptr) {
      if (auto row = context.query_stats->Find(fingerprint.id)) {
        structured["observed"] = query::ToJson(*row);
        text += fmt::format("Observed: {} calls, {:.2f} ms mean, p95 {:.2f} ms.\n", row->calls,
                            row->mean_ms, row->p95_ms);
      }
    }
    return JsonOutput(std::move(structured), std::move(text));
  };
  return tool;
}

ToolSpec RecommendIndexesTool() {
  ToolSpec tool;
  tool.name = "recommend_indexes";
  tool.title = "Recommend indexes";
  tool.description =
      "Recommends indexes for a workload, each verified by the database's own planner "
      "(PostgreSQL: hypothetical indexes with hypopg; SQLite: a statistics-carrying copy of the "
      "schema), chosen greedily by cost saved per byte, with the queries each helps, the "
      "estimated saving and size, and its CREATE INDEX statement; also unused and duplicate "
      "existing indexes. Never creates anything. The workload is what this server has run "
      "(source \"observed\", default), pg_stat_statements (PostgreSQL), or `queries` you give. "
      "Example: {\"source\": \"queries\", \"queries\": [\"SELECT * FROM games WHERE season = "
      "2023 AND home_team_id = 1610612738\"]}.";
  tool.input_schema = schema::Object(
      {{"source", schema::Enum("where the workload comes from",
                               {"observed", "pg_stat_statements", "queries"}, "observed")},
       {"queries", schema::Array(schema::String("a SELECT"), "the workload, up to 100 queries")},
       {"limit", schema::Integer("most recommendations", 1, 20, 5)},
       {"time_budget_ms",
        schema::Integer("time the advisor may take", 100, kMaxAdviceBudgetMs, 5000)},
       {"min_gain", schema::Number("stop when the next index saves less than this fraction of "
                                   "the workload's cost (default 0.02)")}});
  tool.output_schema = {{"type", "object"}};
  tool.annotations = {true, false, true, false};
  tool.cacheable = false;
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(
        CheckArguments(arguments, {"source", "queries", "limit", "time_budget_ms", "min_gain"}));
    FB_ASSIGN_OR_RETURN(std::string source,
                        EnumArgument(arguments, "source",
                                     {"observed", "pg_stat_statements", "queries"}, "observed"));
    FB_ASSIGN_OR_RETURN(int64_t limit, IntArgument(arguments, "limit", 5, 1, 20));
    FB_ASSIGN_OR_RETURN(int64_t budget,
                        IntArgument(arguments, "time_budget_ms", 5000, 100, kMaxAdviceBudgetMs));
    FB_ASSIGN_OR_RETURN(double min_gain, NumberArgument(arguments, "min_gain", 0.02, 0, 1));
    std::vector<query::WorkloadQuery> workload;
    const Json* queries = FindArgument(arguments, "queries");
    if (queries != nullptr && source != "queries") {
      return MakeError(ErrorCode::kInvalidArgument,
                       "queries is only used with source: \"queries\"");
    }
    if (source == "queries") {
      if (queries == nullptr || !queries->is_array() || queries->empty() ||
          queries->size() > kMaxWorkloadQueries) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "source \"queries\" needs queries: an array of 1 to {} SQL strings",
                         kMaxWorkloadQueries);
      }
      for (const auto& item : *queries) {
        if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
            item.get_ref<const std::string&>().size() > kMaxAnalyzedSql) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "every item of queries must be a SQL string of 1 to {} bytes",
                           kMaxAnalyzedSql);
        }
        query::WorkloadQuery one;
        one.sql = item.get<std::string>();
        one.source = "queries";
        workload.push_back(std::move(one));
      }
    } else if (source == "pg_stat_statements") {
      if (context.db.dialect() != db::Dialect::kPostgres) {
        return MakeError(ErrorCode::kUnsupported,
                         "pg_stat_statements is PostgreSQL's; this server runs on SQLite "
                         "(use source \"observed\" or \"queries\")");
      }
      FB_ASSIGN_OR_RETURN(workload, query::WorkloadFromPgStatStatements(context.db));
    } else {
      FB_ASSIGN_OR_RETURN(query::QueryStats * stats, RequireStats(context));
      workload = query::WorkloadFromStats(*stats);
    }
    if (workload.empty()) {
      return MakeError(ErrorCode::kNotFound,
                       "the workload is empty: no read queries recorded yet (run some tools "
                       "first, or give source \"queries\")");
    }
    query::AdvisorOptions options;
    options.max_recommendations = static_cast<size_t>(limit);
    options.time_budget = std::chrono::milliseconds(budget);
    options.min_gain = min_gain;
    FB_ASSIGN_OR_RETURN(query::AdviceReport report, query::Advise(context.db, workload, options));
    return JsonOutput(query::ToJson(report), query::FormatAdvice(report));
  };
  return tool;
}

}  // namespace

void AddQueryTools(Catalog& catalog) {
  catalog.tools.push_back(GetTopQueriesTool());
  catalog.tools.push_back(GetSlowQueriesTool());
  catalog.tools.push_back(AnalyzeQueryTool());
  catalog.tools.push_back(RecommendIndexesTool());
}

}  // namespace fastbreak::nba::detail
