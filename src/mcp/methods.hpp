// Internal: the MCP methods. One instance per McpServer; thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "mcp/server.hpp"
#include "nba/tool_metrics.hpp"

namespace fastbreak::mcp {

class McpServer::Methods {
 public:
  Methods(const nba::Catalog& catalog, nba::Executor& executor, const McpOptions& options,
          telemetry::MetricsRegistry& metrics, nba::ToolCache* tool_cache);

  void Handle(const std::shared_ptr<Session>& session, const Json& message,
              const std::shared_ptr<Outbound>& out);
  void CountParseError(const Session& session);

  // The request being answered: its id, method (for metrics) and where the answer goes.
  struct Reply;

 private:
  void Initialize(const std::shared_ptr<Session>& session, const Json& params, Reply& reply);
  // Serves a page of a listing from `pages` (serialized results, one per page start).
  void List(const Json& params, const std::vector<std::string>& pages, size_t item_count,
            Reply& reply);
  // Serializes every page of a listing once.
  std::vector<std::string> Paginate(const std::vector<Json>& items, const char* key) const;
  void CallTool(const std::shared_ptr<Session>& session, const Json& params,
                std::shared_ptr<Reply> reply);
  // tools/call of a cacheable call: an L1 hit answers at once; a miss joins the key's single
  // flight or leads it (L2, else the tool on a worker). Returns false when the call is not
  // cacheable (then CallTool runs it directly).
  bool CallCached(size_t tool_index, const Json& arguments, const std::shared_ptr<Reply>& reply);
  // Starts a background refresh of a stale entry (a leader with no one waiting).
  void Refresh(size_t tool_index, const std::string& key, const Json& arguments);
  void ReadResource(const std::shared_ptr<Session>& session, const Json& params,
                    std::shared_ptr<Reply> reply);
  void GetPrompt(const Json& params, std::shared_ptr<Reply> reply);
  void Complete(const Json& params, std::shared_ptr<Reply> reply);
  void SetLevel(const std::shared_ptr<Session>& session, const Json& params, Reply& reply);
  void Notification(const std::shared_ptr<Session>& session, const Message& message);
  // Runs `work` on the executor for `reply`; a refused or failed submission answers the error.
  void Submit(const std::shared_ptr<Reply>& reply,
              std::function<Result<Json>(db::Connection&)> work);

  static constexpr size_t kMethodCount = 12;  // the known methods + "other"
  static constexpr size_t kTransportCount = 2;
  struct MethodMetrics {
    telemetry::Counter* requests = nullptr;
    telemetry::Counter* errors = nullptr;
    telemetry::Histogram* duration = nullptr;
  };
  friend struct Reply;

  const nba::Catalog& catalog_;
  nba::Executor& executor_;
  nba::ToolCache* const tool_cache_;  // nullptr: no cache
  const McpOptions& options_;
  nba::ToolMetrics tool_metrics_;
  std::array<std::array<MethodMetrics, kMethodCount>, kTransportCount> method_metrics_;
  std::array<telemetry::Counter*, kTransportCount> parse_errors_{};
  // Listings, serialized once per page (page i starts at item i * page_size).
  struct Listing {
    size_t count = 0;
    std::vector<std::string> pages;
  };
  Listing tools_;
  Listing resources_;
  Listing templates_;
  Listing prompts_;
};

}  // namespace fastbreak::mcp
