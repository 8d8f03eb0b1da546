// The MCP server: lifecycle, version negotiation, and the methods over the NBA catalog
// (tools, resources, prompts, completions, logging, ping, cancellation, progress).
// Transport-neutral: stdio and Streamable HTTP hand it parsed messages and an Outbound.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/protocol.hpp"
#include "mcp/session.hpp"
#include "nba/catalog.hpp"
#include "nba/executor.hpp"
#include "nba/tool_cache.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::mcp {

struct McpOptions {
  // Items per page of tools/list, resources/list, resources/templates/list and prompts/list.
  size_t page_size = 100;
  // serverInfo.version.
  std::string server_version = "0.0.0";
};

// Where one incoming message's output goes. Implemented by each transport. Thread-safe: Notify
// and Finish may be called from worker and timer threads.
class Outbound {
 public:
  virtual ~Outbound() = default;
  // A notification that belongs to the request being handled (progress, log message).
  // Called only before Finish.
  virtual void Notify(std::string message) = 0;
  // Called exactly once per message handed to McpServer::Handle: the serialized response, or
  // nullopt when none is due (notifications, responses, cancelled requests).
  virtual void Finish(std::optional<std::string> response) = 0;
};

class McpServer {
 public:
  // REQUIRES: catalog, executor, metrics and tool_cache (nullptr = no cache) outlive the
  // server. With a cache, tools/call answers cacheable calls from it (see ARCHITECTURE.md,
  // "The request path") and the cache tools act on it.
  McpServer(const nba::Catalog& catalog, nba::Executor& executor, McpOptions options,
            telemetry::MetricsRegistry& metrics, nba::ToolCache* tool_cache = nullptr);
  ~McpServer();
  McpServer(const McpServer&) = delete;
  McpServer& operator=(const McpServer&) = delete;

  // Handles one message (already JSON; not a batch). Requests are answered on `out` (maybe
  // later, from another thread); a request before initialize gets -32600 except ping.
  void Handle(const std::shared_ptr<Session>& session, const Json& message,
              const std::shared_ptr<Outbound>& out);

  // Handles a whole body: one message or, for sessions that negotiated 2025-03-26, a batch
  // (array). Invalid JSON gets -32700 (id null); a batch for a version without batches gets
  // -32600. Finish is called once with the response (an array for batches) or nullopt.
  void HandleText(const std::shared_ptr<Session>& session, std::string_view body,
                  const std::shared_ptr<Outbound>& out);
  // HandleText after parsing: `message` is an object or an array (batch).
  void HandleParsed(const std::shared_ptr<Session>& session, const Json& message,
                    const std::shared_ptr<Outbound>& out);
  // Counts a body that was not JSON (for transports that parse it themselves).
  void CountParseError(const Session& session);

  const nba::Catalog& catalog() const { return catalog_; }

 private:
  class Methods;

  const nba::Catalog& catalog_;
  nba::Executor& executor_;
  const McpOptions options_;
  std::unique_ptr<Methods> methods_;
};

}  // namespace fastbreak::mcp
