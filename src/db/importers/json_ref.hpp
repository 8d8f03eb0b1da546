// Typed access to a parsed JSON document that remembers the path it took, so every error names
// the file and the JSON path: "box.json: $.game.actions[3].period: expected a number, got
// string \"1\"". Errors are kParseError.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fastbreak::db::detail {

// Parses `text`; a syntax error (truncated file...) becomes kParseError
// "<file>: line L, column C: invalid JSON: <reason>".
Result<nlohmann::json> ParseJson(const std::string& text, const std::string& file);

// A view of one JSON value. REQUIRES: the document and `file` outlive it.
class JsonRef {
 public:
  JsonRef(const nlohmann::json& value, std::string path, const std::string& file)
      : value_(&value), path_(std::move(path)), file_(&file) {}

  const nlohmann::json& json() const { return *value_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }
  bool is_null() const { return value_->is_null(); }

  // "<file>: <path>: <what>"
  Error Fail(std::string_view what) const;

  // Object member; error when this is not an object or the member is missing.
  Result<JsonRef> Field(std::string_view key) const;
  // Object member, or nullopt when missing (error when this is not an object).
  Result<std::optional<JsonRef>> OptionalField(std::string_view key) const;
  // Array length; error when this is not an array.
  Result<size_t> Size() const;
  // Array element. REQUIRES: index < Size().
  JsonRef At(size_t index) const;

  // A JSON number with an integral value (17 or 17.0). Error for strings, null, 17.5.
  Result<int64_t> Int() const;
  // Int(), or nullopt for null.
  Result<std::optional<int64_t>> OptInt() const;
  // A JSON number, or nullopt for null.
  Result<std::optional<double>> OptDouble() const;
  // For identifiers and years that the API sends either way: a number, or a string of digits.
  // nullopt for null and "".
  Result<std::optional<int64_t>> OptLenientInt() const;
  // A string. Error for anything else.
  Result<std::string> String() const;
  // A string, or nullopt for null.
  Result<std::optional<std::string>> OptString() const;
  // A game id given as a string or number, normalized to ten digits.
  Result<std::string> GameId() const;

 private:
  std::string TypeDescription() const;

  const nlohmann::json* value_;
  std::string path_;
  const std::string* file_;
};

}  // namespace fastbreak::db::detail
