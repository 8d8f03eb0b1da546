// The importers on PostgreSQL: every format, run on a SQLite file and on a PostgreSQL database
// side by side, gives the same inserted / updated / skipped counts and the same rows, on a
// first import, on one that updates, and on a re-import.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db/importers/copy_database_test_util.hpp"
#include "db/importers/import_test_util.hpp"
#include "db/importers/kaggle_test_file.hpp"
#include "db/importers/nba_api_test_data.hpp"
#include "db/importers/pg_test_util.hpp"

namespace fastbreak::db {
namespace {

// The counts and skip reasons of a report, one line each: equal strings mean equal reports.
std::string Describe(const ImportReport& report) {
  std::string out = fmt::format("files {}\n", report.files);
  for (const auto& [table, counts] : report.tables) {
    out += fmt::format("{}: +{} ~{} ={}\n", table, counts.inserted, counts.updated, counts.skipped);
  }
  for (const auto& [reason, count] : report.skip_reasons) {
    out += fmt::format("skipped ({}): {}\n", reason, count);
  }
  return out;
}

class ImporterPgTest : public testing_util::PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto sqlite = testing_util::OpenSqlite(dir_.File("nba.db"), AccessMode::kReadWrite);
    ASSERT_OK(sqlite);
    sqlite_ = std::move(*sqlite);
  }

  // Imports `files` into both databases; expects the same report from each and the same rows
  // in every table afterwards. Returns the report.
  ImportReport ImportBoth(ImportFormat format, const std::vector<std::string>& files) {
    auto on_sqlite = Import(*sqlite_.connection, format, files);
    EXPECT_TRUE(on_sqlite.has_value()) << on_sqlite.error().ToString();
    auto on_pg = Import(pg(), format, files);
    EXPECT_TRUE(on_pg.has_value()) << on_pg.error().ToString();
    if (!on_sqlite || !on_pg) return {};
    EXPECT_EQ(Describe(*on_pg), Describe(*on_sqlite));
    ExpectSameRows();
    return *on_sqlite;
  }

  void ExpectSameRows() {
    for (const auto& table : testing_util::kCopiedTables) {
      std::vector<std::string> columns = testing_util::Columns(*sqlite_.connection, table.name);
      if (table.name == "imports") std::erase(columns, "started_at");  // wall-clock time
      EXPECT_EQ(testing_util::SampleRows(pg(), table, columns, 1 << 30),
                testing_util::SampleRows(*sqlite_.connection, table, columns, 1 << 30))
          << table.name;
    }
  }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_.File(name);
    FILE* file = std::fopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    if (file == nullptr) return path;
    std::fwrite(content.data(), 1, content.size(), file);
    std::fclose(file);
    return path;
  }

  testing::TempDir dir_;
  testing_util::SqliteFile sqlite_;
};

int64_t Total(const ImportReport& report, int64_t TableCounts::*field) {
  int64_t total = 0;
  for (const auto& [table, counts] : report.tables) total += counts.*field;
  return total;
}

TEST_F(ImporterPgTest, NbaApiInsertsUpdatesAndSkipsAlike) {
  const std::string game_log = Write("playergamelog.json", testing_util::PlayerGameLog().dump());
  const std::vector<std::string> rest = {
      Write("leaguegamelog.json", testing_util::LeagueGameLog().dump()),
      Write("boxscore.json", testing_util::BoxScoreV2().dump()),
      Write("playbyplay.json", testing_util::PlayByPlayV2().dump())};

  // Games known only from a player's log: placeholders, scheduled.
  const ImportReport first = ImportBoth(ImportFormat::kNbaApi, {game_log});
  EXPECT_GT(Total(first, &TableCounts::inserted), 0);
  // The league log and box score fill them in: updates.
  const ImportReport second = ImportBoth(ImportFormat::kNbaApi, rest);
  EXPECT_GT(Total(second, &TableCounts::updated), 0);
  // The same files again: nothing changes.
  const ImportReport again = ImportBoth(ImportFormat::kNbaApi, rest);
  EXPECT_EQ(Total(again, &TableCounts::inserted), 0);
  EXPECT_EQ(Total(again, &TableCounts::updated), 0);
  EXPECT_GT(Total(again, &TableCounts::skipped), 0);
}

TEST_F(ImporterPgTest, KaggleImportsAlike) {
  const std::string path = dir_.File("nba.sqlite");
  {
    using testing_util::KaggleFile;
    KaggleFile file(path);
    file.Table("game", testing_util::GameColumns());
    file.Table("line_score", testing_util::LineScoreColumns());
    file.Table("play_by_play", testing_util::PlayByPlayColumns());
    file.Table("player", testing_util::kPlayerColumns);
    file.Table("common_player_info", testing_util::kPlayerInfoColumns);
    file.Game("0022200001", "2022-10-18", "1610612738", "1610612755", 126, 117, 240,
              "Regular Season");
    file.Game("0042200101", "2023-04-16", "1610612749", "1610612748", 130, 131, 265, "Playoffs");
    file.LineScore("0022200001", "1610612738", "1610612755", {35, 31, 30, 30}, {24, 36, 29, 28});
    file.LineScore("0042200101", "1610612749", "1610612748", {30, 30, 30, 28, 12},
                   {28, 29, 31, 30, 13});
    file.Play("0022200001", 2, 12, 1, "12:00", "", "", "", "0", "");
    file.Play("0022200001", 4, 1, 1, "11:35", "Tatum 26' 3PT Jump Shot (3 PTS)", "", "0 - 3",
              "1628369", "1610612738");
    file.Insert("player", {{"id", "'1628369'"},
                           {"full_name", "'Jayson Tatum'"},
                           {"first_name", "'Jayson'"},
                           {"last_name", "'Tatum'"},
                           {"is_active", "1"}});
    file.Insert("common_player_info", {{"person_id", "'1628369'"},
                                       {"first_name", "'Jayson'"},
                                       {"last_name", "'Tatum'"},
                                       {"display_first_last", "'Jayson Tatum'"},
                                       {"birthdate", "'1998-03-03 00:00:00'"},
                                       {"height", "'6-8'"},
                                       {"weight", "'210'"},
                                       {"position", "'Forward-Guard'"},
                                       {"from_year", "2017.0"},
                                       {"to_year", "2022.0"}});
  }
  const ImportReport first = ImportBoth(ImportFormat::kKaggle, {path});
  EXPECT_EQ(first.tables.at("games").inserted, 2);
  const ImportReport again = ImportBoth(ImportFormat::kKaggle, {path});
  EXPECT_EQ(Total(again, &TableCounts::inserted), 0);
  EXPECT_EQ(Total(again, &TableCounts::updated), 0);
}

TEST_F(ImporterPgTest, RealFilesImportAlike) {
  FB_REQUIRE_SHARED_DATA(data_dir);
  const std::string elo = data_dir + "/fivethirtyeight/nba_elo_2022-23.csv";
  const ImportReport games = ImportBoth(ImportFormat::kFiveThirtyEight, {elo});
  EXPECT_EQ(games.tables.at("games").inserted, 1315);
  const std::string responses = data_dir + "/nba_api/responses/";
  const ImportReport api =
      ImportBoth(ImportFormat::kNbaApi,
                 {responses + "commonallplayers.json", responses + "scoreboardv3.json",
                  responses + "boxscoretraditionalv3.json", responses + "playbyplayv3.json"});
  EXPECT_GT(api.tables.at("play_by_play").inserted, 400);
  const ImportReport again = ImportBoth(ImportFormat::kFiveThirtyEight, {elo});
  EXPECT_EQ(again.tables.at("games").inserted, 0);
  EXPECT_EQ(again.tables.at("games").updated, 0);
}

TEST_F(ImporterPgTest, AFailedImportLeavesPostgresUnchanged) {
  ImportBoth(ImportFormat::kNbaApi,
             {Write("leaguegamelog.json", testing_util::LeagueGameLog().dump())});
  const auto before = testing_util::CountRows(pg());
  // The first row is written before the second fails: the transaction takes it back.
  const std::string bad = Write("bad.csv",
                                "date,season,neutral,playoff,team1,team2,elo1_pre,elo2_pre,"
                                "score1,score2\n2022-10-18,2023,0,,BOS,PHI,1,1,126,117\n"
                                "2022-10-19,2023,0,,DET,ORL,1,1,113,10x\n");
  auto report = Import(pg(), ImportFormat::kFiveThirtyEight, {bad});
  EXPECT_ERROR(report, ErrorCode::kParseError);
  EXPECT_NE(report.error().message.find("bad.csv: line 3"), std::string::npos)
      << report.error().message;
  EXPECT_EQ(testing_util::CountRows(pg()), before);
  // And the connection is usable again.
  ImportBoth(ImportFormat::kNbaApi, {Write("boxscore.json", testing_util::BoxScoreV2().dump())});
}

}  // namespace
}  // namespace fastbreak::db
