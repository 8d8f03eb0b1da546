#include "http/detail/http_metrics.hpp"

#include <algorithm>
#include <string>

namespace fastbreak::http::detail {
namespace {

constexpr std::string_view kRequestsName = "fastbreak_http_requests_total";
constexpr std::string_view kRequestsHelp = "HTTP requests answered, by route pattern and status.";

}  // namespace

HttpMetrics::HttpMetrics(telemetry::MetricsRegistry& registry, const Router& router)
    : registry_(registry),
      connections_open_(
          registry.GetGauge("fastbreak_http_connections_open", "HTTP connections currently open.")),
      connections_rejected_(
          registry.GetCounter("fastbreak_http_connections_rejected_total",
                              "HTTP connections closed at accept because max_connections "
                              "were open.")),
      streams_open_(registry.GetGauge("fastbreak_http_streams_open",
                                      "Streamed HTTP responses (e.g. SSE) currently open.")) {
  std::vector<std::string> labels;
  for (size_t i = 0; i < router.size(); ++i) labels.push_back(router.Label(i));
  labels.emplace_back("unmatched");
  labels.emplace_back("invalid");
  for (std::string& label : labels) {
    auto stats = std::make_unique<RouteStats>();
    stats->duration = &registry.GetHistogram(
        "fastbreak_http_request_duration_seconds",
        "Time from the start of a request to its response being ready, by route pattern.",
        {{"route", label}});
    stats->label = std::move(label);
    routes_.push_back(std::move(stats));
  }
}

void HttpMetrics::RecordRequest(size_t route, int status, std::chrono::nanoseconds duration) {
  RouteStats& stats = *routes_[route];
  stats.duration->Record(static_cast<uint64_t>(std::max<int64_t>(0, duration.count())));

  std::atomic<telemetry::Counter*>& slot = stats.requests[static_cast<size_t>(status - kMinStatus)];
  telemetry::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // First request with this (route, status): register it. Racing threads get the same
    // counter from the registry, so a lost store is harmless.
    counter = &registry_.GetCounter(kRequestsName, kRequestsHelp,
                                    {{"route", stats.label}, {"status", std::to_string(status)}});
    slot.store(counter, std::memory_order_release);
  }
  counter->Increment();
}

}  // namespace fastbreak::http::detail
