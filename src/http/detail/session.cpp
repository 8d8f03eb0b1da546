#include "http/detail/session.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <sstream>
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
// While an answer is pending or streaming, bytes of a pipelined next request are kept up to
// this size; past it the session stops reading (a disconnect is then noticed at the next write).
constexpr size_t kWatchBufferLimit = 64 * 1024;
// Most chunks of a stream written with one gather write.
constexpr size_t kMaxChunksPerWrite = 64;

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

Session::Session(Socket socket, ServerState& state)
    : stream_(std::move(socket)), state_(state), answer_timer_(stream_.get_executor()) {}

Session::~Session() {
  if (link_) link_->Detach();
  AbortWriter();
  if (stream_open_) state_.metrics.StreamClosed();
  state_.connections.Remove(this);
}

void Session::Start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
}

void Session::Shutdown() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->shutdown_requested_ = true;
    // Cancelling the idle read (or the drain) ends the session; an open stream is ended; a
    // request being read or answered is left to finish and sees shutdown_requested_ afterwards.
    if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kClosing) {
      self->stream_.cancel();
    } else if (self->phase_ == Phase::kStreaming && !self->end_queued_) {
      self->AbortWriter();
      self->EndStream();
    }
  });
}

void Session::Abandon() {
  if (link_) link_->Detach();
  AbortWriter();
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
  version_ = message.version() == 10 ? 10 : 11;
  keep_alive_ = message.keep_alive();
  const FieldsHeaderMap headers(message);
  const auto [path, query] = SplitTarget(ToStd(message.target()));
  Request request;
  request.method = ToStd(message.method_string());
  request.target = path;
  request.query = query;
  request.body = message.body();
  request.headers = &headers;
  const Router::Match match = state_.router.Find(request.method, request.target);
  route_ = state_.metrics.RouteIndex(match.route);
  if (match.async_handler != nullptr) {
    StartAsync(match, request);
    return;
  }
  Send(state_.router.Call(match, request), route_, keep_alive_);
}

void Session::StartAsync(const Router::Match& match, const Request& request) {
  if (!link_) link_ = std::make_shared<SessionLink>(weak_from_this(), stream_.get_executor());
  const uint64_t id = ++request_id_;
  auto writer = std::make_shared<SessionWriter>(link_, id);
  writer_ = writer;
  phase_ = Phase::kAwaiting;
  answer_timer_.expires_after(std::chrono::milliseconds(state_.options.request_timeout_ms));
  answer_timer_.async_wait([self = shared_from_this(), id](beast::error_code ec) {
    if (!ec) self->OnAnswerTimeout(id);
  });
  stream_.expires_never();  // the watch read has no deadline; the answer timer bounds the wait
  Watch();
  state_.router.CallAsync(match, request, std::move(writer));
  parser_.reset();  // the request's views are dead now; release its body
}

void Session::OnAnswerTimeout(uint64_t id) {
  if (id != request_id_ || phase_ != Phase::kAwaiting) return;
  const std::shared_ptr<SessionWriter> writer = writer_.lock();
  // A destroyed writer has posted its 500, a refused TimeOut its answer: both are on the way.
  if (!writer || !writer->TimeOut()) return;
  writer_.reset();
  Send(ErrorResponse(
           ErrorCode::kTimeout,
           "no response within " + std::to_string(state_.options.request_timeout_ms) + " ms"),
       route_, keep_alive_);
}

void Session::OnAsyncResponse(uint64_t id, Response response) {
  if (id != request_id_ || phase_ != Phase::kAwaiting) return;
  answer_timer_.cancel();
  Send(std::move(response), route_, keep_alive_);
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

  const unsigned version = parser_ ? parser_->get().version() : version_;
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
    AbortWriter();
    Close();
    return;
  }
  if (const auto writer = writer_.lock()) writer->Complete();
  writer_.reset();
  first_request_ = false;
  FinishResponse(keep_alive);
}

void Session::FinishResponse(bool keep_alive) {
  if (watching_) {
    // OnWatch continues once the read is cancelled (or has completed).
    after_watch_ = keep_alive ? AfterWatch::kNextRequest : AfterWatch::kClose;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
    return;
  }
  if (keep_alive) {
    WaitForRequest();
  } else {
    CloseGracefully();
  }
}

void Session::Watch() {
  if (watching_ || buffer_.size() >= kWatchBufferLimit) return;
  watching_ = true;
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                            self->OnWatch(ec, bytes);
                          });
}

void Session::OnWatch(beast::error_code ec, size_t bytes) {
  watching_ = false;
  buffer_.commit(bytes);  // the start of a pipelined request, kept for later
  if (after_watch_ != AfterWatch::kNone) {
    if (std::exchange(after_watch_, AfterWatch::kNone) == AfterWatch::kNextRequest) {
      WaitForRequest();
    } else {
      CloseGracefully();
    }
    return;
  }
  if (phase_ != Phase::kAwaiting && phase_ != Phase::kStreaming) return;
  if (ec) {  // EOF, reset, or the socket closed by a write timeout
    AbortResponse();
    return;
  }
  Watch();
}

void Session::AbortResponse() {
  if (phase_ == Phase::kAwaiting) {
    answer_timer_.cancel();
    // Counted as a request the client cancelled (499).
    state_.metrics.RecordRequest(route_, HttpStatus(ErrorCode::kCancelled),
                                 Clock::now() - request_start_);
  }
  AbortWriter();
  Close();
}

void Session::AbortWriter() {
  if (const auto writer = writer_.lock()) writer->Abort();
  writer_.reset();
}

void Session::OnStreamStart(uint64_t id, int status, std::string content_type,
                            std::vector<std::pair<std::string, std::string>> headers) {
  if (id != request_id_ || phase_ != Phase::kAwaiting) return;
  answer_timer_.cancel();
  phase_ = Phase::kStreaming;
  chunked_ = version_ == 11;
  end_queued_ = false;
  stream_open_ = true;
  state_.metrics.StreamOpened();
  // A stream is counted when it starts: its status, and the time until its header was ready.
  state_.metrics.RecordRequest(route_, status, Clock::now() - request_start_);

  bhttp::response<bhttp::empty_body> header;
  header.version(version_);
  header.result(static_cast<unsigned>(status));
  header.set(bhttp::field::server, "fastbreak");
  if (!content_type.empty()) header.set(bhttp::field::content_type, ToBeast(content_type));
  for (const auto& [name, value] : headers) header.insert(ToBeast(name), ToBeast(value));
  if (chunked_) header.chunked(true);
  header.keep_alive(chunked_ && keep_alive_ && !shutdown_requested_);
  std::ostringstream text;
  text << header.base();
  OutChunk chunk;
  chunk.head = std::move(text).str();
  out_.push_back(std::move(chunk));
  if (shutdown_requested_) {  // started during Stop: sent, then closed at once
    AbortWriter();
    EndStream();
    return;
  }
  PumpStream();
}

void Session::OnStreamData(uint64_t id, std::string chunk) {
  if (id != request_id_ || phase_ != Phase::kStreaming || end_queued_) return;
  OutChunk out;
  out.accounted = chunk.size();
  if (chunked_) {
    out.head = fmt::format("{:x}\r\n", chunk.size());
    out.tail = "\r\n";
  }
  out.body = std::move(chunk);
  out_.push_back(std::move(out));
  PumpStream();
}

void Session::OnStreamEnd(uint64_t id) {
  if (id != request_id_ || phase_ != Phase::kStreaming || end_queued_) return;
  EndStream();
}

void Session::OnStreamOverflow(uint64_t id) {
  if (id != request_id_ || phase_ != Phase::kStreaming) return;
  spdlog::warn("http: closing a stream whose client does not keep up (over {} bytes queued)",
               ResponseWriter::kMaxQueuedBytes);
  AbortResponse();
}

void Session::EndStream() {
  end_queued_ = true;
  if (chunked_) {
    OutChunk last;
    last.head = "0\r\n\r\n";
    out_.push_back(std::move(last));
  }
  PumpStream();
}

void Session::PumpStream() {
  if (in_flight_ > 0 || phase_ != Phase::kStreaming) return;
  if (out_.empty()) {
    if (end_queued_) FinishStream();
    return;
  }
  write_buffers_.clear();
  for (const OutChunk& chunk : out_) {
    if (in_flight_ == kMaxChunksPerWrite) break;
    ++in_flight_;
    for (std::string_view part :
         {std::string_view(chunk.head), std::string_view(chunk.body), chunk.tail}) {
      if (!part.empty()) write_buffers_.emplace_back(part.data(), part.size());
    }
  }
  // Each write must be taken by the client within the request timeout.
  stream_.expires_after(std::chrono::milliseconds(state_.options.request_timeout_ms));
  net::async_write(
      stream_, write_buffers_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnStreamWrite(ec); });
}

void Session::OnStreamWrite(beast::error_code ec) {
  size_t sent = 0;
  for (; in_flight_ > 0; --in_flight_) {
    sent += out_.front().accounted;
    out_.pop_front();
  }
  if (phase_ != Phase::kStreaming) return;  // closed meanwhile
  if (ec) {
    AbortResponse();
    return;
  }
  if (sent > 0) {
    if (const auto writer = writer_.lock()) writer->Sent(sent);
  }
  PumpStream();
}

void Session::FinishStream() {
  stream_open_ = false;
  state_.metrics.StreamClosed();
  if (const auto writer = writer_.lock()) writer->Complete();
  writer_.reset();
  phase_ = Phase::kResponding;
  first_request_ = false;
  FinishResponse(chunked_ && keep_alive_ && !shutdown_requested_);
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
  answer_timer_.cancel();
  if (stream_open_) {
    stream_open_ = false;
    state_.metrics.StreamClosed();
  }
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace fastbreak::http::detail
