#include "query/plan.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "query/plan_internal.hpp"

namespace fastbreak::query {
namespace plan_detail {
namespace {

constexpr int kMaxParameter = 65535;  // PostgreSQL's limit on bind parameters

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Letters, digits, '_' and every byte of a multi-byte UTF-8 character ('$' too, after the
// first character, as both engines allow).
bool IsWordChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || IsDigit(c) || u == '_' || u >= 0x80;
}

// The end of a comment starting at `i` ("--" or "/*"; PostgreSQL nests block comments, SQLite
// does not), or `i` when none starts there.
size_t SkipComment(std::string_view sql, size_t i, bool nested) {
  if (sql.substr(i, 2) == "--") {
    const size_t end = sql.find('\n', i);
    return end == std::string_view::npos ? sql.size() : end + 1;
  }
  if (sql.substr(i, 2) != "/*") return i;
  int depth = 0;
  while (i < sql.size()) {
    if (sql.substr(i, 2) == "/*" && (nested || depth == 0)) {
      ++depth;
      i += 2;
    } else if (sql.substr(i, 2) == "*/") {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// The end of a run quoted by `open` ... `close` starting at `i`, where a doubled closing
// quote stands for itself and, when `backslashes`, a backslash escapes the next byte.
size_t SkipQuoted(std::string_view sql, size_t i, char close, bool backslashes) {
  ++i;
  while (i < sql.size()) {
    if (backslashes && sql[i] == '\\') {
      i += 2;
    } else if (sql[i] == close) {
      if (close == ']' || i + 1 >= sql.size() || sql[i + 1] != close) return i + 1;
      i += 2;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// The end of a PostgreSQL dollar-quoted string starting at `i` ($$...$$, $tag$...$tag$), or
// `i` when none starts there.
size_t SkipDollarQuoted(std::string_view sql, size_t i) {
  size_t j = i + 1;
  if (j < sql.size() && IsWordChar(sql[j]) && !IsDigit(sql[j])) {
    while (j < sql.size() && IsWordChar(sql[j])) ++j;
  }
  if (j >= sql.size() || sql[j] != '$') return i;
  const std::string_view tag = sql.substr(i, j - i + 1);
  const size_t close = sql.find(tag, j + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

struct Placeholder {
  size_t begin = 0;
  size_t end = 0;
  int number = 0;
};

}  // namespace

Result<ScannedSql> ScanStatement(std::string_view sql, db::Dialect dialect) {
  const bool postgres = dialect == db::Dialect::kPostgres;
  ScannedSql scanned;
  size_t first = std::string_view::npos;
  size_t last_end = 0;
  bool ended = false;  // a ';' closed the statement
  bool keyword_done = false;
  std::vector<Placeholder> placeholders;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (const size_t end = SkipComment(sql, i, postgres); end != i) {
      i = end;
      continue;
    }
    if (c == ';') {
      ended = first != std::string_view::npos;
      ++i;
      continue;
    }
    if (ended) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "one statement at a time: found more SQL after the first statement: '{}'",
                       sql.substr(i, 60));
    }
    if (first == std::string_view::npos) first = i;
    size_t end = i + 1;
    bool is_word = false;
    if (c == '\'') {
      end = SkipQuoted(sql, i, '\'', false);
    } else if (c == '"') {
      end = SkipQuoted(sql, i, '"', false);
    } else if (!postgres && c == '`') {
      end = SkipQuoted(sql, i, '`', false);
    } else if (!postgres && c == '[') {
      end = SkipQuoted(sql, i, ']', false);
    } else if (c == '?' || (postgres && c == '$' && i + 1 < sql.size() && IsDigit(sql[i + 1]))) {
      while (end < sql.size() && IsDigit(sql[end])) ++end;
      const std::string_view digits = sql.substr(i + 1, end - i - 1);
      int number = 0;
      if (!digits.empty()) {
        const auto [ptr, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), number);
        if (ec != std::errc() || ptr != digits.data() + digits.size() || number < 1 ||
            number > kMaxParameter) {
          return MakeError(ErrorCode::kInvalidArgument,
                           "placeholder {} is out of range: parameters are numbered 1 to {}",
                           sql.substr(i, end - i), kMaxParameter);
        }
      } else {
        number = scanned.parameters + 1;
      }
      if (number > kMaxParameter) {
        return MakeError(ErrorCode::kInvalidArgument, "more than {} parameters", kMaxParameter);
      }
      scanned.parameters = std::max(scanned.parameters, number);
      placeholders.push_back({i, end, number});
    } else if (postgres && c == '$') {
      end = SkipDollarQuoted(sql, i);
      if (end == i) end = i + 1;
    } else if (IsWordChar(c)) {
      while (end < sql.size() && (IsWordChar(sql[end]) || sql[end] == '$')) ++end;
      if (postgres && end == i + 1 && (c == 'E' || c == 'e') && end < sql.size() &&
          sql[end] == '\'') {
        end = SkipQuoted(sql, end, '\'', true);  // E'...' takes backslash escapes
      } else {
        is_word = true;
      }
    }
    if (!keyword_done && c != '(') {
      keyword_done = true;
      if (is_word) scanned.keyword = Lower(sql.substr(i, end - i));
    }
    last_end = end;
    i = end;
  }
  if (first == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "no SQL statement to explain");
  }
  scanned.statement = sql.substr(first, last_end - first);
  size_t copied = first;
  for (const Placeholder& p : placeholders) {
    scanned.dollar_sql.append(sql.substr(copied, p.begin - copied));
    scanned.dollar_sql.append(fmt::format("${}", p.number));
    copied = p.end;
  }
  scanned.dollar_sql.append(sql.substr(copied, last_end - copied));
  return scanned;
}

TableRows RowsOf(const SchemaInfo* schema, std::string_view table) {
  if (schema == nullptr || table.empty()) return {};
  const TableInfo* info = schema->FindTable(table);
  if (info == nullptr || info->is_view || info->rows < 0) return {};
  return {info->rows, info->rows_source.empty() ? "catalog" : info->rows_source};
}

void AddFinding(std::vector<Finding>& findings, Finding finding) {
  if (findings.size() < kMaxPlanFindings) findings.push_back(std::move(finding));
}

void AppendSummary(std::string& summary, std::string_view part) {
  if (summary.size() >= kMaxPlanSummaryBytes) return;
  if (!summary.empty()) summary.append("; ");
  if (summary.size() + part.size() > kMaxPlanSummaryBytes) {
    size_t cut = kMaxPlanSummaryBytes > summary.size() ? kMaxPlanSummaryBytes - summary.size() : 0;
    while (cut > 0 && (static_cast<unsigned char>(part[cut]) & 0xC0) == 0x80) --cut;
    summary.append(part.substr(0, cut)).append("...");
    return;
  }
  summary.append(part);
}

std::string FormatCount(double value) {
  if (!std::isfinite(value)) return "?";
  const bool negative = value < 0;
  const std::string digits = fmt::format("{:.0f}", std::fabs(value));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return negative ? "-" + out : out;
}

std::string FormatCost(double value) { return fmt::format("{:.2f}", value); }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace plan_detail

Result<QueryPlan> Explain(db::Connection& connection, std::string_view sql,
                          const ExplainOptions& options, const SchemaInfo* schema) {
  const size_t bound = options.untrusted
                           ? std::min(options.limits.max_sql_bytes, kMaxExplainSqlBytes)
                           : kMaxExplainSqlBytes;
  if (sql.size() > bound) {
    return MakeError(ErrorCode::kPayloadTooLarge, "SQL text is {} bytes; at most {} are accepted",
                     sql.size(), bound);
  }
  FB_ASSIGN_OR_RETURN(plan_detail::ScannedSql scanned,
                      plan_detail::ScanStatement(sql, connection.dialect()));
  if (scanned.keyword == "explain") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "pass the statement without EXPLAIN: the analysis adds it");
  }
  const bool query = scanned.keyword == "select" || scanned.keyword == "with";
  if (options.untrusted && !query) {
    std::string what = scanned.keyword;
    for (char& c : what) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (what.empty()) what = fmt::format("'{}'", scanned.statement.substr(0, 30));
    return MakeError(ErrorCode::kPermissionDenied,
                     "{} is not allowed: only a query (SELECT or WITH) may be explained", what);
  }
  Result<QueryPlan> plan = connection.dialect() == db::Dialect::kSqlite
                               ? plan_detail::ExplainSqlite(connection, scanned, options, schema)
                               : plan_detail::ExplainPostgres(connection, scanned, options);
  if (plan) AnalyzePlan(*plan, schema, options);
  return plan;
}

void AnalyzePlan(QueryPlan& plan, const SchemaInfo* schema, const ExplainOptions& options) {
  plan.findings.clear();
  plan.summary.clear();
  if (plan.dialect == db::Dialect::kSqlite) {
    plan_detail::AnalyzeSqlitePlan(plan, schema, options);
  } else {
    plan_detail::AnalyzePostgresPlan(plan, schema, options);
  }
}

namespace {

nlohmann::json NodeJson(const PlanNode& node) {
  nlohmann::json out = nlohmann::json::object();
  out["operation"] = node.operation;
  const auto text = [&](const char* key, const std::string& value) {
    if (!value.empty()) out[key] = value;
  };
  const auto number = [&](const char* key, double value) {
    if (value >= 0) out[key] = value;
  };
  text("relation", node.relation);
  text("alias", node.alias);
  text("index", node.index);
  if (node.covering) out["covering"] = true;
  text("detail", node.detail);
  text("role", node.role);
  text("sort_key", node.sort_key);
  text("sort_method", node.sort_method);
  text("sort_space_type", node.sort_space_type);
  if (node.sort_space_kb >= 0) out["sort_space_kb"] = node.sort_space_kb;
  number("startup_cost", node.startup_cost);
  number("total_cost", node.total_cost);
  number("plan_rows", node.plan_rows);
  number("actual_rows", node.actual_rows);
  number("actual_total_ms", node.actual_total_ms);
  number("loops", node.loops);
  number("rows_removed_by_filter", node.rows_removed_by_filter);
  if (node.shared_hit_blocks >= 0) out["shared_hit_blocks"] = node.shared_hit_blocks;
  if (node.shared_read_blocks >= 0) out["shared_read_blocks"] = node.shared_read_blocks;
  if (!node.children.empty()) {
    nlohmann::json children = nlohmann::json::array();
    for (const PlanNode& child : node.children) children.push_back(NodeJson(child));
    out["children"] = std::move(children);
  }
  return out;
}

}  // namespace

nlohmann::json ToJson(const QueryPlan& plan) {
  nlohmann::json out = nlohmann::json::object();
  out["dialect"] = plan.dialect == db::Dialect::kSqlite ? "sqlite" : "postgres";
  out["analyzed"] = plan.analyzed;
  if (plan.total_cost >= 0) out["total_cost"] = plan.total_cost;
  if (plan.execution_ms >= 0) out["execution_ms"] = plan.execution_ms;
  out["summary"] = plan.summary;
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& finding : plan.findings) findings.push_back(ToJson(finding));
  out["findings"] = std::move(findings);
  out["plan"] = NodeJson(plan.root);
  return out;
}

}  // namespace fastbreak::query
