#include "nba/args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace fastbreak::nba {
namespace {

// A short rendering of a bad value for messages: long values are cut.
std::string Show(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::string JoinNames(std::initializer_list<std::string_view> names) {
  std::string joined;
  for (auto name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

}  // namespace

Status CheckArguments(const Json& arguments, std::initializer_list<std::string_view> allowed) {
  if (arguments.is_null()) return Ok();
  if (!arguments.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "arguments must be an object, got {}",
                     Show(arguments));
  }
  for (const auto& [key, value] : arguments.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return MakeError(ErrorCode::kInvalidArgument, "unknown argument '{}'; expected one of: {}",
                       key, JoinNames(allowed));
    }
  }
  return Ok();
}

const Json* FindArgument(const Json& arguments, std::string_view name) {
  if (!arguments.is_object()) return nullptr;
  const auto it = arguments.find(name);
  if (it == arguments.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<int64_t>> OptionalIntArgument(const Json& arguments, std::string_view name,
                                                   int64_t min, int64_t max) {
  const Json* value = FindArgument(arguments, name);
  if (value == nullptr) return std::optional<int64_t>();
  int64_t number = 0;
  if (value->is_number_integer()) {
    if (value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      number = INT64_MAX;
    } else {
      number = value->get<int64_t>();
    }
  } else if (value->is_number_float() &&
             value->get<double>() ==
                 static_cast<double>(static_cast<int64_t>(value->get<double>()))) {
    number = static_cast<int64_t>(value->get<double>());  // 10.0 is an integer in JSON Schema
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "{} must be an integer between {} and {}, got {}",
                     name, min, max, Show(*value));
  }
  if (number < min || number > max) {
    return MakeError(ErrorCode::kInvalidArgument, "{} must be between {} and {}, got {}", name, min,
                     max, number);
  }
  return std::optional<int64_t>(number);
}

Result<int64_t> IntArgument(const Json& arguments, std::string_view name, int64_t fallback,
                            int64_t min, int64_t max) {
  FB_ASSIGN_OR_RETURN(auto value, OptionalIntArgument(arguments, name, min, max));
  return value.value_or(fallback);
}

Result<bool> BoolArgument(const Json& arguments, std::string_view name, bool fallback) {
  const Json* value = FindArgument(arguments, name);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) {
    return MakeError(ErrorCode::kInvalidArgument, "{} must be true or false, got {}", name,
                     Show(*value));
  }
  return value->get<bool>();
}

Result<std::optional<std::string>> OptionalStringArgument(const Json& arguments,
                                                          std::string_view name,
                                                          size_t max_length) {
  const Json* value = FindArgument(arguments, name);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) {
    return MakeError(ErrorCode::kInvalidArgument, "{} must be a string, got {}", name,
                     Show(*value));
  }
  const auto& text = value->get_ref<const std::string&>();
  if (text.size() > max_length) {
    return MakeError(ErrorCode::kInvalidArgument, "{} is too long ({} bytes; at most {})", name,
                     text.size(), max_length);
  }
  return std::optional<std::string>(text);
}

Result<std::string> StringArgument(const Json& arguments, std::string_view name,
                                   std::string_view fallback, size_t max_length) {
  FB_ASSIGN_OR_RETURN(auto value, OptionalStringArgument(arguments, name, max_length));
  if (!value) return std::string(fallback);
  return std::move(*value);
}

Result<std::string> RequiredStringArgument(const Json& arguments, std::string_view name,
                                           size_t max_length) {
  FB_ASSIGN_OR_RETURN(auto value, OptionalStringArgument(arguments, name, max_length));
  if (!value) {
    return MakeError(ErrorCode::kInvalidArgument, "missing required argument '{}'", name);
  }
  if (value->empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "{} must not be empty", name);
  }
  return std::move(*value);
}

const Json* RequiredArgument(const Json& arguments, std::string_view name, Error* error) {
  const Json* value = FindArgument(arguments, name);
  if (value == nullptr && error != nullptr) {
    *error =
        Error{ErrorCode::kInvalidArgument, fmt::format("missing required argument '{}'", name)};
  }
  return value;
}

Result<std::string> EnumArgument(const Json& arguments, std::string_view name,
                                 std::initializer_list<std::string_view> allowed,
                                 std::string_view fallback) {
  FB_ASSIGN_OR_RETURN(auto value, OptionalStringArgument(arguments, name, 100));
  if (!value) return std::string(fallback);
  if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
    return MakeError(ErrorCode::kInvalidArgument, "{} must be one of: {}; got \"{}\"", name,
                     JoinNames(allowed), *value);
  }
  return std::move(*value);
}

Result<std::optional<std::string>> OptionalDateArgument(const Json& arguments,
                                                        std::string_view name) {
  FB_ASSIGN_OR_RETURN(auto value, OptionalStringArgument(arguments, name, 10));
  if (!value) return value;
  const std::string& text = *value;
  auto digits = [&](size_t from, size_t count) {
    int number = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      number = number * 10 + (text[i] - '0');
    }
    return number;
  };
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool valid = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (valid) {
    const int year = digits(0, 4);
    const int month = digits(5, 2);
    const int day = digits(8, 2);
    valid = year >= 1900 && month >= 1 && month <= 12 && day >= 1 &&
            day <= kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  }
  if (!valid) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{} must be a date as YYYY-MM-DD (e.g. 2024-01-15), got \"{}\"", name, text);
  }
  return value;
}

namespace schema {

Json Object(Json properties, std::vector<std::string> required, bool additional_properties) {
  Json object = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) object["required"] = std::move(required);
  object["additionalProperties"] = additional_properties;
  return object;
}

Json Integer(std::string description, std::optional<int64_t> min, std::optional<int64_t> max,
             std::optional<int64_t> default_value) {
  Json schema = {{"type", "integer"}, {"description", std::move(description)}};
  if (min) schema["minimum"] = *min;
  if (max) schema["maximum"] = *max;
  if (default_value) schema["default"] = *default_value;
  return schema;
}

Json Number(std::string description) {
  return {{"type", "number"}, {"description", std::move(description)}};
}

Json String(std::string description) {
  return {{"type", "string"}, {"description", std::move(description)}};
}

Json Boolean(std::string description, std::optional<bool> default_value) {
  Json schema = {{"type", "boolean"}, {"description", std::move(description)}};
  if (default_value) schema["default"] = *default_value;
  return schema;
}

Json Enum(std::string description, std::vector<std::string> values,
          std::optional<std::string> default_value) {
  Json schema = {
      {"type", "string"}, {"description", std::move(description)}, {"enum", std::move(values)}};
  if (default_value) schema["default"] = *default_value;
  return schema;
}

Json Array(Json items, std::string description) {
  Json schema = {{"type", "array"}, {"items", std::move(items)}};
  if (!description.empty()) schema["description"] = std::move(description);
  return schema;
}

Json Nullable(Json schema) {
  if (schema.contains("type") && schema["type"].is_string()) {
    schema["type"] = Json::array({schema["type"], "null"});
  }
  return schema;
}

Json IdOrName(std::string description) {
  return {{"type", Json::array({"integer", "string"})}, {"description", std::move(description)}};
}

Json Season(std::string description) {
  return {{"type", Json::array({"integer", "string"})},
          {"description",
           std::move(description) + " As the start year (2023) or a label (\"2023-24\")."}};
}

}  // namespace schema
}  // namespace fastbreak::nba
