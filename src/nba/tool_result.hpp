// A tool's answer as MCP's CallToolResult, serialized once: the bytes the cache stores, the
// MCP transports splice into a response and the REST mirror cuts its structured part from.
#pragma once

#include <string>
#include <string_view>

#include "nba/catalog.hpp"

namespace fastbreak::nba {

// {"content":[{"type":"text","text":...}],"isError":false,"structuredContent":{...}}
// structuredContent comes last (see StructuredPart).
std::string SerializeToolResult(const ToolOutput& output);
// {"_meta":{"fastbreak/error":"not_found"},"content":[{"type":"text","text":message}],
//  "isError":true}: the error's class rides along in _meta so that the REST mirror can answer
// a cached error with its HTTP status.
std::string SerializeToolError(const Error& error);

// The structuredContent value inside bytes made by SerializeToolResult, without copying;
// empty for an error result. Inside a JSON string every quote is escaped, so the member
// separator found here can only be the real one.
std::string_view StructuredPart(std::string_view serialized_result);
// The text of the first content item of serialized tool result bytes.
std::string ErrorTextOf(std::string_view serialized_result);
// The error of bytes made by SerializeToolError (kInternal when they carry no class).
Error ToolErrorOf(std::string_view serialized_result);

}  // namespace fastbreak::nba
