#include "http/detail/listener.hpp"

#include <chrono>
#include <future>
#include <utility>

#include "core/log.hpp"
#include "http/detail/asio.hpp"
#include "http/detail/session.hpp"

namespace fastbreak::http::detail {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Pause after a failed accept (out of file descriptors, ...) so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay(50);

}  // namespace

Listener::Listener(net::io_context& io, ServerState& state)
    : io_(io),
      strand_(net::make_strand(io)),
      acceptor_(strand_),
      retry_timer_(strand_),
      state_(state) {}

Result<std::shared_ptr<Listener>> Listener::Open(net::io_context& io, const tcp::endpoint& endpoint,
                                                 std::string_view display_address,
                                                 ServerState& state) {
  auto listener = std::make_shared<Listener>(io, state);
  tcp::acceptor& acceptor = listener->acceptor_;
  boost::system::error_code ec;
  auto failed = [&](std::string_view step) {
    return MakeError(ErrorCode::kConnection, "cannot listen on {}: {} ({})", display_address,
                     ec.message(), step);
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return failed("open");
  // Lets a restarted server bind while old connections sit in TIME_WAIT. On Linux it does not
  // allow two listeners on one port, so "port in use" is still detected.
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) {
    return failed("setsockopt");
  }
  if (acceptor.bind(endpoint, ec); ec) return failed("bind");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return failed("listen");
  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  if (ec) return failed("getsockname");
  listener->port_ = bound.port();
  return listener;
}

void Listener::Start() {
  net::dispatch(strand_, [self = shared_from_this()] { self->Accept(); });
}

void Listener::Stop() {
  std::promise<void> closed;
  net::dispatch(strand_, [self = shared_from_this(), &closed] {
    self->stopped_ = true;
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
}

void Listener::Accept() {
  if (stopped_) return;
  // Each connection gets its own strand, so its handlers never run concurrently.
  acceptor_.async_accept(Strand(net::make_strand(io_)),
                         [self = shared_from_this()](boost::system::error_code ec, Socket socket) {
                           self->OnAccept(ec, std::move(socket));
                         });
}

void Listener::OnAccept(boost::system::error_code ec, Socket socket) {
  if (stopped_ || ec == net::error::operation_aborted) return;
  if (ec) {
    spdlog::warn("http: accept failed: {}", ec.message());
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->Accept();
    });
    return;
  }
  // Responses are written whole, so Nagle's algorithm only delays the last segment of a
  // multi-segment response until the client's (delayed) ACK: up to 40 ms per response.
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<Session>(std::move(socket), state_);
  switch (state_.connections.Add(session)) {
    case ConnectionTracker::AddResult::kAdded:
      session->Start();
      break;
    case ConnectionTracker::AddResult::kFull:
      // Dropping the session closes the socket: the cheapest possible refusal.
      state_.metrics.ConnectionRejected();
      break;
    case ConnectionTracker::AddResult::kClosed:
      return;  // the server is stopping
  }
  Accept();
}

}  // namespace fastbreak::http::detail
