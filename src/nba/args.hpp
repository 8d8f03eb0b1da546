// Reading tool arguments: typed getters that turn a wrong type, a value out of range or an
// unknown enum value into kInvalidArgument with a message an agent can act on.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace fastbreak::nba {

using Json = nlohmann::json;

// Checks that `arguments` is an object (null counts as {}) whose keys are all in `allowed`;
// an unknown key gives "unknown argument 'x'; expected one of: a, b".
Status CheckArguments(const Json& arguments, std::initializer_list<std::string_view> allowed);

// The member or nullptr when absent or JSON null.
const Json* FindArgument(const Json& arguments, std::string_view name);

// Integer in [min, max]; absent gives `fallback`. Accepts integral JSON numbers only
// ("limit must be an integer between 1 and 100, got \"ten\"").
Result<int64_t> IntArgument(const Json& arguments, std::string_view name, int64_t fallback,
                            int64_t min, int64_t max);
Result<std::optional<int64_t>> OptionalIntArgument(const Json& arguments, std::string_view name,
                                                   int64_t min, int64_t max);
Result<bool> BoolArgument(const Json& arguments, std::string_view name, bool fallback);
// A string of at most `max_length` bytes; absent gives `fallback`.
Result<std::string> StringArgument(const Json& arguments, std::string_view name,
                                   std::string_view fallback, size_t max_length = 200);
Result<std::optional<std::string>> OptionalStringArgument(const Json& arguments,
                                                          std::string_view name,
                                                          size_t max_length = 200);
// Required: absent gives "missing required argument 'x'".
Result<std::string> RequiredStringArgument(const Json& arguments, std::string_view name,
                                           size_t max_length = 200);
const Json* RequiredArgument(const Json& arguments, std::string_view name, Error* error);
// One of `allowed` (case-sensitive); absent gives `fallback`.
Result<std::string> EnumArgument(const Json& arguments, std::string_view name,
                                 std::initializer_list<std::string_view> allowed,
                                 std::string_view fallback);
// A date "YYYY-MM-DD" (checked for a real calendar date).
Result<std::optional<std::string>> OptionalDateArgument(const Json& arguments,
                                                        std::string_view name);

// JSON Schema fragments for input and output schemas.
namespace schema {
Json Object(Json properties, std::vector<std::string> required = {},
            bool additional_properties = false);
Json Integer(std::string description, std::optional<int64_t> min = std::nullopt,
             std::optional<int64_t> max = std::nullopt,
             std::optional<int64_t> default_value = std::nullopt);
Json Number(std::string description);
Json String(std::string description);
Json Boolean(std::string description, std::optional<bool> default_value = std::nullopt);
Json Enum(std::string description, std::vector<std::string> values,
          std::optional<std::string> default_value = std::nullopt);
Json Array(Json items, std::string description = "");
// {"type": [<type>, "null"]}: a value that may be null (a stat with no attempts).
Json Nullable(Json schema);
// Accepts an integer id or a string name: {"type": ["integer", "string"], ...}.
Json IdOrName(std::string description);
// A season as 2023 or "2023-24".
Json Season(std::string description);
}  // namespace schema

}  // namespace fastbreak::nba
