// One HTTP/1.1 connection: reads requests one at a time (pipelined ones in order), calls the
// router, writes responses, keeps the connection alive until told or timed out.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "http/detail/asio.hpp"
#include "http/detail/server_state.hpp"
#include "http/router.hpp"

namespace fastbreak::http::detail {

// Owned by the completion handlers of its pending operations (shared_from_this); it dies when
// the connection is closed and the last handler has run. Every member function other than
// Start and Shutdown runs on the session's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // REQUIRES: `socket` was accepted on a strand; `state` outlives the session.
  Session(boost::asio::ip::tcp::socket socket, ServerState& state);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts reading requests. Call once, after the session is registered.
  void Start();
  // Thread-safe. Closes the connection now if it is idle; otherwise lets the request in
  // progress finish, answers it with Connection: close and then closes.
  void Shutdown();

 private:
  enum class Phase {
    kIdle,        // waiting for the first byte of a request
    kReading,     // reading a request's header or body
    kResponding,  // running the handler or writing the response
    kClosing,     // draining after a final response, or closed
  };
  using Clock = std::chrono::steady_clock;

  void WaitForRequest();
  void OnFirstBytes(boost::beast::error_code ec, size_t bytes);
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void OnReadError(boost::beast::error_code ec);
  void HandleRequest();
  // Sends `response` (recording it under `route`); closes afterwards unless keep_alive.
  void Send(Response response, size_t route, bool keep_alive);
  void SendError(ErrorCode code, int status, std::string_view message, size_t route);
  void OnWrite(bool keep_alive, boost::beast::error_code ec);
  // Half-closes, discards what the client still sends (so that it reads our final response
  // instead of a reset), then closes.
  void CloseGracefully();
  void Drain();
  void Close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  ServerState& state_;
  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  bool shutdown_requested_ = false;
  Clock::time_point request_start_;  // when the current request's first byte was read
  Clock::time_point deadline_;       // by when the current request must be fully read
};

}  // namespace fastbreak::http::detail
