#include "db/importers/json_ref.hpp"

#include <cmath>
#include <cstdint>

#include "db/importers/parse_util.hpp"

namespace fastbreak::db::detail {

Result<nlohmann::json> ParseJson(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the 1-based offset of the failing byte.
    const size_t end = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    int64_t line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    std::string reason = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." ->
    // "syntax error ..."
    if (const size_t colon = reason.find(": "); colon != std::string::npos) {
      reason = reason.substr(colon + 2);
    }
    return MakeError(ErrorCode::kParseError, "{}: line {}, column {}: invalid JSON: {}", file, line,
                     end - line_start + 1, reason);
  }
}

Error JsonRef::Fail(std::string_view what) const {
  return Error{ErrorCode::kParseError, fmt::format("{}: {}: {}", *file_, path_, what)};
}

std::string JsonRef::TypeDescription() const {
  const std::string dump = value_->dump();
  const std::string shown = dump.size() > 40 ? dump.substr(0, 40) + "..." : dump;
  return fmt::format("{} {}", value_->type_name(), shown);
}

Result<JsonRef> JsonRef::Field(std::string_view key) const {
  FB_ASSIGN_OR_RETURN(auto field, OptionalField(key));
  if (!field) return tl::unexpected(Fail(fmt::format("missing member \"{}\"", key)));
  return *std::move(field);
}

Result<std::optional<JsonRef>> JsonRef::OptionalField(std::string_view key) const {
  if (!value_->is_object()) {
    return tl::unexpected(Fail(fmt::format("expected an object, got {}", TypeDescription())));
  }
  auto it = value_->find(key);
  if (it == value_->end()) return std::optional<JsonRef>();
  return std::optional<JsonRef>(JsonRef(*it, fmt::format("{}.{}", path_, key), *file_));
}

Result<size_t> JsonRef::Size() const {
  if (!value_->is_array()) {
    return tl::unexpected(Fail(fmt::format("expected an array, got {}", TypeDescription())));
  }
  return value_->size();
}

JsonRef JsonRef::At(size_t index) const {
  return JsonRef((*value_)[index], fmt::format("{}[{}]", path_, index), *file_);
}

Result<int64_t> JsonRef::Int() const {
  FB_ASSIGN_OR_RETURN(auto value, OptInt());
  if (!value) return tl::unexpected(Fail("expected a number, got null"));
  return *value;
}

Result<std::optional<int64_t>> JsonRef::OptInt() const {
  FB_ASSIGN_OR_RETURN(auto value, OptDouble());
  if (!value) return std::optional<int64_t>();
  if (value_->is_number_unsigned() && value_->get<uint64_t>() > INT64_MAX) {
    return tl::unexpected(Fail(fmt::format("number {} is out of range", value_->dump())));
  }
  if (value_->is_number_integer()) return std::optional<int64_t>(value_->get<int64_t>());
  auto integral = IntegralValue(*value);
  if (!integral) {
    return tl::unexpected(Fail(fmt::format("expected a whole number, got {}", *value)));
  }
  return std::optional<int64_t>(*integral);
}

Result<std::optional<double>> JsonRef::OptDouble() const {
  if (value_->is_null()) return std::optional<double>();
  if (!value_->is_number()) {
    return tl::unexpected(Fail(fmt::format("expected a number, got {}", TypeDescription())));
  }
  return std::optional<double>(value_->get<double>());
}

Result<std::optional<int64_t>> JsonRef::OptLenientInt() const {
  if (value_->is_string()) {
    const auto& text = value_->get_ref<const std::string&>();
    if (text.empty()) return std::optional<int64_t>();
    auto value = ParseInt(text);
    if (!value) {
      return tl::unexpected(Fail(fmt::format("expected a number, got {}", TypeDescription())));
    }
    return std::optional<int64_t>(*value);
  }
  return OptInt();
}

Result<std::string> JsonRef::String() const {
  if (!value_->is_string()) {
    return tl::unexpected(Fail(fmt::format("expected a string, got {}", TypeDescription())));
  }
  return value_->get<std::string>();
}

Result<std::optional<std::string>> JsonRef::OptString() const {
  if (value_->is_null()) return std::optional<std::string>();
  FB_ASSIGN_OR_RETURN(std::string value, String());
  return std::optional<std::string>(std::move(value));
}

Result<std::string> JsonRef::GameId() const {
  std::string text;
  if (value_->is_string()) {
    text = value_->get<std::string>();
  } else if (value_->is_number_unsigned()) {
    text = std::to_string(value_->get<uint64_t>());
  } else if (value_->is_number_integer()) {
    text = std::to_string(value_->get<int64_t>());
  } else {
    return tl::unexpected(Fail(fmt::format("expected a game id, got {}", TypeDescription())));
  }
  auto id = NormalizeGameId(text);
  if (!id) return tl::unexpected(Fail(id.error().message));
  return *id;
}

}  // namespace fastbreak::db::detail
