#include "core/error.hpp"

#include <gtest/gtest.h>

#include "testing/testing.hpp"

namespace fastbreak {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return MakeError(ErrorCode::kInvalidArgument, "{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  FB_ASSIGN_OR_RETURN(int half, Half(x));
  FB_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(ErrorTest, AssignOrReturnPropagatesTheFirstError) {
  ASSERT_OK(Quarter(8));
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_ERROR(Quarter(6), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Quarter(6).error().message, "3 is odd");
}

TEST(ErrorTest, ToStringNamesTheClass) {
  Error e{ErrorCode::kNotFound, "no player named 'Jordn'"};
  EXPECT_EQ(e.ToString(), "not_found: no player named 'Jordn'");
}

TEST(ErrorTest, JsonRpcCodesFollowTheSpecification) {
  EXPECT_EQ(JsonRpcCode(ErrorCode::kParseError), -32700);
  EXPECT_EQ(JsonRpcCode(ErrorCode::kInvalidRequest), -32600);
  EXPECT_EQ(JsonRpcCode(ErrorCode::kMethodNotFound), -32601);
  EXPECT_EQ(JsonRpcCode(ErrorCode::kInvalidArgument), -32602);
  EXPECT_EQ(JsonRpcCode(ErrorCode::kInternal), -32603);
  EXPECT_EQ(JsonRpcCode(ErrorCode::kResourceNotFound), -32002);
}

TEST(ErrorTest, HttpStatusesByClass) {
  EXPECT_EQ(HttpStatus(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatus(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatus(ErrorCode::kBusy), 503);
  EXPECT_EQ(HttpStatus(ErrorCode::kTimeout), 504);
  EXPECT_EQ(HttpStatus(ErrorCode::kInternal), 500);
}

TEST(ErrorTest, EveryCodeHasANameAndMappings) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    EXPECT_FALSE(ErrorCodeName(code).empty());
    EXPECT_GE(HttpStatus(code), 400);
    EXPECT_LT(JsonRpcCode(code), 0);
  }
}

}  // namespace
}  // namespace fastbreak
