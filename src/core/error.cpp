#include "core/error.hpp"

namespace fastbreak {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kParseError:
      return "parse_error";
    case ErrorCode::kInvalidRequest:
      return "invalid_request";
    case ErrorCode::kMethodNotFound:
      return "method_not_found";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kResourceNotFound:
      return "resource_not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kConstraint:
      return "constraint";
    case ErrorCode::kSyntax:
      return "syntax";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kPayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kConnection:
      return "connection";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    if (ErrorCodeName(code) == name) return code;
  }
  return std::nullopt;
}

std::string Error::ToString() const { return fmt::format("{}: {}", ErrorCodeName(code), message); }

int JsonRpcCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kParseError:
      return -32700;
    case ErrorCode::kInvalidRequest:
      return -32600;
    case ErrorCode::kMethodNotFound:
      return -32601;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kSyntax:
    case ErrorCode::kUnsupported:
      return -32602;
    case ErrorCode::kResourceNotFound:
      return -32002;
    // Implementation-defined server errors (-32000..-32099).
    case ErrorCode::kBusy:
      return -32000;
    case ErrorCode::kTimeout:
      return -32001;
    case ErrorCode::kCancelled:
      return -32800;  // LSP's RequestCancelled, used by MCP clients
    case ErrorCode::kPermissionDenied:
      return -32003;
    case ErrorCode::kPayloadTooLarge:
      return -32004;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConstraint:
    case ErrorCode::kConnection:
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return -32603;
  }
  return -32603;
}

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kParseError:
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kSyntax:
      return 400;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kMethodNotFound:
    case ErrorCode::kNotFound:
    case ErrorCode::kResourceNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConstraint:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kCancelled:
      return 499;
    case ErrorCode::kUnsupported:
      return 501;
    case ErrorCode::kConnection:
      return 502;
    case ErrorCode::kBusy:
      return 503;
    case ErrorCode::kTimeout:
      return 504;
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace fastbreak
