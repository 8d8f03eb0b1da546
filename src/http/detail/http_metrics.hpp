// Request and connection metrics of the HTTP server, looked up once per route at start so
// that recording a request touches no lock and no map.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::http::detail {

// Metric families:
//   fastbreak_http_requests_total{route,status}           counter
//   fastbreak_http_request_duration_seconds{route}        histogram
//   fastbreak_http_connections_open                       gauge
//   fastbreak_http_connections_rejected_total             counter (over max_connections)
//   fastbreak_http_streams_open                           gauge (streamed responses)
// A streamed response is counted in requests_total and request_duration_seconds when it starts
// (its status, and the time until its header was ready); an asynchronous request whose client
// disconnects before the answer is counted with status 499.
// `route` is the router's pattern label, "unmatched" for 404s and "invalid" for requests
// rejected before routing (malformed, too large headers).
//
// Thread-safe. The registry must outlive this object.
class HttpMetrics {
 public:
  HttpMetrics(telemetry::MetricsRegistry& registry, const Router& router);

  // Route index for requests that matched no route / could not be routed.
  size_t unmatched_route() const { return routes_.size() - 2; }
  size_t invalid_route() const { return routes_.size() - 1; }
  // Maps Router::kNoRoute to unmatched_route(); other indexes pass through.
  size_t RouteIndex(size_t router_route) const {
    return router_route == Router::kNoRoute ? unmatched_route() : router_route;
  }

  // REQUIRES: route < routes count (a RouteIndex result); status in [100, 599].
  void RecordRequest(size_t route, int status, std::chrono::nanoseconds duration);

  void ConnectionOpened() { connections_open_.Add(1); }
  void ConnectionClosed() { connections_open_.Add(-1); }
  void ConnectionRejected() { connections_rejected_.Increment(); }
  void StreamOpened() { streams_open_.Add(1); }
  void StreamClosed() { streams_open_.Add(-1); }

 private:
  static constexpr int kMinStatus = 100;
  static constexpr int kMaxStatus = 599;

  struct RouteStats {
    std::string label;
    telemetry::Histogram* duration = nullptr;
    // Counter per status, registered on the status's first use; nullptr until then.
    std::array<std::atomic<telemetry::Counter*>, kMaxStatus - kMinStatus + 1> requests{};
  };

  telemetry::MetricsRegistry& registry_;
  std::vector<std::unique_ptr<RouteStats>> routes_;  // router routes, unmatched, invalid
  telemetry::Gauge& connections_open_;
  telemetry::Counter& connections_rejected_;
  telemetry::Gauge& streams_open_;
};

}  // namespace fastbreak::http::detail
