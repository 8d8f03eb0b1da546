#include "mcp/server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <charconv>
#include <mutex>
#include <utility>

#include "mcp/methods.hpp"
#include "nba/json_parse.hpp"

namespace fastbreak::mcp {

McpServer::McpServer(const nba::Catalog& catalog, nba::Executor& executor, McpOptions options,
                     telemetry::MetricsRegistry& metrics, nba::ToolCache* tool_cache)
    : catalog_(catalog),
      executor_(executor),
      options_(std::move(options)),
      methods_(std::make_unique<Methods>(catalog_, executor_, options_, metrics, tool_cache)) {}

McpServer::~McpServer() = default;

void McpServer::Handle(const std::shared_ptr<Session>& session, const Json& message,
                       const std::shared_ptr<Outbound>& out) {
  methods_->Handle(session, message, out);
}

namespace {

// Collects the answers to a batch's messages and sends them as one array.
class BatchOutbound final : public Outbound {
 public:
  BatchOutbound(std::shared_ptr<Outbound> parent, size_t expected)
      : parent_(std::move(parent)), remaining_(expected) {
    responses_.reserve(expected);
  }
  void Notify(std::string message) override { parent_->Notify(std::move(message)); }
  void Finish(std::optional<std::string> response) override {
    std::string batch;
    bool done = false;
    {
      std::lock_guard lock(mutex_);
      if (response) responses_.push_back(std::move(*response));
      done = --remaining_ == 0;
      if (done && !responses_.empty()) {
        batch = "[";
        for (size_t i = 0; i < responses_.size(); ++i) {
          if (i > 0) batch += ',';
          batch += responses_[i];
        }
        batch += ']';
      }
    }
    if (!done) return;
    if (batch.empty()) {
      parent_->Finish(std::nullopt);
    } else {
      parent_->Finish(std::move(batch));
    }
  }

 private:
  std::shared_ptr<Outbound> parent_;
  std::mutex mutex_;
  size_t remaining_;                    // guarded by mutex_
  std::vector<std::string> responses_;  // guarded by mutex_
};

}  // namespace

void McpServer::HandleText(const std::shared_ptr<Session>& session, std::string_view body,
                           const std::shared_ptr<Outbound>& out) {
  auto message = nba::ParseJson(body);
  if (!message) {
    methods_->CountParseError(*session);
    out->Finish(
        ErrorResponse(nullptr, -32700, fmt::format("Parse error: {}", message.error().message)));
    return;
  }
  HandleParsed(session, *message, out);
}

void McpServer::CountParseError(const Session& session) { methods_->CountParseError(session); }

void McpServer::HandleParsed(const std::shared_ptr<Session>& session, const Json& message,
                             const std::shared_ptr<Outbound>& out) {
  if (!message.is_array()) {
    Handle(session, message, out);
    return;
  }
  const std::string version = session->version();
  if (!AllowsBatches(version)) {
    out->Finish(ErrorResponse(
        nullptr, -32600,
        version.empty()
            ? std::string("Invalid Request: JSON-RPC batches are not accepted before initialize")
            : fmt::format("Invalid Request: JSON-RPC batches are not supported in protocol "
                          "version {} (only in 2025-03-26); send one message per request",
                          version)));
    return;
  }
  if (message.empty()) {
    out->Finish(ErrorResponse(nullptr, -32600, "Invalid Request: empty batch"));
    return;
  }
  auto batch = std::make_shared<BatchOutbound>(out, message.size());
  for (const auto& element : message) {
    if (element.is_object() && element.value("method", "") == "initialize") {
      batch->Finish(ErrorResponse(element.contains("id") ? element["id"] : Json(), -32600,
                                  "Invalid Request: initialize must not be part of a batch"));
      continue;
    }
    Handle(session, element, batch);
  }
}

}  // namespace fastbreak::mcp
