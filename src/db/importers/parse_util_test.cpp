#include "db/importers/parse_util.hpp"

#include <gtest/gtest.h>

#include "db/importers/fivethirtyeight.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db::detail {
namespace {

TEST(ParseUtilTest, ParsesMinutesInEveryApiSpelling) {
  EXPECT_EQ(*ParseMinutes("34:12"), 34 * 60 + 12);
  EXPECT_EQ(*ParseMinutes("34.000000:12"), 34 * 60 + 12);
  EXPECT_EQ(*ParseMinutes("PT34M12.00S"), 34 * 60 + 12);
  EXPECT_EQ(*ParseMinutes("240:00"), 14400);
  EXPECT_EQ(*ParseMinutes("36"), 36 * 60);
  EXPECT_EQ(*ParseMinutes("PT00M05.40S"), 5);
  EXPECT_ERROR(ParseMinutes("abc"), ErrorCode::kParseError);
  EXPECT_ERROR(ParseMinutes("12:75"), ErrorCode::kParseError);
}

TEST(ParseUtilTest, ParsesGameClocks) {
  EXPECT_EQ(*ParseClock("11:43"), 703000);
  EXPECT_EQ(*ParseClock("PT11M43.00S"), 703000);
  EXPECT_EQ(*ParseClock("PT00M04.50S"), 4500);
  EXPECT_EQ(*ParseClock("0:04.5"), 4500);
  EXPECT_EQ(*ParseClock("12:00"), 720000);
  EXPECT_ERROR(ParseClock(""), ErrorCode::kParseError);
  EXPECT_ERROR(ParseClock("11-43"), ErrorCode::kParseError);
}

TEST(ParseUtilTest, ParsesDates) {
  EXPECT_EQ(*ParseDate("2023-10-24"), "2023-10-24");
  EXPECT_EQ(*ParseDate("2023-04-09 00:00:00"), "2023-04-09");
  EXPECT_EQ(*ParseDate("2023-10-24T00:00:00"), "2023-10-24");
  EXPECT_EQ(*ParseDate("OCT 24, 2023"), "2023-10-24");
  EXPECT_EQ(*ParseDate("Feb 29, 2024"), "2024-02-29");
  EXPECT_ERROR(ParseDate("2023-02-29"), ErrorCode::kParseError);
  EXPECT_ERROR(ParseDate("yesterday"), ErrorCode::kParseError);
}

TEST(ParseUtilTest, DescribesGameIds) {
  EXPECT_EQ(*NormalizeGameId("22300061"), "0022300061");
  EXPECT_ERROR(NormalizeGameId("00223x0061"), ErrorCode::kParseError);
  auto regular = DescribeGameId("0022300061");
  ASSERT_TRUE(regular.has_value());
  EXPECT_EQ(regular->season_id, 2023);
  EXPECT_EQ(regular->game_type, "regular");
  auto playoff = DescribeGameId("0042200405");
  ASSERT_TRUE(playoff.has_value());
  EXPECT_EQ(playoff->game_type, "playoffs");
  EXPECT_EQ(playoff->playoff_round, 4);
  EXPECT_EQ(playoff->series_game, 5);
  EXPECT_EQ(DescribeGameId("0029600001")->season_id, 1996);
  EXPECT_EQ(DescribeGameId("0052300101")->game_type, "playin");
  EXPECT_FALSE(DescribeGameId("0032300001").has_value());  // All-Star
}

TEST(ParseUtilTest, ConvertsBodyMeasures) {
  EXPECT_EQ(HeightToCm("6-9"), 206);
  EXPECT_EQ(HeightToCm("7-6"), 229);
  EXPECT_EQ(HeightToCm(""), std::nullopt);
  EXPECT_EQ(PoundsToKg(250), 113);
  EXPECT_EQ(PoundsToKg(0), std::nullopt);
  EXPECT_EQ(SeasonLabel(2022), "2022-23");
  EXPECT_EQ(SeasonLabel(1999), "1999-00");
}

TEST(ParseUtilTest, SynthesizesFiveThirtyEightIdsFromTheRecord) {
  EXPECT_EQ(*FiveThirtyEightGameId(2022, "regular", "2022-10-18", 1610612738), "5022203271");
  EXPECT_EQ(FiveThirtyEightGameId(2022, "playin", "2023-04-11", 1610612748)->substr(0, 5), "50522");
  EXPECT_EQ(FiveThirtyEightGameId(1985, "playoffs", "1986-05-01", 1610612738)->substr(0, 5),
            "59485");
  EXPECT_ERROR(FiveThirtyEightGameId(2022, "regular", "2022-06-30", 1610612738),
               ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fastbreak::db::detail
