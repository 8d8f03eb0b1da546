// The listening socket: accepts connections and hands each to a new Session.
#pragma once

#include <memory>
#include <string_view>

#include "core/error.hpp"
#include "http/detail/asio.hpp"
#include "http/detail/server_state.hpp"

namespace fastbreak::http::detail {

// Owned by the server and by its pending accept. Accepting runs on the listener's strand.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Opens and binds `endpoint` and starts listening (no accept yet).
  // REQUIRES: `state` outlives the io_context. Errors: kConnection naming `display_address`.
  static Result<std::shared_ptr<Listener>> Open(boost::asio::io_context& io,
                                                const boost::asio::ip::tcp::endpoint& endpoint,
                                                std::string_view display_address,
                                                ServerState& state);

  Listener(boost::asio::io_context& io, ServerState& state);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The bound port.
  int port() const { return port_; }
  // Starts accepting. Call once.
  void Start();
  // Closes the listening socket and returns once it is closed; connections accepted before
  // that are registered with the tracker, later ones are refused. Idempotent.
  // REQUIRES: the io_context is running, and the caller is not one of its threads.
  void Stop();

 private:
  void Accept();
  void OnAccept(boost::system::error_code ec, Socket socket);

  boost::asio::io_context& io_;
  Strand strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // backs off after accept errors (e.g. EMFILE)
  ServerState& state_;
  int port_ = 0;
  bool stopped_ = false;  // on the strand
};

}  // namespace fastbreak::http::detail
