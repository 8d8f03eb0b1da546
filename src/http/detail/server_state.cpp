#include "http/detail/server_state.hpp"

namespace fastbreak::http::detail {

ConnectionTracker::AddResult ConnectionTracker::Add(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  if (closed_) return AddResult::kClosed;
  if (sessions_.size() >= max_connections_) return AddResult::kFull;
  sessions_.emplace(session.get(), session);
  metrics_.ConnectionOpened();
  return AddResult::kAdded;
}

void ConnectionTracker::Remove(const Session* session) {
  std::lock_guard lock(mutex_);
  if (sessions_.erase(session) == 0) return;  // never added (refused at accept)
  metrics_.ConnectionClosed();
  if (sessions_.empty()) empty_.notify_all();
}

std::vector<std::shared_ptr<Session>> ConnectionTracker::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  std::vector<std::shared_ptr<Session>> live;
  live.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

bool ConnectionTracker::WaitEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return empty_.wait_for(lock, timeout, [this] { return sessions_.empty(); });
}

}  // namespace fastbreak::http::detail
