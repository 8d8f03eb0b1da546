#include "db/importers/importer.hpp"

#include <gtest/gtest.h>

#include "db/importers/import_test_util.hpp"

namespace fastbreak::db {
namespace {

TEST(ImportFormatTest, ParsesTheCommandLineNames) {
  EXPECT_EQ(*ParseImportFormat("kaggle"), ImportFormat::kKaggle);
  EXPECT_EQ(*ParseImportFormat("nba-api"), ImportFormat::kNbaApi);
  EXPECT_EQ(*ParseImportFormat("538"), ImportFormat::kFiveThirtyEight);
  EXPECT_EQ(ImportFormatName(ImportFormat::kNbaApi), "nba-api");
  auto unknown = ParseImportFormat("espn");
  EXPECT_ERROR(unknown, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("'espn'"), std::string::npos);
}

TEST(ImportReportTest, TotalsEveryTable) {
  ImportReport report;
  report.tables["games"] = {3, 1, 2};
  report.tables["players"] = {10, 0, 5};
  const TableCounts total = report.Total();
  EXPECT_EQ(total.inserted, 13);
  EXPECT_EQ(total.updated, 1);
  EXPECT_EQ(total.skipped, 7);
}

class ImporterTest : public testing_util::ImportTest {};

TEST_F(ImporterTest, RejectsAnEmptySourceList) {
  EXPECT_ERROR(Run(ImportFormat::kNbaApi, {}), ErrorCode::kInvalidArgument);
}

TEST_F(ImporterTest, RejectsAMissingFileWithoutChangingAnything) {
  for (ImportFormat format :
       {ImportFormat::kNbaApi, ImportFormat::kFiveThirtyEight, ImportFormat::kKaggle}) {
    ExpectRejected(format, {dir_.File("absent.file")}, ErrorCode::kNotFound, {"absent.file"});
  }
}

TEST_F(ImporterTest, SeedsTeamsAndRecordsEachSourceFile) {
  const std::string header = "date,season,neutral,playoff,team1,team2,score1,score2\n";
  const std::string a = WriteFile("a.csv", header + "2022-10-18,2023,0,,BOS,PHI,126,117\n");
  const std::string b = WriteFile("b.csv", header +
                                               "2022-10-18,2023,0,,GSW,LAL,123,109\n"
                                               "2022-10-19,2023,0,,DET,ORL,,\n");
  std::vector<std::pair<int64_t, int64_t>> progress;
  auto report = Import(
      *connection_, ImportFormat::kFiveThirtyEight, {a, b},
      {.on_progress = [&](int64_t done, int64_t total) { progress.emplace_back(done, total); }});
  ASSERT_OK(report);
  EXPECT_EQ(report->files, 2);
  EXPECT_EQ(report->tables.at("teams").inserted, 30);
  EXPECT_GT(report->seconds, 0);
  EXPECT_EQ(progress, (std::vector<std::pair<int64_t, int64_t>>{{1, 2}, {2, 2}}));
  EXPECT_EQ(Int("SELECT count(*) FROM teams"), 30);
  EXPECT_EQ(Int("SELECT count(*) FROM imports"), 2);
  EXPECT_EQ(Int("SELECT inserted FROM imports WHERE source LIKE '%a.csv'"), 2);  // game, season
  EXPECT_EQ(Int("SELECT inserted FROM imports WHERE source LIKE '%b.csv'"), 1);
  EXPECT_EQ(Int("SELECT skipped FROM imports WHERE source LIKE '%b.csv'"), 1);  // unplayed
  EXPECT_EQ(Text("SELECT format FROM imports LIMIT 1"), "538");
}

}  // namespace
}  // namespace fastbreak::db
