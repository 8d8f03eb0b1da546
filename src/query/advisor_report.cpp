// The advisor's report as JSON and as text for a terminal.
#include <cmath>
#include <nlohmann/json.hpp>

#include "query/advisor.hpp"

namespace fastbreak::query {
namespace {

std::string Bytes(int64_t bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(std::max<int64_t>(bytes, 0));
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

// Costs are estimates: shown without decimals once they are large.
std::string Number(double value) {
  if (!std::isfinite(value)) return "?";
  return std::fabs(value) >= 100 ? fmt::format("{:.0f}", value) : fmt::format("{:.2f}", value);
}

std::string Percent(double fraction) { return fmt::format("{:.1f}%", fraction * 100); }

}  // namespace

nlohmann::json ToJson(const AdviceReport& report) {
  nlohmann::json recommendations = nlohmann::json::array();
  for (const auto& recommendation : report.recommendations) {
    nlohmann::json helps = nlohmann::json::array();
    for (const auto& help : recommendation.helps) {
      helps.push_back({{"sql", help.sql},
                       {"calls", help.calls},
                       {"cost_before", help.cost_before},
                       {"cost_after", help.cost_after}});
    }
    recommendations.push_back({{"table", recommendation.table},
                               {"columns", recommendation.columns},
                               {"create_sql", recommendation.create_sql},
                               {"saving", recommendation.saving},
                               {"saving_fraction", recommendation.saving_fraction},
                               {"size_bytes", recommendation.size_bytes},
                               {"helps", std::move(helps)}});
  }
  nlohmann::json existing = nlohmann::json::array();
  for (const auto& finding : report.existing) {
    existing.push_back({{"kind", finding.kind},
                        {"index", finding.index},
                        {"table", finding.table},
                        {"evidence", finding.evidence},
                        {"drop_sql", finding.drop_sql}});
  }
  return {{"dialect", report.dialect == db::Dialect::kSqlite ? "sqlite" : "postgres"},
          {"method", report.method},
          {"queries", report.queries},
          {"candidates", report.candidates},
          {"cost_before", report.cost_before},
          {"cost_after", report.cost_after},
          {"recommendations", std::move(recommendations)},
          {"existing", std::move(existing)},
          {"skipped", report.skipped},
          {"budget_exhausted", report.budget_exhausted},
          {"applied", report.applied},
          {"elapsed_ms", report.elapsed_ms}};
}

std::string FormatAdvice(const AdviceReport& report) {
  std::string out =
      fmt::format("Index advice ({}): {} quer{}, {} candidate index{}, {:.0f} ms\n", report.method,
                  report.queries, report.queries == 1 ? "y" : "ies", report.candidates,
                  report.candidates == 1 ? "" : "es", report.elapsed_ms);
  const double change =
      report.cost_before > 0 ? (report.cost_after - report.cost_before) / report.cost_before : 0;
  out += fmt::format("Workload cost: {} -> {} ({})\n", Number(report.cost_before),
                     Number(report.cost_after), Percent(change));
  if (report.budget_exhausted) out += "The time budget ran out: the search stopped early.\n";
  if (report.recommendations.empty()) out += "\nNo index to recommend.\n";
  for (size_t i = 0; i < report.recommendations.size(); ++i) {
    const auto& recommendation = report.recommendations[i];
    out += fmt::format("\n{}. {};\n   saves {} ({} of the workload), about {}\n", i + 1,
                       recommendation.create_sql, Number(recommendation.saving),
                       Percent(recommendation.saving_fraction), Bytes(recommendation.size_bytes));
    out += fmt::format("   helps {} quer{}:\n", recommendation.helps.size(),
                       recommendation.helps.size() == 1 ? "y" : "ies");
    for (const auto& help : recommendation.helps) {
      out += fmt::format("     {:g} x {} -> {}  {}\n", help.calls, Number(help.cost_before),
                         Number(help.cost_after), help.sql);
    }
  }
  for (const std::string_view kind : {"unused", "duplicate"}) {
    bool header = false;
    for (const auto& finding : report.existing) {
      if (finding.kind != kind) continue;
      if (!header) out += fmt::format("\n{} indexes:\n", kind == "unused" ? "Unused" : "Duplicate");
      header = true;
      out += fmt::format("  {} on {}: {}\n    {};\n", finding.index, finding.table,
                         finding.evidence, finding.drop_sql);
    }
  }
  if (!report.skipped.empty()) {
    out += fmt::format("\nSkipped queries ({}):\n", report.skipped.size());
    for (const auto& skipped : report.skipped) out += "  " + skipped + "\n";
  }
  if (!report.applied.empty()) {
    out += "\nApplied:\n";
    for (const auto& sql : report.applied) out += "  " + sql + ";\n";
  }
  return out;
}

}  // namespace fastbreak::query
