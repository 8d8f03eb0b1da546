#include "app/health_monitor.hpp"

namespace fastbreak::app {

HealthMonitor::HealthMonitor(std::function<Status()> check, std::chrono::milliseconds interval)
    : check_(std::move(check)), interval_(interval), current_(check_()) {
  thread_ = std::jthread([this](const std::stop_token& stop) { Run(stop); });
}

HealthMonitor::~HealthMonitor() {
  thread_.request_stop();
  wake_.notify_all();
}

Status HealthMonitor::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void HealthMonitor::Run(const std::stop_token& stop) {
  std::mutex wait_mutex;
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(wait_mutex);
      if (wake_.wait_for(lock, stop, interval_, [] { return false; })) return;
      if (stop.stop_requested()) return;
    }
    Status result = check_();
    std::lock_guard lock(mutex_);
    current_ = std::move(result);
  }
}

}  // namespace fastbreak::app
