// Runs a health check on its own thread at a fixed interval and serves the last result, so
// that /healthz never runs SQL (or waits on a lock) on an I/O thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

#include "core/error.hpp"

namespace fastbreak::app {

class HealthMonitor {
 public:
  // Runs `check` once before returning (so the first probe sees a real result), then every
  // `interval` on a background thread until destroyed. REQUIRES: check is safe to call from
  // that thread.
  HealthMonitor(std::function<Status()> check, std::chrono::milliseconds interval);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // The result of the latest check. Thread-safe and cheap: a short lock, no I/O.
  Status Current() const;

 private:
  void Run(const std::stop_token& stop);

  std::function<Status()> check_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;  // guards current_
  Status current_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: started after every other member is ready
};

}  // namespace fastbreak::app
