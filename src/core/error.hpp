// Errors as values: every fallible call across a module boundary returns Result<T>.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace fastbreak {

// What went wrong, by class. Retry, pool and transport logic act on the class, never on the
// message text. Mapped to JSON-RPC codes and HTTP statuses in error.cpp, and nowhere else.
enum class ErrorCode {
  kInvalidArgument,   // the caller sent something malformed or out of range
  kParseError,        // bytes that are not valid JSON / YAML / CSV
  kInvalidRequest,    // well-formed but not a valid request (JSON-RPC envelope, HTTP)
  kMethodNotFound,    // unknown JSON-RPC method / route
  kNotFound,          // the named thing does not exist (player, game, file, table)
  kResourceNotFound,  // an MCP resource URI that does not exist
  kAlreadyExists,     // unique key taken
  kConstraint,        // database constraint violated (foreign key, check, not null)
  kSyntax,            // SQL that does not compile
  kPermissionDenied,  // refused by policy (read-only, authorizer, origin)
  kPayloadTooLarge,   // body or result over its bound
  kBusy,              // a bounded queue or lock is full; try again later
  kTimeout,           // a deadline passed
  kCancelled,         // the caller cancelled
  kConnection,        // a server or file could not be reached / opened
  kIo,                // read/write failure
  kUnsupported,       // valid but not implemented or not allowed in this version
  kInternal,          // a bug: an invariant broke
};

std::string_view ErrorCodeName(ErrorCode code);
// The inverse of ErrorCodeName; nullopt for a name that is not one.
std::optional<ErrorCode> ErrorCodeFromName(std::string_view name);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // "not_found: no player named 'Jordn'"
  std::string ToString() const;
};

// The one mapping from error class to a JSON-RPC 2.0 / MCP error code.
int JsonRpcCode(ErrorCode code);
// The one mapping from error class to an HTTP status.
int HttpStatus(ErrorCode code);

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

template <typename... Args>
tl::unexpected<Error> MakeError(ErrorCode code, fmt::format_string<Args...> format,
                                Args&&... args) {
  return tl::unexpected<Error>(Error{code, fmt::format(format, std::forward<Args>(args)...)});
}

inline Status Ok() { return {}; }

}  // namespace fastbreak

// Propagate an error from an expression returning Result<T> / Status.
#define FB_RETURN_IF_ERROR(expr)                                                \
  do {                                                                          \
    if (auto fb_status_ = (expr); !fb_status_) {                                \
      return tl::unexpected<::fastbreak::Error>(std::move(fb_status_).error()); \
    }                                                                           \
  } while (false)

#define FB_CONCAT_INNER_(a, b) a##b
#define FB_CONCAT_(a, b) FB_CONCAT_INNER_(a, b)

// FB_ASSIGN_OR_RETURN(auto x, Foo()); declares x from a Result or returns its error.
#define FB_ASSIGN_OR_RETURN(decl, expr) \
  FB_ASSIGN_OR_RETURN_IMPL_(FB_CONCAT_(fb_result_, __LINE__), decl, expr)
#define FB_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr)                             \
  auto tmp = (expr);                                                           \
  if (!tmp) return tl::unexpected<::fastbreak::Error>(std::move(tmp).error()); \
  decl = std::move(*tmp)
