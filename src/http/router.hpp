// Requests, responses and the router that maps (method, path) to a handler. Transport-neutral:
// no Boost types here, so handlers and their tests need only this header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace fastbreak::http {

// Read access to a request's header fields. The server supplies one backed by the parsed
// request; handler tests may supply their own.
class HeaderMap {
 public:
  virtual ~HeaderMap() = default;
  // The value of the first field named `name` (case-insensitive), or "" when absent.
  virtual std::string_view Get(std::string_view name) const = 0;
};

// One HTTP request as a handler sees it. Every view points into the connection's buffers and
// is valid only for the duration of the handler call: copy what must outlive it.
struct Request {
  std::string_view method;  // "GET", "POST", ... (case-sensitive, as sent)
  std::string_view target;  // the path, without the query: "/api/players"; not percent-decoded
  std::string_view query;   // the part after '?', without it; "" when none
  std::string_view body;
  const HeaderMap* headers = nullptr;  // may be null (no headers)

  std::string_view Header(std::string_view name) const {
    return headers == nullptr ? std::string_view() : headers->Get(name);
  }
};

// One complete HTTP response. The server adds Content-Length, Connection and Server.
struct Response {
  // 200..599; anything else is answered as 500. 204 and 304 are sent without a body.
  int status = 200;
  std::string content_type = "application/json";  // "" sends no Content-Type
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields, sent as given
};

// {"error":{"code":"<ErrorCodeName(code)>","message":"..."}} with status HttpStatus(code).
Response ErrorResponse(ErrorCode code, std::string_view message);
inline Response ErrorResponse(const Error& error) {
  return ErrorResponse(error.code, error.message);
}

// The way an asynchronous handler answers: exactly one of Respond or StartStream takes effect,
// later calls return false.
//
// Thread safety: every method may be called from any thread, during or after the handler call.
// The writer may outlive the connection and the server; it then refuses everything.
//
// Timeout: a request answered through a writer must be answered (Respond or StartStream) within
// ServerOptions::request_timeout_ms of the handler call, else the server sends
// ErrorResponse(ErrorCode::kTimeout, ...) (504), runs OnClose and refuses the late answer. A
// started stream has no deadline, but each of its writes must be taken by the client within
// request_timeout_ms, else the connection is closed.
//
// Ownership: the server holds the writer weakly. A writer destroyed without an answer sends a
// 500 error; one destroyed while its stream is open ends the stream as End() does.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  // Sends a complete response (framed as a synchronous handler's would be). false when already
  // answered, timed out, or the connection is gone.
  virtual bool Respond(Response response) = 0;

  // Starts a streamed response: status and headers are sent now, the body follows in Write
  // calls, with HTTP/1.1 chunked transfer coding (for an HTTP/1.0 client: no length, and the
  // connection closes at End). `status` must be in [200, 599] and not 204 or 304, else false
  // (and the request is still unanswered). false also when already answered, timed out, or the
  // connection is gone. A stream has no overall deadline; the server reads from the socket
  // meanwhile so that a client that disconnects is noticed.
  virtual bool StartStream(int status, std::string content_type,
                           std::vector<std::pair<std::string, std::string>> headers = {}) = 0;

  // Queues one chunk of a started stream (e.g. an SSE event "event: message\ndata: {...}\n\n").
  // Chunks are written in the order their Write calls returned. An empty chunk is ignored. false
  // once closed() or when no stream was started. When more than kMaxQueuedBytes are queued
  // unsent, the stream is closed as a slow consumer (the connection is dropped, OnClose runs)
  // and this returns false.
  virtual bool Write(std::string chunk) = 0;
  static constexpr size_t kMaxQueuedBytes = size_t{8} << 20;

  // Ends a started stream after the queued chunks; the connection then serves its next request
  // (or closes, for HTTP/1.0 or when the server is stopping). No-op when closed() or no stream
  // was started.
  virtual void End() = 0;

  // True once nothing more can be sent: answered (Respond, End), timed out, the client
  // disconnected, the server stopped the stream, or the connection is gone. While a stream is
  // open and healthy it is false.
  virtual bool closed() const = 0;

  // Runs `callback` once if the response does not complete normally: the client disconnects,
  // the answer times out, the stream is dropped as a slow consumer, or the server stops (open
  // streams are closed at once; unanswered requests when the shutdown grace ends) — at once, on
  // the calling thread, if that already happened. Never runs after a normal completion (the
  // response or the stream's last chunk written). Runs on an I/O thread (or the thread that
  // calls Server::Stop, for requests abandoned after the grace) and must not block. One
  // callback per writer: a later call replaces an earlier one. The callback is released once
  // it ran or the response completed, so it may capture the writer.
  virtual void OnClose(std::function<void()> callback) = 0;
};

// Handlers run on an I/O thread and must not block for long. They must be safe to call from
// several threads at once. An exception escaping a handler is answered with 500 and logged.
using Handler = std::function<Response(const Request&)>;

// Runs on an I/O thread and must return quickly: hand the work to a pool and answer through the
// writer. The Request's views are valid only during the call: copy what the work needs. Must be
// safe to call from several threads at once. An exception escaping the call is answered with
// 500 (unless the writer already answered) and logged.
using AsyncHandler = std::function<void(const Request&, std::shared_ptr<ResponseWriter>)>;

// Maps (method, path) to a handler. An exact path wins over a prefix; among prefixes the
// longest wins. A path that matches a route without a handler for the method gets 405 with an
// Allow header; a path that matches nothing gets 404.
//
// Thread safety: Add* must happen before the router is shared (e.g. before Server::Start);
// afterwards every const method may be called from any number of threads.
class Router {
 public:
  // Route index of Find/Dispatch results that matched no route.
  static constexpr size_t kNoRoute = SIZE_MAX;

  // Registers `handler` for `method` on exactly `path` ("/healthz").
  // A duplicate (method, path) or a path not starting with '/' throws std::invalid_argument
  // (a programming error, found at startup).
  void Add(std::string_view method, std::string path, Handler handler);

  // Registers `handler` for `method` on `prefix` and everything below it, at segment
  // boundaries: "/api" (or "/api/") matches "/api", "/api/" and "/api/x/y", not "/apix";
  // "/" matches every path. Its metric label is "/api/*". Throws as Add does.
  void AddPrefix(std::string_view method, std::string prefix, Handler handler);

  // As Add and AddPrefix, for a handler that answers through a ResponseWriter. A (method, path)
  // has either kind of handler, not both.
  void AddAsync(std::string_view method, std::string path, AsyncHandler handler);
  void AddPrefixAsync(std::string_view method, std::string prefix, AsyncHandler handler);

  // At most one of handler and async_handler is set; neither when no route matched or the
  // method is not allowed.
  struct Match {
    size_t route = kNoRoute;                      // index of the matched route, or kNoRoute
    const Handler* handler = nullptr;             // the synchronous handler
    const AsyncHandler* async_handler = nullptr;  // the asynchronous handler
    std::string_view allow;  // the route's methods ("GET, POST") when both are null
  };
  Match Find(std::string_view method, std::string_view path) const;

  // The response to `request` for a Find result without an async_handler: the handler's (500
  // if it throws), or 404/405. A match with an async_handler gets 500 (a caller's bug, logged).
  Response Call(const Match& match, const Request& request) const;
  // Calls match.async_handler with `writer`; an exception is answered through the writer (500).
  // REQUIRES: match.async_handler != nullptr.
  void CallAsync(const Match& match, const Request& request,
                 std::shared_ptr<ResponseWriter> writer) const;

  // Find + Call. Sets *route (when given) to the matched route index or kNoRoute.
  Response Dispatch(const Request& request, size_t* route = nullptr) const;
  // Find + Call or CallAsync: every outcome (404, 405, a synchronous handler's response, an
  // asynchronous handler's answer) goes through `writer`.
  void Dispatch(const Request& request, std::shared_ptr<ResponseWriter> writer,
                size_t* route = nullptr) const;

  // Number of routes (distinct paths and prefixes); route indexes are [0, size()).
  size_t size() const { return routes_.size(); }
  // The route's pattern as used in metric labels: "/healthz", "/api/*".
  const std::string& Label(size_t route) const { return routes_[route].label; }

 private:
  struct Route {
    std::string path;  // exact path, or prefix without a trailing '/' ("" for the root)
    std::string label;
    bool prefix = false;
    struct Method {
      std::string name;
      Handler handler;  // exactly one of handler and async_handler is set
      AsyncHandler async_handler;
    };
    std::vector<Method> methods;
    std::string allow;  // "GET, POST", sorted
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  void AddRoute(std::string_view method, std::string path, bool prefix, Handler handler,
                AsyncHandler async_handler);
  Match MatchRoute(size_t route, std::string_view method) const;

  std::vector<Route> routes_;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> exact_;
  std::vector<size_t> prefixes_;  // route indexes, longest prefix first
};

}  // namespace fastbreak::http
