#include "nba/nba_test_util.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "db/generator/generator.hpp"
#include "db/schema/migrations.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba::testing {
namespace {

struct League {
  fastbreak::testing::TempDir dir;
  std::string path;
  std::unique_ptr<db::SqliteDatabase> database;

  League() : path((dir.path() / "league.db").string()) {
    db::SqliteOptions options;
    options.path = path;
    auto opened = db::SqliteDatabase::Open(options);
    if (!opened) throw std::runtime_error(opened.error().ToString());
    database = std::move(*opened);
    auto connection = database->Connect(db::AccessMode::kReadWrite);
    if (!connection) throw std::runtime_error(connection.error().ToString());
    if (auto migrated = db::Migrate(**connection); !migrated) {
      throw std::runtime_error(migrated.error().ToString());
    }
    db::GeneratorOptions generator;
    generator.seasons = 1;
    generator.start_season = 2024;
    generator.seed = 7;
    if (auto report = db::GenerateLeague(**connection, generator); !report) {
      throw std::runtime_error(report.error().ToString());
    }
  }
};

League& TheLeague() {
  static League* league = new League();  // lives until exit; TempDir removal is not needed
  return *league;
}

}  // namespace

const std::string& GeneratedLeaguePath() { return TheLeague().path; }

std::unique_ptr<db::Connection> OpenGeneratedLeague() {
  auto connection = TheLeague().database->Connect(db::AccessMode::kReadOnly);
  if (!connection) throw std::runtime_error(connection.error().ToString());
  return std::move(*connection);
}

}  // namespace fastbreak::nba::testing
