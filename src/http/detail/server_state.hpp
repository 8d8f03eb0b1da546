// State shared by the server, its listener and its sessions.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/detail/http_metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace fastbreak::http::detail {

class Session;

// The set of open sessions, so that Stop() can reach every one, and the count that
// max_connections bounds. Thread-safe.
class ConnectionTracker {
 public:
  enum class AddResult { kAdded, kFull, kClosed };

  ConnectionTracker(size_t max_connections, HttpMetrics& metrics)
      : max_connections_(max_connections), metrics_(metrics) {}

  // Registers a new session unless the tracker is closed or full.
  AddResult Add(const std::shared_ptr<Session>& session);
  // Called by a session's destructor.
  void Remove(const Session* session);
  // Refuses every later Add and returns the sessions still alive.
  std::vector<std::shared_ptr<Session>> Close();
  // Waits until no session is registered; false on timeout.
  bool WaitEmpty(std::chrono::milliseconds timeout);

 private:
  const size_t max_connections_;
  HttpMetrics& metrics_;
  std::mutex mutex_;
  std::condition_variable empty_;  // notified when sessions_ becomes empty
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;  // guarded by mutex_
  bool closed_ = false;                                                  // guarded by mutex_
};

// Owned by the server; outlives the io_context, so sessions and the listener hold plain
// references to it. Immutable after start except for the thread-safe members.
struct ServerState {
  ServerState(ServerOptions opts, Router routes, telemetry::MetricsRegistry& registry)
      : options(std::move(opts)),
        router(std::move(routes)),
        metrics(registry, router),
        connections(options.max_connections, metrics) {}

  const ServerOptions options;
  const Router router;
  HttpMetrics metrics;
  ConnectionTracker connections;
};

}  // namespace fastbreak::http::detail
