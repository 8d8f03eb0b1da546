// Minimal JSON text helpers for the few fixed-shape bodies written without a JSON library
// (HTTP error bodies, health, the cache simulator's report).
#pragma once

#include <string>
#include <string_view>

namespace fastbreak {

// Appends `value` as a quoted JSON string: escapes '"', '\\' and control characters; other
// bytes (UTF-8 included) pass through unchanged.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace fastbreak
