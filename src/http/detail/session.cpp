#include "http/detail/session.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "core/log.hpp"
#include "http/detail/asio.hpp"

namespace fastbreak::http::detail {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Bytes asked for while waiting for a request to start.
constexpr size_t kFirstReadBytes = 4096;
// How long a closing connection keeps reading (and discarding) what the client still sends.
constexpr std::chrono::milliseconds kLingerTimeout(1000);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view ToBeast(std::string_view s) { return {s.data(), s.size()}; }

class FieldsHeaderMap final : public HeaderMap {
 public:
  explicit FieldsHeaderMap(const bhttp::fields& fields) : fields_(fields) {}
  std::string_view Get(std::string_view name) const override {
    auto it = fields_.find(ToBeast(name));
    return it == fields_.end() ? std::string_view() : ToStd(it->value());
  }

 private:
  const bhttp::fields& fields_;
};

bool IsHttpProtocolError(const beast::error_code& ec) {
  static const auto& category = bhttp::make_error_code(bhttp::error::bad_method).category();
  return ec.category() == category && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

// Splits "/path?query" into its parts.
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

}  // namespace

Session::Session(tcp::socket socket, ServerState& state)
    : stream_(std::move(socket)), state_(state) {}

Session::~Session() { state_.connections.Remove(this); }

void Session::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
}

void Session::Shutdown() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->shutdown_requested_ = true;
    // Cancelling the idle read (or the drain) ends the session; a request being read or
    // answered is left to finish and sees shutdown_requested_ afterwards.
    if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kClosing) self->stream_.cancel();
  });
}

void Session::WaitForRequest() {
  if (shutdown_requested_) {
    Close();
    return;
  }
  phase_ = Phase::kIdle;
  const ServerOptions& options = state_.options;
  parser_.emplace();
  parser_->body_limit(options.body_limit_bytes);
  parser_->header_limit(static_cast<uint32_t>(
      std::min<size_t>(options.header_limit_bytes, std::numeric_limits<uint32_t>::max())));
  if (buffer_.size() > 0) {  // a pipelined request is already here
    ReadHeader();
    return;
  }
  // The first request must arrive within the request timeout of the connect; later ones
  // within the keep-alive timeout of the previous response.
  const auto now = Clock::now();
  if (first_request_) deadline_ = now + std::chrono::milliseconds(options.request_timeout_ms);
  stream_.expires_at(
      first_request_ ? deadline_ : now + std::chrono::milliseconds(options.keep_alive_timeout_ms));
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                            self->OnFirstBytes(ec, bytes);
                          });
}

void Session::OnFirstBytes(beast::error_code ec, size_t bytes) {
  if (ec) {  // closed by the client, idle timeout, or cancelled by Shutdown
    Close();
    return;
  }
  buffer_.commit(bytes);
  ReadHeader();
}

void Session::ReadHeader() {
  phase_ = Phase::kReading;
  request_start_ = Clock::now();
  if (!first_request_) {
    deadline_ = request_start_ + std::chrono::milliseconds(state_.options.request_timeout_ms);
  }
  stream_.expires_at(deadline_);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  if (ec) {
    OnReadError(ec);
    return;
  }
  if (parser_->is_done()) {
    HandleRequest();
    return;
  }
  if (beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code write_ec, size_t) {
                       if (write_ec) {
                         self->Close();
                       } else {
                         self->ReadBody();
                       }
                     });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (ec) {
                        self->OnReadError(ec);
                      } else {
                        self->HandleRequest();
                      }
                    });
}

void Session::OnReadError(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) {
    // The request line is parsed by now, so the rejection is counted under its route.
    const auto [path, query] = SplitTarget(ToStd(parser_->get().target()));
    const auto route = state_.router.Find(ToStd(parser_->get().method_string()), path).route;
    SendError(ErrorCode::kPayloadTooLarge, 413,
              "request body exceeds " + std::to_string(state_.options.body_limit_bytes) + " bytes",
              state_.metrics.RouteIndex(route));
  } else if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    SendError(ErrorCode::kPayloadTooLarge, 431,
              "request header fields exceed " + std::to_string(state_.options.header_limit_bytes) +
                  " bytes",
              state_.metrics.invalid_route());
  } else if (IsHttpProtocolError(ec)) {
    SendError(ErrorCode::kInvalidRequest, 400, "malformed HTTP request: " + ec.message(),
              state_.metrics.invalid_route());
  } else {
    // The client went away or was too slow (the stream closed the socket on expiry).
    Close();
  }
}

void Session::HandleRequest() {
  phase_ = Phase::kResponding;
  const auto& message = parser_->get();
  const FieldsHeaderMap headers(message);
  const auto [path, query] = SplitTarget(ToStd(message.target()));
  Request request;
  request.method = ToStd(message.method_string());
  request.target = path;
  request.query = query;
  request.body = message.body();
  request.headers = &headers;
  size_t route = Router::kNoRoute;
  Response response = state_.router.Dispatch(request, &route);
  Send(std::move(response), state_.metrics.RouteIndex(route), message.keep_alive());
}

void Session::SendError(ErrorCode code, int status, std::string_view message, size_t route) {
  Response response = ErrorResponse(code, message);
  response.status = status;
  Send(std::move(response), route, /*keep_alive=*/false);
}

void Session::Send(Response response, size_t route, bool keep_alive) {
  phase_ = Phase::kResponding;
  if (response.status < 200 || response.status > 599) {
    spdlog::error("http: handler returned invalid status {}", response.status);
    response = ErrorResponse(ErrorCode::kInternal, "internal error");
  } else if (response.status == 204 || response.status == 304) {
    response.body.clear();  // these carry no body (and Beast refuses to frame one)
  }
  keep_alive = keep_alive && !shutdown_requested_;
  // Recorded before the write, so a client that has read the response sees it counted.
  state_.metrics.RecordRequest(route, response.status, Clock::now() - request_start_);

  const unsigned version = parser_ ? parser_->get().version() : 11;
  response_ = {};
  response_.version(version == 10 ? 10 : 11);
  response_.result(static_cast<unsigned>(response.status));
  response_.set(bhttp::field::server, "fastbreak");
  if (!response.content_type.empty()) {
    response_.set(bhttp::field::content_type, ToBeast(response.content_type));
  }
  for (const auto& [name, value] : response.headers) {
    response_.insert(ToBeast(name), ToBeast(value));
  }
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive);
  response_.prepare_payload();

  stream_.expires_after(std::chrono::milliseconds(state_.options.request_timeout_ms));
  bhttp::async_write(stream_, response_,
                     [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                       self->OnWrite(keep_alive, ec);
                     });
}

void Session::OnWrite(bool keep_alive, beast::error_code ec) {
  response_ = {};  // release the body now rather than at the next response
  if (ec) {
    Close();
    return;
  }
  first_request_ = false;
  if (keep_alive) {
    WaitForRequest();
  } else {
    CloseGracefully();
  }
}

void Session::CloseGracefully() {
  phase_ = Phase::kClosing;
  if (shutdown_requested_) {
    Close();
    return;
  }
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);
  buffer_.clear();
  Drain();
}

void Session::Drain() {
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) {  // the client's EOF, the linger timeout, or Shutdown
                              self->Close();
                            } else {
                              self->Drain();  // nothing was committed: reuse the space
                            }
                          });
}

void Session::Close() {
  phase_ = Phase::kClosing;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace fastbreak::http::detail
