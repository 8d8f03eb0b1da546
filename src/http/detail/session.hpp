// One HTTP/1.1 connection: reads requests one at a time (pipelined ones in order), calls the
// router, writes responses (complete, or streamed for asynchronous handlers), keeps the
// connection alive until told or timed out.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "http/detail/asio.hpp"
#include "http/detail/response_writer.hpp"
#include "http/detail/server_state.hpp"
#include "http/router.hpp"

namespace fastbreak::http::detail {

// Owned by the completion handlers of its pending operations (shared_from_this); it dies when
// the connection is closed and the last handler has run. Every member function other than
// Start, Shutdown and Abandon runs on the session's strand.
//
// An asynchronous request (Router::Match::async_handler) gets a SessionWriter; its answer
// arrives on the strand through On* below. Until the response is complete no further request
// is read; the socket is read meanwhile only to notice a disconnect (bytes of a pipelined next
// request are kept, up to a bound).
class Session : public std::enable_shared_from_this<Session> {
 public:
  // REQUIRES: `state` outlives the session.
  Session(Socket socket, ServerState& state);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts reading requests. Call once, after the session is registered.
  void Start();
  // Thread-safe. Closes the connection now if it is idle; closes an open stream (its OnClose
  // runs; queued chunks and the stream's end are still written); otherwise lets the request in
  // progress finish, answers it with Connection: close and then closes.
  void Shutdown();
  // Refuses every later answer of the session's writers and runs the OnClose of an unanswered
  // one. REQUIRES: the server's I/O threads have stopped (the strand runs nothing any more).
  void Abandon();

  // Called through SessionLink, on the strand, by the writer of request `id`; ignored when `id`
  // is not the request being answered (it timed out or the connection moved on).
  void OnAsyncResponse(uint64_t id, Response response);
  void OnStreamStart(uint64_t id, int status, std::string content_type,
                     std::vector<std::pair<std::string, std::string>> headers);
  void OnStreamData(uint64_t id, std::string chunk);
  void OnStreamEnd(uint64_t id);
  void OnStreamOverflow(uint64_t id);

 private:
  enum class Phase {
    kIdle,        // waiting for the first byte of a request
    kReading,     // reading a request's header or body
    kResponding,  // running a handler or writing a complete response
    kAwaiting,    // waiting for an asynchronous handler's answer
    kStreaming,   // writing a streamed response
    kClosing,     // draining after a final response, or closed
  };
  using Clock = std::chrono::steady_clock;
  // One piece of a streamed response: head + body + tail are written in order.
  struct OutChunk {
    std::string head;  // chunk-size line, or the response header
    std::string body;
    std::string_view tail;  // "\r\n" after a chunk's data (static storage)
    size_t accounted = 0;   // bytes counted against the writer's queue bound
  };

  void WaitForRequest();
  void OnFirstBytes(boost::beast::error_code ec, size_t bytes);
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnReadError(boost::beast::error_code ec);
  void HandleRequest();
  void StartAsync(const Router::Match& match, const Request& request);
  void OnAnswerTimeout(uint64_t id);
  // Sends `response` (recording it under `route`); closes afterwards unless keep_alive.
  void Send(Response response, size_t route, bool keep_alive);
  void SendError(ErrorCode code, int status, std::string_view message, size_t route);
  void OnWrite(bool keep_alive, boost::beast::error_code ec);
  // The response is complete: reads the next request, or closes. Waits for the watch read to
  // end first.
  void FinishResponse(bool keep_alive);
  // Reads while an asynchronous answer is pending or streaming, to notice a disconnect.
  void Watch();
  void OnWatch(boost::beast::error_code ec, size_t bytes);
  // The client is gone (or too slow) while an answer was pending or streaming.
  void AbortResponse();
  void QueueChunk(OutChunk chunk);
  void PumpStream();
  void OnStreamWrite(boost::beast::error_code ec);
  // Queues the end of the stream; the session finishes the response once it is written.
  void EndStream();
  void FinishStream();
  // Aborts the current writer (running its OnClose) and forgets it.
  void AbortWriter();
  // Half-closes, discards what the client still sends (so that it reads our final response
  // instead of a reset), then closes.
  void CloseGracefully();
  void Drain();
  void Close();

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  ServerState& state_;
  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  bool shutdown_requested_ = false;
  Clock::time_point request_start_;  // when the current request's first byte was read
  Clock::time_point deadline_;       // by when the current request must be fully read
  unsigned version_ = 11;            // the current request's HTTP version (10 or 11)
  bool keep_alive_ = false;          // the current request allows keep-alive
  size_t route_ = 0;                 // the current request's metrics route index

  // Asynchronous answers.
  std::shared_ptr<SessionLink> link_;    // created with the first asynchronous request
  std::weak_ptr<SessionWriter> writer_;  // the current request's writer, if any
  uint64_t request_id_ = 0;              // the current asynchronous request's id
  Timer answer_timer_;                   // request_timeout_ms for the asynchronous answer
  bool watching_ = false;                // a watch read is pending
  enum class AfterWatch { kNone, kNextRequest, kClose };
  AfterWatch after_watch_ = AfterWatch::kNone;  // what FinishResponse left for OnWatch

  // Streamed response.
  std::deque<OutChunk> out_;  // written front to back; [0, in_flight_) is being written
  size_t in_flight_ = 0;
  std::vector<boost::asio::const_buffer> write_buffers_;
  bool chunked_ = false;      // chunked transfer coding (HTTP/1.1)
  bool end_queued_ = false;   // the stream's end is queued; nothing more is accepted
  bool stream_open_ = false;  // counted in the streams-open gauge
};

}  // namespace fastbreak::http::detail
