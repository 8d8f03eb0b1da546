// JSON-RPC 2.0 envelopes and the MCP protocol versions fastbreak speaks.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fastbreak::mcp {

using Json = nlohmann::json;

// Newest first. 2025-03-26 clients are accepted; it is the last version with JSON-RPC batches.
inline constexpr std::string_view kLatestVersion = "2025-11-25";
inline constexpr std::string_view kSupportedVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26"};

bool IsSupportedVersion(std::string_view version);
// The version to answer an initialize with: the client's when we speak it, else our latest.
std::string_view NegotiateVersion(std::string_view requested);
// Whether `version` still allows JSON-RPC batches (only 2025-03-26).
bool AllowsBatches(std::string_view version);

// A JSON-RPC message sorted by kind.
struct Message {
  enum class Kind { kRequest, kNotification, kResponse };
  Kind kind = Kind::kRequest;
  Json id;  // string or integer for requests and responses
  std::string method;
  // The message's params object, or null when absent. Points into the classified message:
  // valid while it is.
  const Json* params = nullptr;
};

// Checks the envelope: "jsonrpc": "2.0", a string method, an id that is a string or an integer
// (not null), params an object when present. Errors are kInvalidRequest (-32600) with the reason;
// `id_out` gets the id when one could be read, so the error response can carry it.
Result<Message> ClassifyMessage(const Json& message, Json* id_out);

// Serialized responses.
std::string ResultResponse(const Json& id, const Json& result);
// The same with `result` already serialized (spliced in as is).
std::string SerializedResultResponse(const Json& id, std::string_view serialized_result);
std::string ErrorResponse(const Json& id, int code, std::string_view message,
                          const Json* data = nullptr);
std::string ErrorResponse(const Json& id, const Error& error);
// A serialized notification.
std::string Notification(std::string_view method, const Json& params);

// MCP log levels, by severity (RFC 5424 order, debug lowest).
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };
std::optional<LogLevel> ParseLogLevel(std::string_view name);
std::string_view LogLevelName(LogLevel level);

}  // namespace fastbreak::mcp
