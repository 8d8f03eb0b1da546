#include "db/importers/parse_util.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "db/calendar.hpp"
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
}

TEST(ParseUtilTest, RejectsAbsurdMeasuresInsteadOfOverflowing) {
  // 1537228672809129308 feet x 12 wraps around to 80 inches (203 cm) in 64 bits.
  EXPECT_EQ(HeightToCm("1537228672809129308-0"), std::nullopt);
  EXPECT_EQ(HeightToCm("9223372036854775807-11"), std::nullopt);
  EXPECT_EQ(HeightToCm("6-9223372036854775807"), std::nullopt);
  EXPECT_EQ(HeightToCm("6--1"), std::nullopt);
  EXPECT_EQ(HeightToCm("6-12"), std::nullopt);
  EXPECT_EQ(PoundsToKg(1e300), std::nullopt);
  EXPECT_EQ(PoundsToKg(-1e300), std::nullopt);
  EXPECT_EQ(PoundsToKg(std::nan("")), std::nullopt);
}

TEST(ParseUtilTest, RejectsAbsurdMinutesInsteadOfOverflowing) {
  EXPECT_EQ(SecondsFromMinutes(240), 14400);
  EXPECT_EQ(SecondsFromMinutes(34, 12.4), 34 * 60 + 12);
  EXPECT_EQ(SecondsFromMinutes(1e300), std::nullopt);
  EXPECT_EQ(SecondsFromMinutes(-1), std::nullopt);
  EXPECT_EQ(SecondsFromMinutes(std::nan("")), std::nullopt);
  EXPECT_EQ(SecondsFromMinutes(4611686018427388144.0), std::nullopt);
  EXPECT_ERROR(ParseMinutes("1e300"), ErrorCode::kParseError);
  EXPECT_ERROR(ParseMinutes("1e300:00"), ErrorCode::kParseError);
  EXPECT_ERROR(ParseMinutes("PT1e300M00.00S"), ErrorCode::kParseError);
}

TEST(ParseUtilTest, ParsesIntegersWithOneSignAtMost) {
  EXPECT_EQ(ParseInt(" +12 "), 12);
  EXPECT_EQ(ParseInt("-12"), -12);
  EXPECT_EQ(ParseInt("+-12"), std::nullopt);
  EXPECT_EQ(ParseInt("+"), std::nullopt);
  EXPECT_EQ(ParseDouble("+-1.5"), std::nullopt);
  EXPECT_EQ(ParseDouble("+1.5"), 1.5);
}

TEST(ParseUtilTest, ComparesIgnoringCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Made Shot", "MADE SHOT"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("period", "periods"));
  EXPECT_FALSE(EqualsIgnoreCase("start", "stars"));
}

TEST(ParseUtilTest, SynthesizesFiveThirtyEightIdsFromTheRecord) {
  EXPECT_EQ(*FiveThirtyEightGameId(2022, "regular", "2022-10-18", 1610612738), "5022203271");
  EXPECT_EQ(FiveThirtyEightGameId(2022, "playin", "2023-04-11", 1610612748)->substr(0, 5), "50522");
  EXPECT_EQ(FiveThirtyEightGameId(1985, "playoffs", "1986-05-01", 1610612738)->substr(0, 5),
            "59485");
  EXPECT_ERROR(FiveThirtyEightGameId(2022, "regular", "2022-06-30", 1610612738),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(FiveThirtyEightGameId(2022, "regular", "2022-10-18", 1),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(FiveThirtyEightGameId(2022, "regular", "2022-10", 1610612738),
               ErrorCode::kInvalidArgument);
}

TEST(ParseUtilTest, FiveThirtyEightIdsKeepTheirTenCharactersUpToTheLastDay) {
  // Day 3333 after July 1, 2022: 3333 x 30 = 99990, so team indexes 0-9 still fit.
  const DateText last = FormatDate(DaysFromCivil(2022, 7, 1) + 3333);
  const std::string date(last.data());
  EXPECT_EQ(*FiveThirtyEightGameId(2022, "regular", date, 1610612737), "5022299990");
  EXPECT_EQ(*FiveThirtyEightGameId(2022, "regular", date, 1610612746), "5022299999");
  // Index 10 (1610612747) would need sequence 100000: an 11-character id.
  EXPECT_ERROR(FiveThirtyEightGameId(2022, "regular", date, 1610612747),
               ErrorCode::kInvalidArgument);
  EXPECT_ERROR(FiveThirtyEightGameId(2022, "regular", date, 1610612766),
               ErrorCode::kInvalidArgument);
  const DateText after = FormatDate(DaysFromCivil(2022, 7, 1) + 3334);
  EXPECT_ERROR(FiveThirtyEightGameId(2022, "regular", std::string(after.data()), 1610612737),
               ErrorCode::kInvalidArgument);
  const DateText before = FormatDate(DaysFromCivil(2022, 7, 1) + 3332);
  EXPECT_EQ(*FiveThirtyEightGameId(2022, "regular", std::string(before.data()), 1610612766),
            "5022299989");
}

}  // namespace
}  // namespace fastbreak::db::detail
