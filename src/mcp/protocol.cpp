#include "mcp/protocol.hpp"

#include <array>

namespace fastbreak::mcp {
namespace {

constexpr std::array<std::string_view, 8> kLevelNames = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};

}  // namespace

bool IsSupportedVersion(std::string_view version) {
  for (auto supported : kSupportedVersions) {
    if (supported == version) return true;
  }
  return false;
}

std::string_view NegotiateVersion(std::string_view requested) {
  for (auto supported : kSupportedVersions) {
    if (supported == requested) return supported;
  }
  return kLatestVersion;
}

bool AllowsBatches(std::string_view version) { return version == "2025-03-26"; }

Result<Message> ClassifyMessage(const Json& message, Json* id_out) {
  if (!message.is_object()) {
    return MakeError(ErrorCode::kInvalidRequest, "a JSON-RPC message must be an object");
  }
  Message out;
  const auto id = message.find("id");
  const bool has_id = id != message.end();
  if (has_id && (id->is_string() || id->is_number_integer())) {
    out.id = *id;
    if (id_out != nullptr) *id_out = *id;
  }
  const auto version = message.find("jsonrpc");
  if (version == message.end() || !version->is_string() || *version != "2.0") {
    return MakeError(ErrorCode::kInvalidRequest, "\"jsonrpc\" must be \"2.0\"");
  }
  if (has_id && !id->is_string() && !id->is_number_integer()) {
    return MakeError(ErrorCode::kInvalidRequest, "\"id\" must be a string or an integer");
  }
  const auto method = message.find("method");
  if (method == message.end()) {
    if (!has_id || (!message.contains("result") && !message.contains("error"))) {
      return MakeError(ErrorCode::kInvalidRequest,
                       "a message needs \"method\" (request or notification) or \"result\"/"
                       "\"error\" (response)");
    }
    out.kind = Message::Kind::kResponse;
    return out;
  }
  if (!method->is_string()) {
    return MakeError(ErrorCode::kInvalidRequest, "\"method\" must be a string");
  }
  out.method = method->get<std::string>();
  out.kind = has_id ? Message::Kind::kRequest : Message::Kind::kNotification;
  const auto params = message.find("params");
  if (params != message.end()) {
    if (!params->is_object()) {
      return MakeError(ErrorCode::kInvalidRequest, "\"params\" must be an object");
    }
    out.params = &*params;
  }
  return out;
}

std::string ResultResponse(const Json& id, const Json& result) {
  Json response = {{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
  return response.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string SerializedResultResponse(const Json& id, std::string_view serialized_result) {
  const std::string id_text = id.dump();
  std::string response;
  response.reserve(32 + id_text.size() + serialized_result.size());
  response += R"({"jsonrpc":"2.0","id":)";
  response += id_text;
  response += R"(,"result":)";
  response += serialized_result;
  response += '}';
  return response;
}

std::string ErrorResponse(const Json& id, int code, std::string_view message, const Json* data) {
  Json error = {{"code", code}, {"message", message}};
  if (data != nullptr) error["data"] = *data;
  Json response = {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
  return response.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ErrorResponse(const Json& id, const Error& error) {
  return ErrorResponse(id, JsonRpcCode(error.code), error.message);
}

std::string Notification(std::string_view method, const Json& params) {
  Json message = {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}};
  return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::string_view LogLevelName(LogLevel level) { return kLevelNames[static_cast<size_t>(level)]; }

}  // namespace fastbreak::mcp
