// CopyDatabase between two SQLite files (the target's default BulkLoader: one prepared INSERT).
#include "db/importers/copy_database.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "db/importers/copy_database_test_util.hpp"
#include "db/schema/migrations.hpp"

namespace fastbreak::db {
namespace {

using testing_util::CountRows;
using testing_util::OpenSqlite;
using testing_util::SqliteFile;

class CopyDatabaseTest : public ::testing::Test {
 protected:
  // One generated league (no play-by-play: it is the same code path, and slow to generate)
  // shared by every test; each test copies it or opens it read-only.
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const Status written = testing_util::WriteSourceLeague(dir_->File("source.db"), false);
    ASSERT_TRUE(written.has_value()) << written.error().ToString();
    // A few play-by-play rows, so that the table is not copied empty.
    auto file = OpenSqlite(dir_->File("source.db"), AccessMode::kReadWrite);
    ASSERT_TRUE(file.has_value());
    const Status plays = file->connection->ExecuteScript(
        "INSERT INTO play_by_play(game_id, event_num, period, clock_ms, event_type, action, "
        "team_id, player_id, home_score, away_score, description) "
        "SELECT game_id, 1, 1, 720000, 12, NULL, NULL, NULL, 0, 0, 'Start of 1st Period' "
        "FROM games ORDER BY game_id LIMIT 5; "
        "INSERT INTO play_by_play(game_id, event_num, period, clock_ms, event_type, action, "
        "team_id, home_score, away_score, description) "
        "SELECT game_id, 2, 1, 700000, 1, 'Jump Shot', home_team_id, 2, 0, 'It''s good' "
        "FROM games ORDER BY game_id LIMIT 5");
    ASSERT_TRUE(plays.has_value()) << plays.error().ToString();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_FALSE(HasFatalFailure());
    auto source = OpenSqlite(dir_->File("source.db"), AccessMode::kReadOnly);
    ASSERT_OK(source);
    source_ = std::move(*source);
    auto target = OpenSqlite(target_dir_.File("target.db"), AccessMode::kReadWrite);
    ASSERT_OK(target);
    target_ = std::move(*target);
  }

  // A copy of the shared source file that a test may change.
  std::string SourceCopy() {
    const std::string path = target_dir_.File("source-copy.db");
    std::filesystem::copy_file(dir_->File("source.db"), path,
                               std::filesystem::copy_options::overwrite_existing);
    return path;
  }

  Connection& source() { return *source_.connection; }
  Connection& target() { return *target_.connection; }

  static testing::TempDir* dir_;
  testing::TempDir target_dir_;
  SqliteFile source_;
  SqliteFile target_;
};

testing::TempDir* CopyDatabaseTest::dir_ = nullptr;

TEST_F(CopyDatabaseTest, CopiesEveryTableRowForRow) {
  std::vector<std::string> tables_seen;
  int64_t last_done = 0;
  int64_t last_total = 0;
  CopyOptions options;
  options.page_rows = 997;  // many pages per table, the last one partial
  options.progress = [&](std::string_view table, int64_t done, int64_t total) {
    if (tables_seen.empty() || tables_seen.back() != table) tables_seen.emplace_back(table);
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  };
  auto report = CopyDatabase(source(), target(), options);
  ASSERT_OK(report);

  const auto counts = CountRows(source());
  EXPECT_EQ(CountRows(target()), counts);
  EXPECT_GT(counts.at("player_game_stats"), 20000);
  EXPECT_EQ(counts.at("play_by_play"), 10);
  int64_t total = 0;
  ASSERT_EQ(report->tables.size(), testing_util::kCopiedTables.size());
  for (size_t i = 0; i < report->tables.size(); ++i) {
    const TableCopy& copied = report->tables[i];
    EXPECT_EQ(copied.table, testing_util::kCopiedTables[i].name);  // parents first
    EXPECT_EQ(copied.rows, counts.at(copied.table)) << copied.table;
    total += copied.rows;
  }
  EXPECT_EQ(report->rows, total);
  EXPECT_GT(report->RowsPerSecond(), 0);
  EXPECT_EQ(last_done, total);
  EXPECT_EQ(last_total, total);
  EXPECT_EQ(tables_seen.size(), testing_util::kCopiedTables.size());

  // Every row, every column.
  for (const auto& table : testing_util::kCopiedTables) {
    const auto columns = testing_util::Columns(source(), table.name);
    EXPECT_EQ(testing_util::SampleRows(target(), table, columns, 1 << 30),
              testing_util::SampleRows(source(), table, columns, 1 << 30))
        << table.name;
  }
  auto version = SchemaVersion(target());
  ASSERT_OK(version);
  EXPECT_EQ(*version, LatestSchemaVersion());
}

TEST_F(CopyDatabaseTest, ANonEmptyTargetIsRefusedUnlessReplaced) {
  ASSERT_OK(CopyDatabase(source(), target()));
  ASSERT_OK(
      target().ExecuteScript("INSERT INTO players(player_id, first_name, last_name, full_name) "
                             "VALUES (42, 'Extra', 'Row', 'Extra Row')"));
  const auto before = CountRows(target());

  auto again = CopyDatabase(source(), target());
  EXPECT_ERROR(again, ErrorCode::kAlreadyExists);
  EXPECT_NE(again.error().message.find("teams"), std::string::npos) << again.error().message;
  EXPECT_EQ(CountRows(target()), before);

  auto replaced = CopyDatabase(source(), target(), {.replace = true});
  ASSERT_OK(replaced);
  EXPECT_EQ(CountRows(target()), CountRows(source()));
  auto extra = target().Query("SELECT 1 FROM players WHERE player_id = 42");
  ASSERT_OK(extra);
  EXPECT_TRUE(extra->rows.empty()) << "replace kept a row the source does not have";
}

TEST_F(CopyDatabaseTest, ABrokenRowFailsTheCopyNamingItsTableAndChangesNothing) {
  const std::string broken = SourceCopy();
  ASSERT_OK(testing_util::AddOrphanBoxScore(broken));
  auto broken_source = OpenSqlite(broken, AccessMode::kReadOnly);
  ASSERT_OK(broken_source);

  auto report = CopyDatabase(*broken_source->connection, target());
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kConstraint) << report.error().ToString();
  EXPECT_NE(report.error().message.find("player_game_stats"), std::string::npos)
      << report.error().message;
  for (const auto& [table, rows] : CountRows(target())) EXPECT_EQ(rows, 0) << table;

  // Nor does a failed replace: the rows emptied first come back.
  ASSERT_OK(CopyDatabase(source(), target()));
  const auto before = CountRows(target());
  EXPECT_ERROR(CopyDatabase(*broken_source->connection, target(), {.replace = true}),
               ErrorCode::kConstraint);
  EXPECT_EQ(CountRows(target()), before);
}

TEST_F(CopyDatabaseTest, TheSourceMustBeAFastbreakDatabaseAtTheLatestVersion) {
  auto empty = OpenSqlite(target_dir_.File("empty.db"), AccessMode::kReadWrite);
  ASSERT_OK(empty);
  ASSERT_OK(empty->connection->ExecuteScript("CREATE TABLE unrelated(x INTEGER)"));
  auto not_fastbreak = CopyDatabase(*empty->connection, target());
  EXPECT_ERROR(not_fastbreak, ErrorCode::kInvalidArgument);
  EXPECT_NE(not_fastbreak.error().message.find("not a fastbreak database"), std::string::npos);

  const std::string old = SourceCopy();
  auto file = OpenSqlite(old, AccessMode::kReadWrite);
  ASSERT_OK(file);
  ASSERT_OK(file->connection->ExecuteScript("DELETE FROM schema_migrations WHERE version > 1"));
  auto outdated = CopyDatabase(*file->connection, target());
  EXPECT_ERROR(outdated, ErrorCode::kUnsupported);
  EXPECT_NE(outdated.error().message.find("schema version 1"), std::string::npos)
      << outdated.error().message;
  auto tables = target().Query("SELECT name FROM sqlite_master WHERE name = 'games'");
  ASSERT_OK(tables);
  EXPECT_TRUE(tables->rows.empty()) << "a refused source changed the target";
}

TEST_F(CopyDatabaseTest, ARowTheTargetHasNoColumnForIsRefused) {
  const std::string wider = SourceCopy();
  auto file = OpenSqlite(wider, AccessMode::kReadWrite);
  ASSERT_OK(file);
  ASSERT_OK(file->connection->ExecuteScript("ALTER TABLE seasons ADD COLUMN champion INTEGER"));
  auto report = CopyDatabase(*file->connection, target());
  EXPECT_ERROR(report, ErrorCode::kNotFound);
  EXPECT_NE(report.error().message.find("seasons"), std::string::npos) << report.error().message;
  EXPECT_NE(report.error().message.find("champion"), std::string::npos) << report.error().message;
}

TEST_F(CopyDatabaseTest, AReadOnlyTargetIsRefused) {
  auto read_only = OpenSqlite(dir_->File("source.db"), AccessMode::kReadOnly);
  ASSERT_OK(read_only);
  EXPECT_ERROR(CopyDatabase(source(), *read_only->connection), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace fastbreak::db
