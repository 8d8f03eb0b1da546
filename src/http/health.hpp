// The operational endpoints every deployment has: /healthz for load balancers and /metrics
// for Prometheus.
#pragma once

#include <functional>

#include "core/error.hpp"
#include "http/router.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::http {

// Registers
//   GET /healthz  200 {"status":"ok"}, or 503 {"status":"unavailable","reason":"..."} when
//                 health_check returns an error (its ToString() is the reason);
//   GET /metrics  200 text/plain; version=0.0.4 with registry.PrometheusText().
// health_check runs on an I/O thread for every probe, so it must be cheap and must not block
// (report a state kept up to date elsewhere); null means always healthy. `registry` must
// outlive the router and any server built from it.
void AddHealthAndMetricsRoutes(Router& router, telemetry::MetricsRegistry& registry,
                               std::function<Status()> health_check);

}  // namespace fastbreak::http
