// The NBA schema and its migrations on a real PostgreSQL 15: the same tables, columns, views and
// value types as on SQLite, migrations that are idempotent and safe to run from several
// sessions at once, and text that sorts by bytes whatever the database's collation.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "db/postgres/postgres_database.hpp"
#include "db/schema/migrations.hpp"
#include "db/schema/teams.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/postgres_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {
namespace {

class PgMigrationsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::PostgresServer::Available()) return;
    server_ = new testing::PostgresServer();
    if (auto started = server_->StartPrimary(); !started) {
      start_error_ = new std::string(started.error().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << testing::PostgresServer::UnavailableMessage();
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    database_ = NewDatabase();
    ASSERT_NE(database_, nullptr);
    c_ = Connect(*database_);
    ASSERT_NE(c_, nullptr);
  }

  // A fresh database on the shared server, so that tests do not see each other's schema.
  // `create_options` is appended to CREATE DATABASE.
  static std::unique_ptr<PostgresDatabase> NewDatabase(std::string_view create_options = "") {
    static std::atomic<int> counter{0};
    const std::string name = fmt::format("migrations_{}", counter++);
    auto created = server_->Query(fmt::format("CREATE DATABASE {} {}", name, create_options));
    EXPECT_TRUE(created.has_value()) << created.error().ToString();
    if (!created) return nullptr;
    auto database =
        PostgresDatabase::Open({.dsn = fmt::format("host=127.0.0.1 port={} dbname={} user=postgres",
                                                   server_->port(), name)});
    EXPECT_TRUE(database.has_value()) << database.error().ToString();
    return database ? std::move(*database) : nullptr;
  }

  static std::unique_ptr<Connection> Connect(Database& database,
                                             AccessMode mode = AccessMode::kReadWrite) {
    auto connection = database.Connect(mode);
    EXPECT_TRUE(connection.has_value()) << connection.error().ToString();
    return connection ? std::move(*connection) : nullptr;
  }

  static std::vector<std::vector<Value>> Rows(Connection& c, std::string_view sql) {
    auto result = c.Query(sql);
    EXPECT_TRUE(result.has_value()) << sql << " -> " << result.error().ToString();
    return result ? result->rows : std::vector<std::vector<Value>>{};
  }

  static std::vector<std::string> Column(Connection& c, std::string_view sql) {
    std::vector<std::string> out;
    for (const auto& row : Rows(c, sql)) {
      out.push_back(std::holds_alternative<std::string>(row[0]) ? std::get<std::string>(row[0])
                                                                : "?");
    }
    return out;
  }

  int64_t Count(std::string_view sql) {
    auto value = c_->QueryScalar(sql);
    EXPECT_TRUE(value.has_value()) << value.error().ToString();
    return value && std::holds_alternative<int64_t>(*value) ? std::get<int64_t>(*value) : -1;
  }

  static testing::PostgresServer* server_;
  static std::string* start_error_;
  std::unique_ptr<PostgresDatabase> database_;
  std::unique_ptr<Connection> c_;
};

testing::PostgresServer* PgMigrationsTest::server_ = nullptr;
std::string* PgMigrationsTest::start_error_ = nullptr;

TEST_F(PgMigrationsTest, AppliesEveryMigrationOnceAndIsIdempotent) {
  EXPECT_EQ(*SchemaVersion(*c_), 0);
  auto first = Migrate(*c_);
  ASSERT_OK(first);
  EXPECT_EQ(*first, LatestSchemaVersion());
  EXPECT_EQ(*SchemaVersion(*c_), LatestSchemaVersion());
  auto second = Migrate(*c_);
  ASSERT_OK(second);
  EXPECT_EQ(*second, 0);
  // The same versions and names as on SQLite, so a version means the same schema.
  const auto& sqlite = NbaMigrations(Dialect::kSqlite);
  const auto rows = Rows(*c_,
                         "SELECT version, name, applied_at FROM schema_migrations "
                         "ORDER BY version");
  ASSERT_EQ(rows.size(), sqlite.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(std::get<int64_t>(rows[i][0]), sqlite[i].version);
    EXPECT_EQ(std::get<std::string>(rows[i][1]), sqlite[i].name);
    EXPECT_EQ(std::get<std::string>(rows[i][2]).size(), 20u);  // 2024-01-02T03:04:05Z
  }
}

// Every table and view has the columns SQLite's has, in the same order; every index exists.
TEST_F(PgMigrationsTest, CreatesTheSameTablesViewsAndIndexesAsSqlite) {
  ASSERT_OK(Migrate(*c_));
  testing::TempDir dir;
  auto sqlite_db = SqliteDatabase::Open({.path = dir.File("s.db")});
  ASSERT_OK(sqlite_db);
  auto sqlite = Connect(**sqlite_db);
  ASSERT_OK(Migrate(*sqlite));
  const auto objects = Column(*sqlite,
                              "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                              "AND name NOT LIKE 'sqlite_%' ORDER BY name");
  ASSERT_EQ(objects.size(), 13u);  // 9 tables, schema_migrations and 3 views
  for (const std::string& object : objects) {
    const auto expected = Column(
        *sqlite, fmt::format("SELECT name FROM pragma_table_info('{}') ORDER BY cid", object));
    const auto actual =
        Column(*c_, fmt::format("SELECT CAST(column_name AS TEXT) FROM information_schema.columns "
                                "WHERE table_schema = 'public' AND table_name = '{}' "
                                "ORDER BY ordinal_position",
                                object));
    EXPECT_EQ(actual, expected) << object;
  }
  const auto indexes =
      Column(*sqlite,
             "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
             "ORDER BY name");
  ASSERT_EQ(indexes.size(), 9u);
  for (const std::string& index : indexes) {
    EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM pg_indexes WHERE indexname = '{}'", index)),
              1)
        << index;
  }
}

TEST_F(PgMigrationsTest, SeedsThirtyTeamsOnce) {
  ASSERT_OK(Migrate(*c_));
  auto inserted = SeedTeams(*c_);
  ASSERT_OK(inserted);
  EXPECT_EQ(*inserted, 30);
  EXPECT_EQ(*SeedTeams(*c_), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM teams WHERE conference = 'East'"), 15);
}

TEST_F(PgMigrationsTest, AFailingMigrationLeavesTheDatabaseAtTheLastGoodVersion) {
  const std::vector<Migration> migrations = {
      {1, "one", "CREATE TABLE a(x INTEGER)"},
      {2, "two", "CREATE TABLE b(x INTEGER); CREATE TABLE a(y INTEGER)"},  // a exists: fails
  };
  auto result = Migrate(*c_, migrations);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("migration 2 (two)"), std::string::npos);
  EXPECT_EQ(*SchemaVersion(*c_), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), 0);
  // The connection is usable afterwards (the failed transaction was rolled back).
  EXPECT_EQ(Count("SELECT count(*) FROM pg_tables WHERE tablename = 'a'"), 1);
}

TEST_F(PgMigrationsTest, ADatabaseFromANewerVersionIsRefused) {
  ASSERT_OK(Migrate(*c_));
  ASSERT_OK(
      c_->Execute(fmt::format("INSERT INTO schema_migrations(version, name) VALUES ({}, 'future')",
                              LatestSchemaVersion() + 1)));
  EXPECT_ERROR(Migrate(*c_), ErrorCode::kUnsupported);
}

TEST_F(PgMigrationsTest, ReadOnlyConnectionsReadTheVersionButCannotMigrate) {
  auto ro = Connect(*database_, AccessMode::kReadOnly);
  ASSERT_NE(ro, nullptr);
  EXPECT_ERROR(Migrate(*ro), ErrorCode::kPermissionDenied);
  EXPECT_EQ(*SchemaVersion(*ro), 0);
  ASSERT_OK(Migrate(*c_));
  EXPECT_EQ(*SchemaVersion(*ro), LatestSchemaVersion());
}

// Several sessions migrating one empty database at once: without the advisory lock two of them
// run CREATE TABLE teams concurrently and one fails on the catalog's unique index.
TEST_F(PgMigrationsTest, ConcurrentMigrationsApplyEachMigrationOnce) {
  constexpr int kRounds = 3;
  constexpr int kSessions = 4;
  for (int round = 0; round < kRounds; ++round) {
    auto database = NewDatabase();
    ASSERT_NE(database, nullptr);
    std::vector<std::unique_ptr<Connection>> sessions;
    for (int i = 0; i < kSessions; ++i) {
      sessions.push_back(Connect(*database));
      ASSERT_NE(sessions.back(), nullptr);
    }
    std::atomic<int> ready{0};
    std::vector<Result<int>> results(kSessions, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < kSessions; ++i) {
      threads.emplace_back([&, i] {
        ready.fetch_add(1);
        while (ready.load() < kSessions) std::this_thread::yield();
        results[i] = Migrate(*sessions[i]);
      });
    }
    for (auto& thread : threads) thread.join();
    int applied = 0;
    for (const auto& result : results) {
      ASSERT_OK(result);
      applied += *result;
    }
    EXPECT_EQ(applied, LatestSchemaVersion()) << "round " << round;
    auto versions = sessions[0]->QueryScalar("SELECT count(*) FROM schema_migrations");
    ASSERT_OK(versions);
    EXPECT_EQ(std::get<int64_t>(*versions), LatestSchemaVersion());
  }
}

// A tiny league, written identically into any backend: a regular season with a game without
// scores and a box score without a result, and a playoff game.
void WriteLeague(Connection& c) {
  ASSERT_OK(Migrate(c));
  ASSERT_OK(SeedTeams(c));
  ASSERT_OK(c.Execute("INSERT INTO seasons(season_id, label) VALUES (2023, '2023-24')"));
  ASSERT_OK(
      c.Execute("INSERT INTO players(player_id, first_name, last_name, full_name) "
                "VALUES (1, 'A', 'One', 'A One'), (2, 'B', 'Two', 'B Two')"));
  struct Game {
    const char* id;
    int64_t home, away, home_pts, away_pts;
    const char* type;
  };
  const Game games[] = {{"0022300001", 1610612738, 1610612752, 110, 100, "regular"},
                        {"0022300002", 1610612755, 1610612738, 90, 95, "regular"},
                        {"0022300003", 1610612752, 1610612755, 120, 119, "regular"},
                        {"0022300004", 1610612747, 1610612738, 101, 99, "regular"},
                        {"0022300006", 1610612747, 1610612755, 100, 90, "regular"},
                        {"0042300101", 1610612752, 1610612755, 80, 120, "playoffs"}};
  for (const Game& g : games) {
    const Value game[] = {g.id, g.type, g.home, g.away, g.home_pts, g.away_pts};
    ASSERT_OK(c.Execute(
        "INSERT INTO games(game_id, season_id, game_type, game_date, home_team_id, away_team_id,"
        " home_score, away_score) VALUES (?, 2023, ?, '2023-10-24', ?, ?, ?, ?)",
        game));
    for (int side = 0; side < 2; ++side) {
      const int64_t team = side == 0 ? g.home : g.away;
      const int64_t pts = side == 0 ? g.home_pts : g.away_pts;
      const int64_t opp_pts = side == 0 ? g.away_pts : g.home_pts;
      const Value row[] = {g.id,
                           team,
                           side == 0 ? g.away : g.home,
                           int64_t{side == 0 ? 1 : 0},
                           int64_t{pts > opp_pts ? 1 : 0},
                           pts};
      ASSERT_OK(c.Execute(
          "INSERT INTO team_game_stats(game_id, team_id, opponent_id, is_home, win, pts, fgm, "
          "fga, fg3m, fg3a, ftm, fta) VALUES (?, ?, ?, ?, ?, ?, 40, 80, 10, 30, 10, 12)",
          row));
      const Value player[] = {g.id, int64_t{side + 1}, team, int64_t{side}, pts / 4};
      ASSERT_OK(
          c.Execute("INSERT INTO player_game_stats(game_id, player_id, team_id, starter, "
                    "seconds, pts, fgm, fga) VALUES (?, ?, ?, ?, 1800, ?, 5, 9)",
                    player));
    }
  }
  // No scores yet, and a box score whose result is unknown (win NULL on both sides).
  ASSERT_OK(c.Execute(
      "INSERT INTO games(game_id, season_id, game_type, game_date, home_team_id, away_team_id)"
      " VALUES ('0022300005', 2023, 'regular', '2023-10-30', 1610612738, 1610612755)"));
  ASSERT_OK(c.Execute(
      "INSERT INTO team_game_stats(game_id, team_id, opponent_id, is_home, pts) VALUES"
      " ('0022300005', 1610612738, 1610612755, 1, 50), ('0022300005', 1610612755, 1610612738,"
      " 0, 40)"));
}

// The views give the same rows with the same value types on both backends: counts and sums
// integers, win_pct and games behind doubles (half games behind, 0.667), NULL results skipped.
TEST_F(PgMigrationsTest, ViewsGiveTheSameRowsAndTypesAsSqlite) {
  testing::TempDir dir;
  auto sqlite_db = SqliteDatabase::Open({.path = dir.File("v.db")});
  ASSERT_OK(sqlite_db);
  auto sqlite = Connect(**sqlite_db);
  ASSERT_NO_FATAL_FAILURE(WriteLeague(*sqlite));
  ASSERT_NO_FATAL_FAILURE(WriteLeague(*c_));
  for (const char* sql :
       {"SELECT * FROM standings ORDER BY season_id, team_id",
        "SELECT * FROM team_season_totals ORDER BY team_id, season_id, game_type",
        "SELECT * FROM player_season_totals ORDER BY player_id, season_id, game_type, team_id"}) {
    auto expected = sqlite->Query(sql);
    auto actual = c_->Query(sql);
    ASSERT_OK(expected);
    ASSERT_OK(actual);
    EXPECT_EQ(actual->columns, expected->columns) << sql;
    ASSERT_EQ(actual->rows.size(), expected->rows.size()) << sql;
    ASSERT_FALSE(actual->rows.empty()) << sql;
    for (size_t r = 0; r < actual->rows.size(); ++r) {
      for (size_t i = 0; i < actual->columns.size(); ++i) {
        EXPECT_EQ(actual->rows[r][i].index(), expected->rows[r][i].index())
            << sql << " row " << r << " column " << actual->columns[i];
        EXPECT_TRUE(actual->rows[r][i] == expected->rows[r][i])
            << sql << " row " << r << " column " << actual->columns[i];
      }
    }
  }
  const std::string record =
      "SELECT win_pct, conference_games_behind FROM standings WHERE team_id = ";
  EXPECT_EQ(Rows(*c_, record + "1610612738")[0], (std::vector<Value>{0.667, 0.0}));
  EXPECT_EQ(Rows(*c_, record + "1610612752")[0], (std::vector<Value>{0.5, 0.5}));
}

// Rows copied with explicit ids, then the sequence moved past them: new rows get fresh ids.
TEST_F(PgMigrationsTest, ImportIdsComeFromAnIdentitySequence) {
  ASSERT_OK(Migrate(*c_));
  ASSERT_OK(
      c_->Execute("INSERT INTO imports(import_id, format, source) VALUES (7, 'kaggle', 'x')"));
  ASSERT_OK(
      c_->Execute("SELECT setval('imports_import_id_seq', (SELECT max(import_id) FROM "
                  "imports))"));
  ASSERT_OK(c_->Execute("INSERT INTO imports(format, source) VALUES ('generate', 'y')"));
  EXPECT_EQ(Count("SELECT max(import_id) FROM imports"), 8);
  EXPECT_EQ(Count("SELECT count(*) FROM imports WHERE started_at LIKE '____-__-__T__:__:__Z'"), 2);
}

// Text columns sort by bytes (as SQLite does) even in a database whose default collation is a
// language's: there "abe" sorts before "Bob", in the schema's columns after it.
TEST_F(PgMigrationsTest, TextSortsByBytesWhateverTheDatabaseCollation) {
  auto database = NewDatabase(
      "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' "
      "LOCALE 'C'");
  ASSERT_NE(database, nullptr);
  auto c = Connect(*database);
  ASSERT_NE(c, nullptr);
  ASSERT_OK(Migrate(*c));
  EXPECT_EQ(Column(*c, "SELECT x FROM (VALUES ('abe'), ('Bob')) v(x) ORDER BY x"),
            (std::vector<std::string>{"abe", "Bob"}));
  ASSERT_OK(
      c->Execute("INSERT INTO players(player_id, first_name, last_name, full_name) VALUES "
                 "(1, 'abe', 'x', 'abe x'), (2, 'Bob', 'y', 'Bob y')"));
  EXPECT_EQ(Column(*c, "SELECT full_name FROM players ORDER BY full_name"),
            (std::vector<std::string>{"Bob y", "abe x"}));
  EXPECT_EQ(Column(*c, "SELECT full_name FROM players WHERE full_name > 'Bz'"),
            (std::vector<std::string>{"abe x"}));
}

}  // namespace
}  // namespace fastbreak::db
