#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fastbreak {
namespace {

TEST(JsonTextTest, NestingDepthCountsArraysAndObjectsOutsideStrings) {
  EXPECT_EQ(JsonNestingDepth("42"), 0);
  EXPECT_EQ(JsonNestingDepth(R"({"a":[1,{"b":[]}]})"), 4);
  EXPECT_EQ(JsonNestingDepth(R"(["[[[", "\"[{", {}])"), 2);
  EXPECT_EQ(JsonNestingDepth(std::string(10'000, '[')), 10'000);
  EXPECT_EQ(JsonNestingDepth("]]]"), 0);  // not JSON: no crash, no negative depth reported
}

TEST(JsonTextTest, AppendJsonStringEscapes) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n");
  EXPECT_EQ(out, R"("a\"b\\c\n")");
}

}  // namespace
}  // namespace fastbreak
