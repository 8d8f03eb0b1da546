#include "nba/tool_result.hpp"

#include <gtest/gtest.h>

namespace fastbreak::nba {
namespace {

TEST(ToolResult, SerializesAsCallToolResultWithStructuredLast) {
  ToolOutput output;
  output.text = "He said \"hi\",\"structuredContent\":{} and left";
  output.structured = {{"b", 1}, {"a", {{"x", "y"}}}};
  const std::string bytes = SerializeToolResult(output);
  const Json parsed = Json::parse(bytes);
  EXPECT_EQ(parsed["content"][0]["type"], "text");
  EXPECT_EQ(parsed["content"][0]["text"], output.text);
  EXPECT_EQ(parsed["isError"], false);
  EXPECT_EQ(parsed["structuredContent"], output.structured);
  // The text contains the member name, escaped; the cut still finds the real member.
  EXPECT_EQ(Json::parse(StructuredPart(bytes)), output.structured);
}

TEST(ToolResult, ErrorsHaveNoStructuredPart) {
  const std::string bytes =
      SerializeToolError(Error{ErrorCode::kNotFound, "no player named 'Jordn'"});
  const Json parsed = Json::parse(bytes);
  EXPECT_EQ(parsed["isError"], true);
  EXPECT_EQ(parsed["_meta"]["fastbreak/error"], "not_found");
  EXPECT_EQ(StructuredPart(bytes), "");
  EXPECT_EQ(ErrorTextOf(bytes), "no player named 'Jordn'");
  const Error error = ToolErrorOf(bytes);
  EXPECT_EQ(error.code, ErrorCode::kNotFound);
  EXPECT_EQ(error.message, "no player named 'Jordn'");
  EXPECT_EQ(ToolErrorOf("not json").code, ErrorCode::kInternal);
  EXPECT_EQ(ErrorTextOf(R"({"content":[{"type":"text","text":5}]})"), "");
}

}  // namespace
}  // namespace fastbreak::nba
