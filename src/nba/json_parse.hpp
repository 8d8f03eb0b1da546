// Parsing untrusted JSON text with bounded nesting. nlohmann::json copies, compares and
// destroys values recursively, so a body of a million '[' would exhaust the stack; it is
// refused before a value is built.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/error.hpp"

namespace fastbreak::nba {

inline constexpr size_t kMaxJsonDepth = 64;

// kParseError for text that is not JSON or nests arrays/objects deeper than `max_depth`.
Result<nlohmann::json> ParseJson(std::string_view text, size_t max_depth = kMaxJsonDepth);

}  // namespace fastbreak::nba
