// Minimal JSON text helpers for the few fixed-shape bodies written without a JSON library
// (HTTP error bodies, health, the cache simulator's report), and a depth check to run before
// handing text to a recursive parser.
#pragma once

#include <string>
#include <string_view>

namespace fastbreak {

// Appends `value` as a quoted JSON string: escapes '"', '\\' and control characters; other
// bytes (UTF-8 included) pass through unchanged.
void AppendJsonString(std::string& out, std::string_view value);

// The deepest nesting of arrays and objects in JSON text, outside strings (0 for a scalar).
// One pass, no allocation; the text need not be valid JSON.
int JsonNestingDepth(std::string_view text);

}  // namespace fastbreak
