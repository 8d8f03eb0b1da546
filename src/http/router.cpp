#include "http/router.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "core/json_text.hpp"
#include "core/log.hpp"

namespace fastbreak::http {

Response ErrorResponse(ErrorCode code, std::string_view message) {
  Response response;
  response.status = HttpStatus(code);
  response.body = R"({"error":{"code":)";
  AppendJsonString(response.body, ErrorCodeName(code));
  response.body += R"(,"message":)";
  AppendJsonString(response.body, message);
  response.body += "}}";
  return response;
}

void Router::Add(std::string_view method, std::string path, Handler handler) {
  AddRoute(method, std::move(path), /*prefix=*/false, std::move(handler), nullptr);
}

void Router::AddPrefix(std::string_view method, std::string prefix, Handler handler) {
  AddRoute(method, std::move(prefix), /*prefix=*/true, std::move(handler), nullptr);
}

void Router::AddAsync(std::string_view method, std::string path, AsyncHandler handler) {
  AddRoute(method, std::move(path), /*prefix=*/false, nullptr, std::move(handler));
}

void Router::AddPrefixAsync(std::string_view method, std::string prefix, AsyncHandler handler) {
  AddRoute(method, std::move(prefix), /*prefix=*/true, nullptr, std::move(handler));
}

void Router::AddRoute(std::string_view method, std::string path, bool prefix, Handler handler,
                      AsyncHandler async_handler) {
  if (method.empty()) throw std::invalid_argument("http route: empty method");
  if (path.empty() || path.front() != '/') {
    throw std::invalid_argument("http route: path must start with '/': " + path);
  }
  if (!handler && !async_handler) {
    throw std::invalid_argument("http route: null handler for " + path);
  }
  if (prefix) {
    while (!path.empty() && path.back() == '/') path.pop_back();
  }

  size_t index = kNoRoute;
  if (prefix) {
    for (size_t i : prefixes_) {
      if (routes_[i].path == path) index = i;
    }
  } else if (auto it = exact_.find(path); it != exact_.end()) {
    index = it->second;
  }
  if (index == kNoRoute) {
    index = routes_.size();
    Route route;
    route.label = prefix ? path + "/*" : path;
    route.path = path;
    route.prefix = prefix;
    routes_.push_back(std::move(route));
    if (prefix) {
      prefixes_.push_back(index);
      std::stable_sort(prefixes_.begin(), prefixes_.end(), [this](size_t a, size_t b) {
        return routes_[a].path.size() > routes_[b].path.size();
      });
    } else {
      exact_.emplace(std::move(path), index);
    }
  }

  Route& route = routes_[index];
  for (const Route::Method& existing : route.methods) {
    if (existing.name == method) {
      throw std::invalid_argument("http route: duplicate " + std::string(method) + " " +
                                  route.label);
    }
  }
  route.methods.push_back({std::string(method), std::move(handler), std::move(async_handler)});

  std::vector<std::string_view> names;
  for (const Route::Method& existing : route.methods) names.push_back(existing.name);
  std::sort(names.begin(), names.end());
  route.allow.clear();
  for (std::string_view name : names) {
    if (!route.allow.empty()) route.allow += ", ";
    route.allow += name;
  }
}

Router::Match Router::MatchRoute(size_t route, std::string_view method) const {
  Match match;
  match.route = route;
  for (const Route::Method& candidate : routes_[route].methods) {
    if (candidate.name == method) {
      if (candidate.handler) {
        match.handler = &candidate.handler;
      } else {
        match.async_handler = &candidate.async_handler;
      }
      return match;
    }
  }
  match.allow = routes_[route].allow;
  return match;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  if (auto it = exact_.find(path); it != exact_.end()) return MatchRoute(it->second, method);
  for (size_t index : prefixes_) {
    const std::string& prefix = routes_[index].path;
    if (path.size() >= prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
        (path.size() == prefix.size() || path[prefix.size()] == '/')) {
      return MatchRoute(index, method);
    }
  }
  return Match{};
}

Response Router::Dispatch(const Request& request, size_t* route) const {
  const Match match = Find(request.method, request.target);
  if (route != nullptr) *route = match.route;
  return Call(match, request);
}

void Router::Dispatch(const Request& request, std::shared_ptr<ResponseWriter> writer,
                      size_t* route) const {
  const Match match = Find(request.method, request.target);
  if (route != nullptr) *route = match.route;
  if (match.async_handler != nullptr) {
    CallAsync(match, request, std::move(writer));
  } else {
    writer->Respond(Call(match, request));
  }
}

Response Router::Call(const Match& match, const Request& request) const {
  if (match.route == kNoRoute) {
    return ErrorResponse(ErrorCode::kNotFound, "no route for " + std::string(request.target));
  }
  if (match.handler == nullptr && match.async_handler == nullptr) {
    // No ErrorCode means "method not allowed"; keep the closest class, with the HTTP status
    // the protocol asks for.
    Response response = ErrorResponse(
        ErrorCode::kMethodNotFound,
        std::string(request.method) + " is not allowed on " + std::string(request.target));
    response.status = 405;
    response.headers.emplace_back("Allow", std::string(match.allow));
    return response;
  }
  if (match.handler == nullptr) {
    spdlog::error("http: asynchronous route {} {} called synchronously", request.method,
                  request.target);
    return ErrorResponse(ErrorCode::kInternal, "internal error");
  }
  try {
    return (*match.handler)(request);
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", request.method, request.target, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-exception", request.method, request.target);
  }
  return ErrorResponse(ErrorCode::kInternal, "internal error");
}

void Router::CallAsync(const Match& match, const Request& request,
                       std::shared_ptr<ResponseWriter> writer) const {
  try {
    (*match.async_handler)(request, writer);
    return;
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", request.method, request.target, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-exception", request.method, request.target);
  }
  writer->Respond(ErrorResponse(ErrorCode::kInternal, "internal error"));
}

}  // namespace fastbreak::http
