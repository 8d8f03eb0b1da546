#include "mcp/http_transport.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nba/json_parse.hpp"

namespace fastbreak::mcp {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kShards = 16;
constexpr std::string_view kSessionHeader = "Mcp-Session-Id";

// An HTTP error whose body is a JSON-RPC error without an id, as MCP clients expect.
http::Response HttpError(int status, int code, std::string_view message) {
  http::Response response;
  response.status = status;
  response.body = ErrorResponse(nullptr, code, message);
  return response;
}

std::string SseEvent(std::string_view message) {
  std::string event;
  event.reserve(message.size() + 24);
  event += "event: message\ndata: ";
  event += message;
  event += "\n\n";
  return event;
}

bool ContainsToken(std::string_view header, std::string_view token) {
  return header.find(token) != std::string_view::npos;
}

std::string NewSessionId() {
  static thread_local std::random_device device;
  std::array<uint32_t, 4> words{};
  for (auto& word : words) word = device();
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", words[0], words[1], words[2], words[3]);
}

struct AllowedOrigin {
  std::string prefix;  // "http://localhost" (any port) or a full origin
  bool any_port = false;
};

std::vector<AllowedOrigin> ParseOrigins(std::string_view list) {
  std::vector<AllowedOrigin> origins;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    AllowedOrigin origin;
    if (item.ends_with(":*")) {
      origin.any_port = true;
      item.remove_suffix(2);
    }
    origin.prefix = std::string(item);
    origins.push_back(std::move(origin));
  }
  return origins;
}

}  // namespace

// One HTTP MCP session: the protocol session and its GET stream.
struct HttpSession {
  std::shared_ptr<Session> mcp;
  std::mutex mutex;
  std::shared_ptr<http::ResponseWriter> stream;  // the open GET stream; guarded by mutex
  SteadyClock::time_point next_keep_alive{};     // guarded by mutex
};

struct HttpTransport::State : std::enable_shared_from_this<HttpTransport::State> {
  State(McpServer& mcp_server, HttpTransportOptions transport_options,
        telemetry::MetricsRegistry& metrics)
      : server(mcp_server),
        options(std::move(transport_options)),
        origins(ParseOrigins(options.allowed_origins)),
        sessions_gauge(metrics.GetGauge("fastbreak_mcp_sessions", "Open MCP HTTP sessions")),
        expired(metrics.GetCounter("fastbreak_mcp_sessions_expired_total",
                                   "MCP HTTP sessions ended for being idle")),
        rejected(metrics.GetCounter("fastbreak_mcp_http_rejected_total",
                                    "MCP HTTP requests refused before reaching the protocol "
                                    "(origin, headers, session)")) {}

  McpServer& server;
  const HttpTransportOptions options;
  const std::vector<AllowedOrigin> origins;
  telemetry::Gauge& sessions_gauge;
  telemetry::Counter& expired;
  telemetry::Counter& rejected;

  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<HttpSession>> sessions;
  };
  std::array<Shard, kShards> shards;
  std::atomic<size_t> count{0};

  std::mutex sweeper_mutex;
  std::condition_variable sweeper_wake;
  bool stopping = false;  // guarded by sweeper_mutex
  std::thread sweeper;

  Shard& ShardFor(std::string_view id) {
    return shards[std::hash<std::string_view>()(id) % kShards];
  }

  bool OriginAllowed(std::string_view origin) const {
    if (origin.empty()) return true;
    for (const auto& allowed : origins) {
      if (!allowed.any_port) {
        if (origin == allowed.prefix) return true;
        continue;
      }
      if (!origin.starts_with(allowed.prefix)) continue;
      const std::string_view rest = origin.substr(allowed.prefix.size());
      if (rest.empty()) return true;
      if (rest.front() != ':' || rest.size() < 2) continue;
      if (rest.substr(1).find_first_not_of("0123456789") == std::string_view::npos) return true;
    }
    return false;
  }

  std::shared_ptr<HttpSession> Find(std::string_view id) {
    Shard& shard = ShardFor(id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.sessions.find(std::string(id));
    return it == shard.sessions.end() ? nullptr : it->second;
  }

  std::shared_ptr<HttpSession> Create() {
    auto session = std::make_shared<HttpSession>();
    session->mcp = std::make_shared<Session>(NewSessionId(), "http");
    Shard& shard = ShardFor(session->mcp->id());
    {
      std::lock_guard lock(shard.mutex);
      shard.sessions.emplace(session->mcp->id(), session);
    }
    sessions_gauge.Set(static_cast<double>(++count));
    return session;
  }

  // Removes the session; its requests are cancelled and its stream ended.
  bool End(std::string_view id) {
    std::shared_ptr<HttpSession> session;
    {
      Shard& shard = ShardFor(id);
      std::lock_guard lock(shard.mutex);
      auto it = shard.sessions.find(std::string(id));
      if (it == shard.sessions.end()) return false;
      session = std::move(it->second);
      shard.sessions.erase(it);
    }
    sessions_gauge.Set(static_cast<double>(--count));
    session->mcp->SetUnsolicitedSink(nullptr);
    session->mcp->CancelAll();
    std::shared_ptr<http::ResponseWriter> stream;
    {
      std::lock_guard lock(session->mutex);
      stream = std::move(session->stream);
    }
    if (stream) stream->End();
    return true;
  }

  // Ends idle sessions; keeps open GET streams (and their sessions) alive.
  void Sweep() {
    const auto now = SteadyClock::now();
    std::vector<std::string> idle;
    std::vector<std::shared_ptr<http::ResponseWriter>> keep_alive;
    for (auto& shard : shards) {
      std::lock_guard lock(shard.mutex);
      for (auto& [id, session] : shard.sessions) {
        std::lock_guard session_lock(session->mutex);
        if (session->stream && !session->stream->closed()) {
          session->mcp->Touch();
          if (now >= session->next_keep_alive) {
            session->next_keep_alive = now + options.keep_alive_interval;
            keep_alive.push_back(session->stream);
          }
          continue;
        }
        if (now - session->mcp->last_used() >= options.session_idle_timeout) idle.push_back(id);
      }
    }
    // Written outside the locks: a write may close the stream and run its OnClose.
    for (const auto& stream : keep_alive) stream->Write(": keep-alive\n\n");
    for (const auto& id : idle) {
      if (End(id)) expired.Increment();
    }
  }

  void SweeperLoop() {
    const auto interval = std::clamp<std::chrono::milliseconds>(options.session_idle_timeout / 4,
                                                                std::chrono::milliseconds(20),
                                                                std::chrono::milliseconds(5000));
    std::unique_lock lock(sweeper_mutex);
    while (!stopping) {
      sweeper_wake.wait_for(lock, interval);
      if (stopping) break;
      lock.unlock();
      Sweep();
      lock.lock();
    }
  }

  // Common checks of every /mcp request; a refusal answers on `writer` and returns false.
  bool Admit(const http::Request& request, http::ResponseWriter& writer) {
    const std::string_view origin = request.Header("Origin");
    if (!OriginAllowed(origin)) {
      rejected.Increment();
      writer.Respond(
          HttpError(403, -32600,
                    fmt::format("Forbidden: Origin '{}' is not allowed", origin.substr(0, 200))));
      return false;
    }
    const std::string_view version = request.Header("MCP-Protocol-Version");
    if (!version.empty() && !IsSupportedVersion(version)) {
      rejected.Increment();
      writer.Respond(
          HttpError(400, -32600,
                    fmt::format("Bad Request: unsupported MCP-Protocol-Version '{}'; supported: "
                                "2025-11-25, 2025-06-18, 2025-03-26",
                                version.substr(0, 40))));
      return false;
    }
    return true;
  }

  // The session named by the request's Mcp-Session-Id; answers 400/404 and returns null.
  std::shared_ptr<HttpSession> RequireSession(const http::Request& request,
                                              http::ResponseWriter& writer) {
    const std::string_view id = request.Header(kSessionHeader);
    if (id.empty()) {
      rejected.Increment();
      writer.Respond(HttpError(400, -32600,
                               "Bad Request: Mcp-Session-Id header is required (send initialize "
                               "first to get one)"));
      return nullptr;
    }
    auto session = Find(id);
    if (!session) {
      rejected.Increment();
      writer.Respond(
          HttpError(404, -32001, "Session not found: it ended or expired; initialize a new one"));
    }
    return session;
  }

  void Post(const http::Request& request, std::shared_ptr<http::ResponseWriter> writer);
  void Get(const http::Request& request, std::shared_ptr<http::ResponseWriter> writer);
  void Delete(const http::Request& request, std::shared_ptr<http::ResponseWriter> writer);
};

namespace {

// Answers one POST: JSON when the response comes alone, SSE when notifications come first.
class HttpOutbound final : public Outbound {
 public:
  HttpOutbound(std::shared_ptr<http::ResponseWriter> writer, std::shared_ptr<Session> session,
               bool accepts_sse)
      : writer_(std::move(writer)), session_(std::move(session)), accepts_sse_(accepts_sse) {}

  void Notify(std::string message) override {
    std::lock_guard lock(mutex_);
    if (done_ || !accepts_sse_) return;
    if (!streaming_) {
      streaming_ = writer_->StartStream(
          200, "text/event-stream",
          {{std::string(kSessionHeader), session_->id()}, {"Cache-Control", "no-cache"}});
      if (!streaming_) return;
    }
    writer_->Write(SseEvent(message));
  }

  void Finish(std::optional<std::string> response) override {
    std::lock_guard lock(mutex_);
    if (done_) return;
    done_ = true;
    if (streaming_) {
      if (response) writer_->Write(SseEvent(*response));
      writer_->End();
      return;
    }
    http::Response http_response;
    // A refused initialize leaves the session uninitialized (and about to end): no id for it.
    if (session_->initialized()) {
      http_response.headers.emplace_back(std::string(kSessionHeader), session_->id());
    }
    if (response) {
      http_response.body = std::move(*response);
    } else {
      http_response.status = 202;
      http_response.content_type.clear();
    }
    writer_->Respond(std::move(http_response));
  }

 private:
  const std::shared_ptr<http::ResponseWriter> writer_;
  const std::shared_ptr<Session> session_;
  const bool accepts_sse_;
  std::mutex mutex_;
  bool streaming_ = false;  // guarded by mutex_
  bool done_ = false;       // guarded by mutex_
};

// Ids of the requests in a body, to cancel them when the client goes away.
std::vector<Json> RequestIds(const Json& message) {
  std::vector<Json> ids;
  auto add = [&ids](const Json& item) {
    if (item.is_object() && item.contains("method") && item.contains("id")) {
      ids.push_back(item["id"]);
    }
  };
  if (message.is_array()) {
    for (const auto& item : message) add(item);
  } else {
    add(message);
  }
  return ids;
}

}  // namespace

void HttpTransport::State::Post(const http::Request& request,
                                std::shared_ptr<http::ResponseWriter> writer) {
  if (!Admit(request, *writer)) return;
  if (!ContainsToken(request.Header("Content-Type"), "application/json")) {
    rejected.Increment();
    writer->Respond(HttpError(415, -32600,
                              "Unsupported Media Type: POST /mcp takes Content-Type: "
                              "application/json"));
    return;
  }
  const std::string_view accept = request.Header("Accept");
  if (!accept.empty() && !ContainsToken(accept, "application/json") &&
      !ContainsToken(accept, "text/event-stream") && !ContainsToken(accept, "*/*")) {
    rejected.Increment();
    writer->Respond(
        HttpError(406, -32600, "Not Acceptable: accept application/json and text/event-stream"));
    return;
  }
  auto parsed = nba::ParseJson(request.body);
  if (!parsed) {
    writer->Respond(HttpError(400, -32700, fmt::format("Parse error: {}", parsed.error().message)));
    return;
  }
  const Json message = std::move(*parsed);
  const bool initialize =
      message.is_object() && message.contains("method") && message["method"] == "initialize";
  std::shared_ptr<HttpSession> session;
  if (initialize) {
    if (count.load() >= options.max_sessions) Sweep();
    if (count.load() >= options.max_sessions) {
      writer->Respond(
          HttpError(503, -32000, "Service Unavailable: too many MCP sessions; retry later"));
      return;
    }
    session = Create();
  } else {
    session = RequireSession(request, *writer);
    if (!session) return;
  }
  const std::vector<Json> ids = RequestIds(message);
  if (!ids.empty()) {
    writer->OnClose([weak = std::weak_ptr<Session>(session->mcp), ids] {
      if (auto mcp = weak.lock()) {
        for (const auto& id : ids) mcp->Cancel(id);
      }
    });
  }
  auto out = std::make_shared<HttpOutbound>(writer, session->mcp,
                                            ContainsToken(accept, "text/event-stream"));
  server.HandleParsed(session->mcp, message, out);
  if (initialize && !session->mcp->initialized()) End(session->mcp->id());  // it was refused
}

void HttpTransport::State::Get(const http::Request& request,
                               std::shared_ptr<http::ResponseWriter> writer) {
  if (!Admit(request, *writer)) return;
  if (!ContainsToken(request.Header("Accept"), "text/event-stream")) {
    rejected.Increment();
    writer->Respond(HttpError(406, -32600,
                              "Not Acceptable: GET /mcp opens an event stream; send Accept: "
                              "text/event-stream"));
    return;
  }
  auto session = RequireSession(request, *writer);
  if (!session) return;
  if (!writer->StartStream(
          200, "text/event-stream",
          {{std::string(kSessionHeader), session->mcp->id()}, {"Cache-Control", "no-cache"}})) {
    return;
  }
  std::shared_ptr<http::ResponseWriter> previous;
  {
    std::lock_guard lock(session->mutex);
    previous = std::exchange(session->stream, writer);
    session->next_keep_alive = SteadyClock::now() + options.keep_alive_interval;
  }
  if (previous) previous->End();  // one server-to-client stream per session: the newest
  std::weak_ptr<http::ResponseWriter> weak_writer = writer;
  session->mcp->SetUnsolicitedSink([weak_writer](const std::string& message) {
    auto stream = weak_writer.lock();
    return stream && stream->Write(SseEvent(message));
  });
  writer->OnClose([weak_session = std::weak_ptr<HttpSession>(session), weak_writer] {
    auto owner = weak_session.lock();
    if (!owner) return;
    std::lock_guard lock(owner->mutex);
    if (owner->stream == weak_writer.lock()) owner->stream.reset();
  });
}

void HttpTransport::State::Delete(const http::Request& request,
                                  std::shared_ptr<http::ResponseWriter> writer) {
  if (!Admit(request, *writer)) return;
  auto session = RequireSession(request, *writer);
  if (!session) return;
  End(session->mcp->id());
  http::Response response;
  response.status = 204;
  response.content_type.clear();
  writer->Respond(std::move(response));
}

HttpTransport::HttpTransport(McpServer& server, HttpTransportOptions options,
                             telemetry::MetricsRegistry& metrics)
    : state_(std::make_shared<State>(server, std::move(options), metrics)) {
  state_->sweeper = std::thread([state = state_.get()] { state->SweeperLoop(); });
}

HttpTransport::~HttpTransport() {
  {
    std::lock_guard lock(state_->sweeper_mutex);
    state_->stopping = true;
  }
  state_->sweeper_wake.notify_all();
  state_->sweeper.join();
  std::vector<std::string> ids;
  for (auto& shard : state_->shards) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [id, session] : shard.sessions) ids.push_back(id);
  }
  for (const auto& id : ids) state_->End(id);
}

void HttpTransport::AddRoutes(http::Router& router) {
  const std::string& path = state_->options.path;
  std::weak_ptr<State> weak = state_;
  router.AddAsync("POST", path, [weak](const http::Request& request, auto writer) {
    if (auto state = weak.lock()) state->Post(request, std::move(writer));
  });
  router.AddAsync("GET", path, [weak](const http::Request& request, auto writer) {
    if (auto state = weak.lock()) state->Get(request, std::move(writer));
  });
  router.AddAsync("DELETE", path, [weak](const http::Request& request, auto writer) {
    if (auto state = weak.lock()) state->Delete(request, std::move(writer));
  });
}

size_t HttpTransport::session_count() const { return state_->count.load(); }

}  // namespace fastbreak::mcp
