#include "nba/json_parse.hpp"

namespace fastbreak::nba {
namespace {

// True when brackets outside strings nest deeper than `max_depth`. Malformed text may pass;
// the parser rejects it.
bool NestsDeeperThan(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, size_t max_depth) {
  if (NestsDeeperThan(text, max_depth)) {
    return MakeError(ErrorCode::kParseError, "JSON nested deeper than {} levels", max_depth);
  }
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return MakeError(ErrorCode::kParseError, "not valid JSON");
  return value;
}

}  // namespace fastbreak::nba
