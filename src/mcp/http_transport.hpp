// MCP Streamable HTTP on /mcp: POST carries client messages (answered with JSON, or with an SSE
// stream when notifications precede the response), GET opens the session's server-to-client
// SSE stream, DELETE ends the session. Sessions are issued at initialize (Mcp-Session-Id) and
// expire when idle.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "mcp/server.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::mcp {

struct HttpTransportOptions {
  std::string path = "/mcp";
  // Origin values allowed, comma-separated; "http://localhost:*" allows any port. A request
  // without an Origin header (a non-browser client) is allowed; any other Origin gets 403.
  std::string allowed_origins = "http://localhost:*,http://127.0.0.1:*,http://[::1]:*";
  // A session with no request and no open stream for this long is ended.
  std::chrono::milliseconds session_idle_timeout{30 * 60 * 1000};
  // Sessions open at once; initialize beyond it gets 503.
  size_t max_sessions = 10000;
  // Comment lines sent on open GET streams at this interval, so proxies keep them open.
  std::chrono::milliseconds keep_alive_interval{15000};
};

// Thread-safe. Owns the sessions; must outlive the HTTP server whose router it added routes to
// (stop the server first).
class HttpTransport {
 public:
  HttpTransport(McpServer& server, HttpTransportOptions options,
                telemetry::MetricsRegistry& metrics);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Registers POST, GET and DELETE on options.path.
  void AddRoutes(http::Router& router);

  size_t session_count() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace fastbreak::mcp
