#include "query/query_metrics.hpp"

#include <fmt/format.h>

#include <string_view>
#include <vector>

namespace fastbreak::query {
namespace {

constexpr size_t kMaxQueryLabelBytes = 80;

// A label value: cut at a UTF-8 boundary, whitespace runs as one space, escaped.
std::string LabelValue(std::string_view text) {
  if (text.size() > kMaxQueryLabelBytes) {
    size_t end = kMaxQueryLabelBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text = text.substr(0, end);
  }
  std::string out;
  out.reserve(text.size() + 8);
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    if (c == '\\' || c == '"') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void AppendQueryMetrics(const QueryStats& stats, size_t top, std::string& out) {
  const QueryStatsTotals totals = stats.Totals();
  Header(out, "fastbreak_query_statements_total", "counter", "Statements run, all fingerprints.");
  fmt::format_to(std::back_inserter(out), "fastbreak_query_statements_total {}\n",
                 totals.statements);
  Header(out, "fastbreak_query_slow_total", "counter",
         "Statements at or over the slow-query threshold.");
  fmt::format_to(std::back_inserter(out), "fastbreak_query_slow_total {}\n", totals.slow);
  Header(out, "fastbreak_query_fingerprints_evicted_total", "counter",
         "Fingerprints dropped to keep the statistics bounded.");
  fmt::format_to(std::back_inserter(out), "fastbreak_query_fingerprints_evicted_total {}\n",
                 totals.evicted);
  Header(out, "fastbreak_query_fingerprints", "gauge", "Distinct fingerprints kept.");
  fmt::format_to(std::back_inserter(out), "fastbreak_query_fingerprints {}\n", totals.fingerprints);
  if (top == 0) return;

  const std::vector<QueryStatsRow> rows = stats.Top(top, TopOrder::kTotalTime);
  if (rows.empty()) return;
  std::vector<std::string> labels;
  labels.reserve(rows.size());
  for (const auto& row : rows) {
    labels.push_back(fmt::format("fingerprint=\"{}\",query=\"{}\"", row.fingerprint_hex,
                                 LabelValue(row.normalized)));
  }
  struct Family {
    std::string_view name;
    std::string_view type;
    std::string_view help;
    double (*value)(const QueryStatsRow&);
  };
  static constexpr Family kFamilies[] = {
      {"fastbreak_query_calls_total", "counter", "Executions of the query (top by total time).",
       [](const QueryStatsRow& r) { return static_cast<double>(r.calls); }},
      {"fastbreak_query_errors_total", "counter", "Failed executions of the query.",
       [](const QueryStatsRow& r) { return static_cast<double>(r.errors); }},
      {"fastbreak_query_rows_total", "counter", "Rows the query returned.",
       [](const QueryStatsRow& r) { return static_cast<double>(r.rows); }},
      {"fastbreak_query_seconds_total", "counter", "Time spent in the query.",
       [](const QueryStatsRow& r) { return r.total_ms / 1000.0; }},
      {"fastbreak_query_p95_seconds", "gauge", "95th percentile time of the query.",
       [](const QueryStatsRow& r) { return r.p95_ms / 1000.0; }},
      {"fastbreak_query_max_seconds", "gauge", "Longest execution of the query.",
       [](const QueryStatsRow& r) { return r.max_ms / 1000.0; }},
  };
  for (const Family& family : kFamilies) {
    Header(out, family.name, family.type, family.help);
    for (size_t i = 0; i < rows.size(); ++i) {
      fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", family.name, labels[i],
                     family.value(rows[i]));
    }
  }
}

}  // namespace fastbreak::query
