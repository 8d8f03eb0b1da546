// The ResponseWriter that a session hands to an asynchronous handler, and the link through which
// it reaches the session from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/detail/asio.hpp"
#include "http/router.hpp"

namespace fastbreak::http::detail {

class Session;

// Runs functions on a session's strand from any thread, for as long as the session is attached.
// Holds the session weakly, so a writer never extends a session's (or the server's) life.
// Thread-safe.
class SessionLink {
 public:
  SessionLink(std::weak_ptr<Session> session, Strand strand)
      : session_(std::move(session)), strand_(std::move(strand)) {}
  SessionLink(const SessionLink&) = delete;
  SessionLink& operator=(const SessionLink&) = delete;

  // Posts `fn` to run on the session's strand (if the session still exists then); false once
  // detached.
  bool Post(std::function<void(Session&)> fn);
  // After this, Post returns false, and the link holds nothing of the io_context (a strand
  // must not outlive it). Called by the session's destructor, and by the server for every
  // session once its I/O threads have stopped, before the io_context is destroyed.
  void Detach();

 private:
  std::mutex mutex_;
  const std::weak_ptr<Session> session_;
  std::optional<Strand> strand_;  // guarded by mutex_; empty once detached
};

// One asynchronous request's answer. Handler-side methods (the ResponseWriter interface) are
// thread-safe and forward to the session through the link, tagged with the request's id so
// that the session ignores what arrives for an earlier request. Session-side methods (below the
// interface) run on the session's strand. Every state change and every post happens under
// mutex_, so the order of posts is the order of the state changes.
class SessionWriter final : public ResponseWriter {
 public:
  SessionWriter(std::shared_ptr<SessionLink> link, uint64_t request_id)
      : link_(std::move(link)), request_id_(request_id) {}
  // Unanswered: posts a 500. Streaming: posts the end of the stream.
  ~SessionWriter() override;
  SessionWriter(const SessionWriter&) = delete;
  SessionWriter& operator=(const SessionWriter&) = delete;

  bool Respond(Response response) override;
  bool StartStream(int status, std::string content_type,
                   std::vector<std::pair<std::string, std::string>> headers) override;
  bool Write(std::string chunk) override;
  void End() override;
  bool closed() const override;
  void OnClose(std::function<void()> callback) override;

  // Session side. If the request is still unanswered, refuses any later answer, runs the
  // OnClose callback and returns true; else false (an answer is on its way to the session).
  bool TimeOut();
  // Session side: the response will not complete (disconnect, slow consumer, server stop).
  // Refuses everything from now on and runs the OnClose callback, unless already completed or
  // closed.
  void Abort();
  // Session side: the response was written completely. Drops the OnClose callback.
  void Complete();
  // Session side: `bytes` of queued chunks were written.
  void Sent(size_t bytes);

 private:
  enum class State {
    kPending,    // no answer yet
    kAnswered,   // Respond posted, or End posted: nothing more accepted
    kStreaming,  // StartStream posted: Write and End accepted
    kClosed,     // timed out, aborted or completed
  };
  // Runs and releases the callback; REQUIRES: the caller holds `lock`, which is released.
  void NotifyClosed(std::unique_lock<std::mutex>& lock);

  const std::shared_ptr<SessionLink> link_;
  const uint64_t request_id_;
  mutable std::mutex mutex_;
  State state_ = State::kPending;   // guarded by mutex_
  bool aborted_ = false;            // guarded by mutex_; the OnClose condition happened
  bool completed_ = false;          // guarded by mutex_; the response was fully written
  size_t queued_bytes_ = 0;         // guarded by mutex_; written by Write, not yet Sent
  std::function<void()> on_close_;  // guarded by mutex_
};

}  // namespace fastbreak::http::detail
