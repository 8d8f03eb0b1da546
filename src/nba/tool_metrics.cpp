#include "nba/tool_metrics.hpp"

#include <string>

namespace fastbreak::nba {
namespace {

constexpr std::string_view kTransportNames[] = {"stdio", "http", "rest"};
constexpr std::string_view kOutcomeNames[] = {"ok", "error", "cancelled", "timeout"};

}  // namespace

std::string_view TransportName(Transport transport) {
  return kTransportNames[static_cast<size_t>(transport)];
}

Transport ParseTransport(std::string_view name) {
  if (name == "stdio") return Transport::kStdio;
  if (name == "rest") return Transport::kRest;
  return Transport::kHttp;
}

ToolMetrics::ToolMetrics(const Catalog& catalog, telemetry::MetricsRegistry& registry) {
  tools_.resize(catalog.tools.size());
  for (size_t t = 0; t < catalog.tools.size(); ++t) {
    const std::string& name = catalog.tools[t].name;
    tools_[t].duration =
        &registry.GetHistogram("fastbreak_tool_duration_seconds",
                               "Tool call latency, from dispatch to result", {{"tool", name}});
    for (size_t tr = 0; tr < kTransports; ++tr) {
      for (size_t o = 0; o < kOutcomes; ++o) {
        tools_[t].calls[tr][o] = &registry.GetCounter(
            "fastbreak_tool_calls_total", "Tool calls by tool, transport and outcome",
            {{"tool", name},
             {"transport", std::string(kTransportNames[tr])},
             {"outcome", std::string(kOutcomeNames[o])}});
      }
    }
  }
}

void ToolMetrics::Record(size_t tool, Transport transport, Outcome outcome,
                         std::chrono::steady_clock::duration elapsed) {
  if (tool >= tools_.size()) return;
  PerTool& metrics = tools_[tool];
  metrics.calls[static_cast<size_t>(transport)][static_cast<size_t>(outcome)]->Increment();
  metrics.duration->Record(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
}

}  // namespace fastbreak::nba
