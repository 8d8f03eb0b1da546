// Per-tool call counts, outcomes and latency, by transport, registered once at startup so that
// recording a call is a few atomic adds (no registry lookup, no lock).
#pragma once

#include <array>
#include <chrono>
#include <string_view>
#include <vector>

#include "nba/catalog.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::nba {

enum class Transport { kStdio, kHttp, kRest };
enum class Outcome { kOk, kError, kCancelled, kTimeout };

std::string_view TransportName(Transport transport);
// "http" -> kHttp; unknown names count as kHttp.
Transport ParseTransport(std::string_view name);

class ToolMetrics {
 public:
  // Registers fastbreak_tool_calls_total{tool,transport,outcome} and
  // fastbreak_tool_duration_seconds{tool} for every tool of `catalog`.
  ToolMetrics(const Catalog& catalog, telemetry::MetricsRegistry& registry);

  // `tool` is the index in catalog.tools. Thread-safe, lock-free.
  void Record(size_t tool, Transport transport, Outcome outcome,
              std::chrono::steady_clock::duration elapsed);

 private:
  static constexpr size_t kTransports = 3;
  static constexpr size_t kOutcomes = 4;
  struct PerTool {
    telemetry::Histogram* duration = nullptr;
    std::array<std::array<telemetry::Counter*, kOutcomes>, kTransports> calls{};
  };
  std::vector<PerTool> tools_;
};

}  // namespace fastbreak::nba
