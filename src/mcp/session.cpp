#include "mcp/session.hpp"

#include <utility>

namespace fastbreak::mcp {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Session::Session(std::string id, std::string transport)
    : id_(std::move(id)), transport_(std::move(transport)), last_used_ns_(NowNs()) {}

void Session::SetInitialized(std::string version, Json client_info) {
  {
    std::lock_guard lock(mutex_);
    version_ = std::move(version);
    client_info_ = std::move(client_info);
  }
  initialized_.store(true, std::memory_order_release);
}

std::string Session::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

void Session::AddInFlight(const Json& id, std::shared_ptr<nba::CallHandle> handle) {
  std::lock_guard lock(mutex_);
  in_flight_[id.dump()] = std::move(handle);
}

void Session::RemoveInFlight(const Json& id, const nba::CallHandle* handle) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(id.dump());
  if (it != in_flight_.end() && (handle == nullptr || it->second.get() == handle)) {
    in_flight_.erase(it);
  }
}

bool Session::Cancel(const Json& id) {
  std::shared_ptr<nba::CallHandle> handle;
  {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(id.dump());
    if (it == in_flight_.end()) return false;
    handle = it->second;
  }
  handle->Cancel();
  return true;
}

void Session::CancelAll() {
  std::unordered_map<std::string, std::shared_ptr<nba::CallHandle>> in_flight;
  {
    std::lock_guard lock(mutex_);
    in_flight.swap(in_flight_);
  }
  for (auto& [id, handle] : in_flight) handle->Cancel();
}

void Session::SetUnsolicitedSink(std::function<bool(const std::string&)> sink) {
  std::lock_guard lock(mutex_);
  unsolicited_ = std::move(sink);
}

bool Session::SendUnsolicited(const std::string& message) {
  std::function<bool(const std::string&)> sink;
  {
    std::lock_guard lock(mutex_);
    sink = unsolicited_;
  }
  return sink ? sink(message) : false;
}

void Session::Touch() { last_used_ns_.store(NowNs(), std::memory_order_relaxed); }

std::chrono::steady_clock::time_point Session::last_used() const {
  return std::chrono::steady_clock::time_point(
      std::chrono::nanoseconds(last_used_ns_.load(std::memory_order_relaxed)));
}

}  // namespace fastbreak::mcp
