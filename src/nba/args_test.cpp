#include "nba/args.hpp"

#include <gtest/gtest.h>

#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

TEST(ArgsTest, RejectsUnknownArgumentsByName) {
  EXPECT_OK(CheckArguments(Json::object({{"limit", 3}}), {"limit", "query"}));
  EXPECT_OK(CheckArguments(Json(), {"limit"}));
  auto result = CheckArguments(Json::object({{"limt", 3}}), {"limit", "query"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("'limt'"), std::string::npos);
  EXPECT_NE(result.error().message.find("limit, query"), std::string::npos);
  EXPECT_ERROR(CheckArguments(Json::array(), {"limit"}), ErrorCode::kInvalidArgument);
}

TEST(ArgsTest, IntegersAreCheckedForTypeAndRange) {
  const Json args = {{"limit", 10}, {"big", 500}, {"text", "ten"}, {"whole", 7.0}, {"half", 2.5}};
  EXPECT_EQ(*IntArgument(args, "limit", 5, 1, 100), 10);
  EXPECT_EQ(*IntArgument(args, "absent", 5, 1, 100), 5);
  EXPECT_EQ(*IntArgument(args, "whole", 5, 1, 100), 7);
  EXPECT_ERROR(IntArgument(args, "big", 5, 1, 100), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(IntArgument(args, "half", 5, 1, 100), ErrorCode::kInvalidArgument);
  auto text = IntArgument(args, "text", 5, 1, 100);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("\"ten\""), std::string::npos);
  EXPECT_ERROR(IntArgument(Json{{"n", Json(uint64_t{18446744073709551615ULL})}}, "n", 0, 0, 9),
               ErrorCode::kInvalidArgument);
}

TEST(ArgsTest, StringsEnumsAndDates) {
  const Json args = {{"mode", "per_game"},     {"bad", "avg"}, {"date", "2024-02-29"},
                     {"nodate", "2023-02-29"}, {"n", 3},       {"empty", ""}};
  EXPECT_EQ(*EnumArgument(args, "mode", {"totals", "per_game"}, "totals"), "per_game");
  EXPECT_EQ(*EnumArgument(args, "absent", {"totals", "per_game"}, "totals"), "totals");
  EXPECT_ERROR(EnumArgument(args, "bad", {"totals", "per_game"}, "totals"),
               ErrorCode::kInvalidArgument);
  EXPECT_EQ(**OptionalDateArgument(args, "date"), "2024-02-29");
  EXPECT_ERROR(OptionalDateArgument(args, "nodate"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(StringArgument(args, "n", "", 10), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(RequiredStringArgument(args, "missing"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(RequiredStringArgument(args, "empty"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(StringArgument(Json{{"s", std::string(300, 'x')}}, "s", "", 200),
               ErrorCode::kInvalidArgument);
}

TEST(ArgsTest, SchemaFragments) {
  const Json integer = schema::Integer("How many", 1, 100, 10);
  EXPECT_EQ(integer["minimum"], 1);
  EXPECT_EQ(integer["default"], 10);
  EXPECT_EQ(schema::Nullable(schema::Number("x"))["type"], Json::array({"number", "null"}));
  const Json object = schema::Object({{"a", integer}}, {"a"});
  EXPECT_EQ(object["required"], Json::array({"a"}));
  EXPECT_EQ(object["additionalProperties"], false);
}

}  // namespace
}  // namespace fastbreak::nba

#include "nba/json_parse.hpp"

namespace fastbreak::nba {
namespace {

TEST(JsonParseTest, RefusesDeepNestingBeforeBuildingAValue) {
  EXPECT_EQ(*ParseJson(R"({"a":[1,{"b":"[[[["}]})"), Json::parse(R"({"a":[1,{"b":"[[[["}]})"));
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_ERROR(ParseJson(deep), ErrorCode::kParseError);
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_OK(ParseJson(ok));
  EXPECT_ERROR(ParseJson(std::string(65, '{')), ErrorCode::kParseError);
  EXPECT_ERROR(ParseJson("{not json"), ErrorCode::kParseError);
  // Brackets inside strings, and escaped quotes, do not count.
  EXPECT_OK(ParseJson("\"" + std::string(1000, '[') + "\\\"\""));
}

}  // namespace
}  // namespace fastbreak::nba
