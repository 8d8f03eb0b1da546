#include <gtest/gtest.h>

#include "nba/lookup.hpp"
#include "nba/nba_test_util.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {

using Json = nlohmann::json;

namespace {

class TeamLookupTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = testing::OpenGeneratedLeague(); }

  // The abbreviation `value` resolves to, or the error's code name.
  std::string Team(const Json& value) {
    auto team = ResolveTeam(*db_, value);
    if (!team) return std::string(ErrorCodeName(team.error().code));
    return team->abbreviation;
  }

  std::unique_ptr<db::Connection> db_;
};

TEST_F(TeamLookupTest, ResolvesEveryNamingForm) {
  EXPECT_EQ(Team(1610612747), "LAL");
  EXPECT_EQ(Team("1610612738"), "BOS");
  EXPECT_EQ(Team("lal"), "LAL");
  EXPECT_EQ(Team("GS"), "GSW");
  EXPECT_EQ(Team("PHO"), "PHX");
  EXPECT_EQ(Team("BRK"), "BKN");
  EXPECT_EQ(Team("NJN"), "BKN");
  EXPECT_EQ(Team("NY"), "NYK");
  EXPECT_EQ(Team("Boston"), "BOS");
  EXPECT_EQ(Team("celtics"), "BOS");
  EXPECT_EQ(Team("Golden State Warriors"), "GSW");
  EXPECT_EQ(Team("  Miami   Heat "), "MIA");
  EXPECT_EQ(Team("Trail Blazers"), "POR");
  EXPECT_EQ(Team("76ers"), "PHI");
  EXPECT_EQ(Team("Sixers"), "PHI");
  EXPECT_EQ(Team("LA Clippers"), "LAC");
  EXPECT_EQ(Team("Oklahoma City"), "OKC");
}

TEST_F(TeamLookupTest, ResolvesMisspellings) {
  EXPECT_EQ(Team("Celitcs"), "BOS");
  EXPECT_EQ(Team("Lakres"), "LAL");
  EXPECT_EQ(Team("Milwaukee Bucs"), "MIL");
  EXPECT_EQ(Team("Warriros"), "GSW");
}

TEST_F(TeamLookupTest, AmbiguousCityListsCandidates) {
  auto team = ResolveTeam(*db_, "Los Angeles");
  EXPECT_ERROR(team, ErrorCode::kInvalidArgument);
  EXPECT_NE(team.error().message.find("Los Angeles Lakers"), std::string::npos);
  EXPECT_NE(team.error().message.find("Los Angeles Clippers"), std::string::npos)
      << team.error().message;
  EXPECT_ERROR(ResolveTeam(*db_, "New"), ErrorCode::kInvalidArgument);
}

TEST_F(TeamLookupTest, UnknownTeamsAndBadTypes) {
  auto team = ResolveTeam(*db_, "Quidditch United");
  EXPECT_ERROR(team, ErrorCode::kNotFound);
  EXPECT_NE(team.error().message.find("abbreviation"), std::string::npos);
  EXPECT_ERROR(ResolveTeam(*db_, 42), ErrorCode::kNotFound);
  EXPECT_ERROR(ResolveTeam(*db_, ""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ResolveTeam(*db_, 3.5), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ResolveTeam(*db_, Json::array()), ErrorCode::kInvalidArgument);
  auto named = ResolveTeam(*db_, "bos", "team1");
  ASSERT_OK(named);
  EXPECT_EQ(named->name, "Boston Celtics");
  EXPECT_EQ(named->conference, "East");
  EXPECT_EQ(named->division, "Atlantic");
  auto bad = ResolveTeam(*db_, true, "team2");
  EXPECT_ERROR(bad, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("team2"), std::string::npos);
}

TEST_F(TeamLookupTest, ResolvesSeasons) {
  const Json y2023 = 2023;
  const Json label = "2023-24";
  const Json long_label = "2023-2024";
  const Json century = "1999-00";
  const Json text_year = "2019";
  EXPECT_EQ(ResolveSeason(*db_, &y2023).value_or(0), 2023);
  EXPECT_EQ(ResolveSeason(*db_, &label).value_or(0), 2023);
  EXPECT_EQ(ResolveSeason(*db_, &long_label).value_or(0), 2023);
  EXPECT_EQ(ResolveSeason(*db_, &century).value_or(0), 1999);
  EXPECT_EQ(ResolveSeason(*db_, &text_year).value_or(0), 2019);
  // Absent: the latest season in the database (the generated league has 2024-25 only).
  EXPECT_EQ(ResolveSeason(*db_, nullptr).value_or(0), 2024);
  const Json null_value;
  EXPECT_EQ(ResolveSeason(*db_, &null_value).value_or(0), 2024);
  for (const Json& bad : {Json(1900), Json(2200), Json("2023-25"), Json("twenty"), Json("20"),
                          Json(2023.5), Json(true), Json("2023-2")}) {
    SCOPED_TRACE(bad.dump());
    EXPECT_ERROR(ResolveSeason(*db_, &bad), ErrorCode::kInvalidArgument);
  }
}

TEST_F(TeamLookupTest, SeasonLabels) {
  EXPECT_EQ(SeasonLabel(2023), "2023-24");
  EXPECT_EQ(SeasonLabel(1999), "1999-00");
  EXPECT_EQ(SeasonLabel(2009), "2009-10");
}

TEST_F(TeamLookupTest, ParsesGameIds) {
  EXPECT_EQ(ParseGameId("0022300061").value_or(""), "0022300061");
  EXPECT_EQ(ParseGameId(22300061).value_or(""), "0022300061");
  EXPECT_EQ(ParseGameId("22300061").value_or(""), "0022300061");
  EXPECT_ERROR(ParseGameId("00223000611"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParseGameId("game 61"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParseGameId(""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParseGameId(-5), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(ParseGameId(Json::object()), ErrorCode::kInvalidArgument);
  auto error = ParseGameId(1.5, "id");
  EXPECT_ERROR(error, ErrorCode::kInvalidArgument);
  EXPECT_NE(error.error().message.find("schedule"), std::string::npos);
}

}  // namespace
}  // namespace fastbreak::nba
