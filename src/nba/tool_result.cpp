#include "nba/tool_result.hpp"

#include "nba/json_parse.hpp"

namespace fastbreak::nba {
namespace {

constexpr std::string_view kStructuredMember = R"(,"structuredContent":)";

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string SerializeToolResult(const ToolOutput& output) {
  std::string out = R"({"content":[{"type":"text","text":)";
  out += Dump(Json(output.text));
  out += R"(}],"isError":false)";
  out += kStructuredMember;
  out += Dump(output.structured);
  out += '}';
  return out;
}

std::string SerializeToolError(const Error& error) {
  std::string out = R"({"_meta":{"fastbreak/error":")";
  out += ErrorCodeName(error.code);
  out += R"("},"content":[{"type":"text","text":)";
  out += Dump(Json(error.message));
  out += R"(}],"isError":true})";
  return out;
}

std::string_view StructuredPart(std::string_view serialized_result) {
  const size_t at = serialized_result.find(kStructuredMember);
  if (at == std::string_view::npos || serialized_result.back() != '}') return {};
  const size_t start = at + kStructuredMember.size();
  return serialized_result.substr(start, serialized_result.size() - 1 - start);
}

std::string ErrorTextOf(std::string_view serialized_result) {
  auto parsed = ParseJson(serialized_result);
  if (!parsed || !parsed->contains("content")) return std::string(serialized_result);
  const Json& content = (*parsed)["content"];
  if (!content.is_array() || content.empty() || !content[0].is_object() ||
      !content[0].contains("text") || !content[0]["text"].is_string()) {
    return {};
  }
  return content[0]["text"].get<std::string>();
}

Error ToolErrorOf(std::string_view serialized_result) {
  Error error{ErrorCode::kInternal, ErrorTextOf(serialized_result)};
  auto parsed = ParseJson(serialized_result);
  if (!parsed || !parsed->is_object()) return error;
  const auto meta = parsed->find("_meta");
  if (meta == parsed->end() || !meta->is_object()) return error;
  const auto name = meta->find("fastbreak/error");
  if (name == meta->end() || !name->is_string()) return error;
  error.code = ErrorCodeFromName(name->get<std::string>()).value_or(ErrorCode::kInternal);
  return error;
}

}  // namespace fastbreak::nba
