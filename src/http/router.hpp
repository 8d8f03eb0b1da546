// Requests, responses and the router that maps (method, path) to a handler. Transport-neutral:
// no Boost types here, so handlers and their tests need only this header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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

// Handlers run on an I/O thread and must not block for long. They must be safe to call from
// several threads at once. An exception escaping a handler is answered with 500 and logged.
using Handler = std::function<Response(const Request&)>;

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

  struct Match {
    size_t route = kNoRoute;           // index of the matched route, or kNoRoute
    const Handler* handler = nullptr;  // null when no route matched or the method is not allowed
    std::string_view allow;            // the route's methods ("GET, POST") when handler is null
  };
  Match Find(std::string_view method, std::string_view path) const;

  // Finds and calls the handler, or builds the 404/405 response; catches handler exceptions
  // (500). Sets *route (when given) to the matched route index or kNoRoute.
  Response Dispatch(const Request& request, size_t* route = nullptr) const;

  // Number of routes (distinct paths and prefixes); route indexes are [0, size()).
  size_t size() const { return routes_.size(); }
  // The route's pattern as used in metric labels: "/healthz", "/api/*".
  const std::string& Label(size_t route) const { return routes_[route].label; }

 private:
  struct Route {
    std::string path;  // exact path, or prefix without a trailing '/' ("" for the root)
    std::string label;
    bool prefix = false;
    std::vector<std::pair<std::string, Handler>> methods;
    std::string allow;  // "GET, POST", sorted
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  void AddRoute(std::string_view method, std::string path, bool prefix, Handler handler);
  Match MatchRoute(size_t route, std::string_view method) const;

  std::vector<Route> routes_;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> exact_;
  std::vector<size_t> prefixes_;  // route indexes, longest prefix first
};

}  // namespace fastbreak::http
