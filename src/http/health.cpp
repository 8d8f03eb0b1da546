#include "http/health.hpp"

#include <string>
#include <utility>

#include "core/json_text.hpp"

namespace fastbreak::http {
namespace {

constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

Response NoStore(Response response) {
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

void AddHealthAndMetricsRoutes(Router& router, telemetry::MetricsRegistry& registry,
                               std::function<Status()> health_check) {
  router.Add("GET", "/healthz", [check = std::move(health_check)](const Request&) {
    Response response;
    const Status status = check ? check() : Ok();
    if (status) {
      response.body = R"({"status":"ok"})";
    } else {
      response.status = 503;
      response.body = R"({"status":"unavailable","reason":)";
      AppendJsonString(response.body, status.error().ToString());
      response.body += "}";
    }
    return NoStore(std::move(response));
  });

  router.Add("GET", "/metrics", [&registry](const Request&) {
    Response response;
    response.content_type = kPrometheusContentType;
    response.body = registry.PrometheusText();
    return NoStore(std::move(response));
  });
}

}  // namespace fastbreak::http
