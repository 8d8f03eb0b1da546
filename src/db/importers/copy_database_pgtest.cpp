// CopyDatabase from SQLite into a real PostgreSQL 15 (COPY FROM STDIN through the driver's
// BulkLoader).
#include <gtest/gtest.h>

#include <filesystem>

#include "db/importers/copy_database.hpp"
#include "db/importers/copy_database_test_util.hpp"
#include "db/importers/pg_test_util.hpp"
#include "db/schema/migrations.hpp"

namespace fastbreak::db {
namespace {

using testing_util::CountRows;
using testing_util::OpenSqlite;

// Text COPY must carry unchanged: its own escapes, separators, quotes and non-ASCII.
constexpr std::string_view kOddText[] = {"tab\there",   "new\nline", "back\\slash", "\\N",
                                         "it's \"ok\"", "Jokić",     "\r\n.\n\\.",  ""};

class CopyDatabasePgTest : public testing_util::PostgresTest {
 protected:
  static void SetUpTestSuite() {
    PostgresTest::SetUpTestSuite();
    source_dir_ = new testing::TempDir();
    const std::string path = source_dir_->File("source.db");
    const Status written = testing_util::WriteSourceLeague(path, false);
    ASSERT_TRUE(written.has_value()) << written.error().ToString();
    auto file = OpenSqlite(path, AccessMode::kReadWrite);
    ASSERT_TRUE(file.has_value());
    // Players and plays with every kind of text COPY must escape; one with an empty position
    // (not NULL), one with a NULL one.
    auto insert_player = file->connection->Prepare(
        "INSERT INTO players(player_id, first_name, last_name, full_name, position, country) "
        "VALUES (?, ?, ?, ?, ?, NULL)");
    ASSERT_TRUE(insert_player.has_value());
    auto insert_play = file->connection->Prepare(
        "INSERT INTO play_by_play(game_id, event_num, period, clock_ms, event_type, action, "
        "home_score, away_score, description) "
        "SELECT game_id, ?, 1, 700000, 1, ?, 0, 0, ? FROM games ORDER BY game_id LIMIT 1");
    ASSERT_TRUE(insert_play.has_value());
    int64_t id = 100;
    for (std::string_view text : kOddText) {
      (*insert_player)->BindAll(id, text, "Odd", std::string(text) + " Odd", text);
      ASSERT_TRUE((*insert_player)->Run().has_value());
      (*insert_play)->BindAll(id, text, text);
      ASSERT_TRUE((*insert_play)->Run().has_value());
      ++id;
    }
  }
  static void TearDownTestSuite() {
    delete source_dir_;
    source_dir_ = nullptr;
    PostgresTest::TearDownTestSuite();
  }

  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto source = OpenSqlite(source_dir_->File("source.db"), AccessMode::kReadOnly);
    ASSERT_OK(source);
    source_ = std::move(*source);
  }

  Connection& source() { return *source_.connection; }

  // Every copied table's rows equal column by column: all of them for the small tables, the
  // first 2,000 in key order for the box scores.
  void ExpectSameRows() {
    for (const auto& table : testing_util::kCopiedTables) {
      const auto columns = testing_util::Columns(source(), table.name);
      ASSERT_FALSE(columns.empty()) << table.name;
      const auto expected = testing_util::SampleRows(source(), table, columns, 2000);
      const auto copied = testing_util::SampleRows(pg(), table, columns, 2000);
      ASSERT_EQ(copied.size(), expected.size()) << table.name;
      for (size_t i = 0; i < expected.size(); ++i) {
        ASSERT_EQ(copied[i], expected[i]) << table.name << " row " << i;
      }
    }
  }

  // Every index and constraint of the target, as the catalog defines them.
  std::string Schema() {
    auto definitions = pg().QueryScalar(
        "SELECT string_agg(d, E'\\n' ORDER BY d) FROM ("
        " SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' UNION ALL"
        " SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
        " FROM pg_constraint WHERE connamespace = 'public'::regnamespace) AS s");
    EXPECT_TRUE(definitions.has_value()) << definitions.error().ToString();
    return definitions ? std::get<std::string>(*definitions) : "";
  }

  static testing::TempDir* source_dir_;
  testing_util::SqliteFile source_;
};

testing::TempDir* CopyDatabasePgTest::source_dir_ = nullptr;

TEST_F(CopyDatabasePgTest, CopiesEveryTableIntoPostgres) {
  int64_t last_done = -1;
  int64_t last_total = -1;
  CopyOptions options;
  options.page_rows = 4999;  // several pages for the box scores
  options.progress = [&](std::string_view, int64_t done, int64_t total) {
    last_done = done;
    last_total = total;
  };
  ASSERT_OK(Migrate(pg()));
  const std::string schema = Schema();
  ASSERT_NE(schema.find("FOREIGN KEY (player_id) REFERENCES players(player_id)"), std::string::npos)
      << schema;
  auto report = CopyDatabase(source(), pg(), options);
  ASSERT_OK(report);
  EXPECT_TRUE(report->analyze_error.empty()) << report->analyze_error;
  // The foreign keys and indexes dropped for the load are back, and enforced.
  EXPECT_EQ(Schema(), schema);
  EXPECT_GT(report->constraint_seconds, 0);
  EXPECT_ERROR(pg().Execute("INSERT INTO player_game_stats(game_id, player_id, team_id) SELECT "
                            "game_id, 999, home_team_id FROM games LIMIT 1"),
               ErrorCode::kConstraint);

  const auto counts = CountRows(source());
  EXPECT_EQ(CountRows(pg()), counts);
  EXPECT_GT(counts.at("player_game_stats"), 20000);
  EXPECT_EQ(counts.at("play_by_play"), std::size(kOddText));
  EXPECT_EQ(report->rows, last_done);
  EXPECT_EQ(report->rows, last_total);
  EXPECT_GT(report->RowsPerSecond(), 0);
  ExpectSameRows();

  // The odd texts came through byte for byte, and the empty string did not become NULL.
  auto names = pg().Query(
      "SELECT first_name, position FROM players WHERE player_id >= 100 AND "
      "player_id < 200 ORDER BY player_id");
  ASSERT_OK(names);
  ASSERT_EQ(names->rows.size(), std::size(kOddText));
  for (size_t i = 0; i < std::size(kOddText); ++i) {
    EXPECT_EQ(names->rows[i][0], Value(std::string(kOddText[i]))) << i;
    EXPECT_EQ(names->rows[i][1], Value(std::string(kOddText[i]))) << i;
  }
  auto countries = pg().QueryScalar("SELECT COUNT(*) FROM players WHERE country IS NULL");
  ASSERT_OK(countries);
  EXPECT_GT(std::get<int64_t>(*countries), 0);

  // The next import gets an id after the copied ones (3 and 7), not 1.
  auto next = pg().QueryScalar(
      "INSERT INTO imports(format, source) VALUES ('538', 'x.csv') RETURNING import_id");
  ASSERT_OK(next);
  EXPECT_EQ(*next, Value(int64_t{8}));

  // Statistics are fresh: the planner knows the tables' sizes.
  auto analyzed = pg().QueryScalar(
      "SELECT COUNT(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND relname IN "
      "('teams', 'players', 'games', 'player_game_stats', 'play_by_play')");
  ASSERT_OK(analyzed);
  EXPECT_EQ(*analyzed, Value(int64_t{5}));
  auto version = SchemaVersion(pg());
  ASSERT_OK(version);
  EXPECT_EQ(*version, LatestSchemaVersion());
}

TEST_F(CopyDatabasePgTest, ASecondCopyNeedsReplace) {
  ASSERT_OK(CopyDatabase(source(), pg()));
  ASSERT_OK(pg().Execute("DELETE FROM play_by_play WHERE event_num = 100"));
  const auto before = CountRows(pg());

  auto again = CopyDatabase(source(), pg());
  EXPECT_ERROR(again, ErrorCode::kAlreadyExists);
  EXPECT_NE(again.error().message.find("teams"), std::string::npos) << again.error().message;
  EXPECT_EQ(CountRows(pg()), before);

  ASSERT_OK(CopyDatabase(source(), pg(), {.replace = true}));
  EXPECT_EQ(CountRows(pg()), CountRows(source()));
  ExpectSameRows();
}

TEST_F(CopyDatabasePgTest, ARowPostgresRefusesFailsTheCopyAndChangesNothing) {
  const std::string broken_path = source_dir_->File("broken.db");
  std::filesystem::copy_file(source_dir_->File("source.db"), broken_path,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_OK(testing_util::AddOrphanBoxScore(broken_path));
  auto broken = OpenSqlite(broken_path, AccessMode::kReadOnly);
  ASSERT_OK(broken);

  // Into an empty database: nothing stays but the schema, keys and indexes included.
  ASSERT_OK(Migrate(pg()));
  const std::string schema = Schema();
  auto report = CopyDatabase(*broken->connection, pg());
  ASSERT_FALSE(report.has_value()) << "a box score of a missing player was copied";
  EXPECT_EQ(report.error().code, ErrorCode::kConstraint) << report.error().ToString();
  EXPECT_NE(report.error().message.find("table player_game_stats"), std::string::npos)
      << report.error().message;
  EXPECT_NE(report.error().message.find("foreign key"), std::string::npos)
      << "the server's message is missing: " << report.error().message;
  for (const auto& [table, rows] : CountRows(pg())) EXPECT_EQ(rows, 0) << table;
  EXPECT_EQ(Schema(), schema);

  // Over a good copy with replace: the truncated tables come back as they were.
  ASSERT_OK(CopyDatabase(source(), pg()));
  EXPECT_ERROR(CopyDatabase(*broken->connection, pg(), {.replace = true}), ErrorCode::kConstraint);
  EXPECT_EQ(CountRows(pg()), CountRows(source()));
  EXPECT_EQ(Schema(), schema);
  ExpectSameRows();
}

TEST_F(CopyDatabasePgTest, CopiesBackFromPostgresIntoSqlite) {
  // Any backend to any: PostgreSQL as the source gives the same rows back.
  ASSERT_OK(CopyDatabase(source(), pg()));
  testing::TempDir dir;
  auto back = OpenSqlite(dir.File("back.db"), AccessMode::kReadWrite);
  ASSERT_OK(back);
  CopyOptions options;
  options.page_rows = 3001;  // pages read from PostgreSQL, in its key order
  ASSERT_OK(CopyDatabase(pg(), *back->connection, options));
  EXPECT_EQ(CountRows(*back->connection), CountRows(source()));
  for (const auto& table : testing_util::kCopiedTables) {
    const auto columns = testing_util::Columns(source(), table.name);
    EXPECT_EQ(testing_util::SampleRows(*back->connection, table, columns, 1 << 30),
              testing_util::SampleRows(source(), table, columns, 1 << 30))
        << table.name;
  }
}

}  // namespace
}  // namespace fastbreak::db
