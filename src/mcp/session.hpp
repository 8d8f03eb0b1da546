// One MCP session: what initialize negotiated, the client's log level, the requests in flight
// (so notifications/cancelled can reach them) and where unsolicited server messages go.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mcp/protocol.hpp"
#include "nba/executor.hpp"

namespace fastbreak::mcp {

// Thread-safe.
class Session {
 public:
  // `transport` names the transport in metrics ("stdio", "http").
  Session(std::string id, std::string transport);

  const std::string& id() const { return id_; }
  const std::string& transport() const { return transport_; }

  // Set by initialize. Until then version() is "" and initialized() false.
  void SetInitialized(std::string version, Json client_info);
  bool initialized() const { return initialized_.load(std::memory_order_acquire); }
  std::string version() const;
  // Set by notifications/initialized (informational: requests are served once initialize ran).
  void MarkClientReady() { client_ready_.store(true, std::memory_order_release); }

  // Messages at or above this level are sent; logging/setLevel changes it. Default: warning.
  LogLevel log_level() const { return log_level_.load(std::memory_order_relaxed); }
  void SetLogLevel(LogLevel level) { log_level_.store(level, std::memory_order_relaxed); }

  // In-flight requests by id (the id's JSON text). Cancel returns false when none matches.
  void AddInFlight(const Json& id, std::shared_ptr<nba::CallHandle> handle);
  // Removes the entry for `id` if it is `handle` (a later request may reuse a finished id);
  // any entry for `id` when `handle` is null.
  void RemoveInFlight(const Json& id, const nba::CallHandle* handle);
  bool Cancel(const Json& id);
  // Cancels everything in flight (the session ended).
  void CancelAll();

  // Where messages that belong to no request go (the HTTP GET stream, stdout for stdio).
  // Returns false when there is no such channel (the message is dropped).
  void SetUnsolicitedSink(std::function<bool(const std::string&)> sink);
  bool SendUnsolicited(const std::string& message);

  // Idle tracking for expiry (monotonic).
  void Touch();
  std::chrono::steady_clock::time_point last_used() const;

 private:
  const std::string id_;
  const std::string transport_;
  std::atomic<bool> initialized_{false};
  std::atomic<bool> client_ready_{false};
  std::atomic<LogLevel> log_level_{LogLevel::kWarning};
  std::atomic<int64_t> last_used_ns_;

  mutable std::mutex mutex_;
  std::string version_;  // guarded by mutex_
  Json client_info_;     // guarded by mutex_
  std::unordered_map<std::string, std::shared_ptr<nba::CallHandle>> in_flight_;  // mutex_
  std::function<bool(const std::string&)> unsolicited_;                          // mutex_
};

}  // namespace fastbreak::mcp
