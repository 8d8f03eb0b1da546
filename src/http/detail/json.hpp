// Minimal JSON text helpers for the few fixed-shape bodies this module writes itself.
#pragma once

#include <string>
#include <string_view>

namespace fastbreak::http::detail {

// Appends `value` as a quoted JSON string: escapes '"', '\\' and control characters; other
// bytes (UTF-8 included) pass through unchanged.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace fastbreak::http::detail
