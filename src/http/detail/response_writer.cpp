#include "http/detail/response_writer.hpp"

#include <algorithm>

#include "http/detail/session.hpp"

namespace fastbreak::http::detail {

bool SessionLink::Post(std::function<void(Session&)> fn) {
  std::lock_guard lock(mutex_);
  if (!strand_) return false;
  boost::asio::post(*strand_, [session = session_, fn = std::move(fn)] {
    if (auto live = session.lock()) fn(*live);
  });
  return true;
}

void SessionLink::Detach() {
  std::lock_guard lock(mutex_);
  strand_.reset();
}

SessionWriter::~SessionWriter() {
  std::lock_guard lock(mutex_);
  const uint64_t id = request_id_;
  if (state_ == State::kPending) {
    link_->Post([id](Session& session) {
      session.OnAsyncResponse(
          id, ErrorResponse(ErrorCode::kInternal, "the handler dropped the request unanswered"));
    });
  } else if (state_ == State::kStreaming) {
    link_->Post([id](Session& session) { session.OnStreamEnd(id); });
  }
}

bool SessionWriter::Respond(Response response) {
  std::lock_guard lock(mutex_);
  if (state_ != State::kPending) return false;
  const uint64_t id = request_id_;
  if (!link_->Post([id, response = std::move(response)](Session& session) mutable {
        session.OnAsyncResponse(id, std::move(response));
      })) {
    state_ = State::kClosed;
    return false;
  }
  state_ = State::kAnswered;
  return true;
}

bool SessionWriter::StartStream(int status, std::string content_type,
                                std::vector<std::pair<std::string, std::string>> headers) {
  if (status < 200 || status > 599 || status == 204 || status == 304) return false;
  std::lock_guard lock(mutex_);
  if (state_ != State::kPending) return false;
  const uint64_t id = request_id_;
  if (!link_->Post([id, status, content_type = std::move(content_type),
                    headers = std::move(headers)](Session& session) mutable {
        session.OnStreamStart(id, status, std::move(content_type), std::move(headers));
      })) {
    state_ = State::kClosed;
    return false;
  }
  state_ = State::kStreaming;
  return true;
}

bool SessionWriter::Write(std::string chunk) {
  std::unique_lock lock(mutex_);
  if (state_ != State::kStreaming) return false;
  if (chunk.empty()) return true;
  const uint64_t id = request_id_;
  queued_bytes_ += chunk.size();
  if (queued_bytes_ > kMaxQueuedBytes) {
    state_ = State::kClosed;
    link_->Post([id](Session& session) { session.OnStreamOverflow(id); });
    return false;
  }
  if (!link_->Post([id, chunk = std::move(chunk)](Session& session) mutable {
        session.OnStreamData(id, std::move(chunk));
      })) {
    state_ = State::kClosed;
    return false;
  }
  return true;
}

void SessionWriter::End() {
  std::lock_guard lock(mutex_);
  if (state_ != State::kStreaming) return;
  state_ = State::kAnswered;
  const uint64_t id = request_id_;
  link_->Post([id](Session& session) { session.OnStreamEnd(id); });
}

bool SessionWriter::closed() const {
  std::lock_guard lock(mutex_);
  return state_ != State::kPending && state_ != State::kStreaming;
}

void SessionWriter::OnClose(std::function<void()> callback) {
  std::unique_lock lock(mutex_);
  if (aborted_) {
    lock.unlock();
    if (callback) callback();
    return;
  }
  if (completed_) return;  // after a normal completion the callback can never run
  on_close_ = std::move(callback);
}

bool SessionWriter::TimeOut() {
  std::unique_lock lock(mutex_);
  if (state_ != State::kPending || aborted_) return false;
  state_ = State::kClosed;
  aborted_ = true;
  NotifyClosed(lock);
  return true;
}

void SessionWriter::Abort() {
  std::unique_lock lock(mutex_);
  if (aborted_ || completed_) return;
  state_ = State::kClosed;
  aborted_ = true;
  NotifyClosed(lock);
}

void SessionWriter::Complete() {
  std::function<void()> released;
  std::lock_guard lock(mutex_);
  state_ = State::kClosed;
  completed_ = true;
  released = std::move(on_close_);  // destroyed after the lock is released
}

void SessionWriter::Sent(size_t bytes) {
  std::lock_guard lock(mutex_);
  queued_bytes_ -= std::min(bytes, queued_bytes_);
}

void SessionWriter::NotifyClosed(std::unique_lock<std::mutex>& lock) {
  std::function<void()> callback = std::move(on_close_);
  on_close_ = nullptr;
  lock.unlock();
  if (callback) callback();
}

}  // namespace fastbreak::http::detail
