// A fixture for importer tests: a fresh database file, helpers to run imports, count rows, write
// source files and take a checksum of every table.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db/importers/importer.hpp"
#include "db/schema/migrations.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db::testing_util {

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = SqliteDatabase::Open({.path = dir_.File("nba.db")});
    ASSERT_TRUE(database.has_value()) << database.error().ToString();
    database_ = std::move(*database);
    auto connection = database_->Connect(AccessMode::kReadWrite);
    ASSERT_TRUE(connection.has_value()) << connection.error().ToString();
    connection_ = std::move(*connection);
  }

  Result<ImportReport> Run(ImportFormat format, const std::vector<std::string>& files) {
    return Import(*connection_, format, files);
  }

  // The single integer a query returns (-1 on error or NULL).
  int64_t Int(std::string_view sql) {
    auto value = connection_->QueryScalar(sql);
    EXPECT_TRUE(value.has_value()) << sql << ": " << value.error().ToString();
    if (!value) return -1;
    const auto* number = std::get_if<int64_t>(&*value);
    return number != nullptr ? *number : -1;
  }

  std::string Text(std::string_view sql) {
    auto value = connection_->QueryScalar(sql);
    EXPECT_TRUE(value.has_value()) << sql << ": " << value.error().ToString();
    if (!value) return "<error>";
    const auto* text = std::get_if<std::string>(&*value);
    return text != nullptr ? *text : "<not text>";
  }

  // Every row of every table but `except`, rendered in storage order: equal strings mean equal
  // contents.
  std::string Checksum(const std::string& except = "") {
    std::string out;
    auto tables = connection_->Query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name");
    EXPECT_TRUE(tables.has_value());
    if (!tables) return out;
    for (const auto& row : tables->rows) {
      const std::string& table = std::get<std::string>(row[0]);
      if (table == except) continue;
      auto rows = connection_->Query("SELECT * FROM \"" + table + "\"");
      EXPECT_TRUE(rows.has_value());
      if (!rows) continue;
      out += table + ":" + std::to_string(rows->rows.size()) + "\n";
      for (const auto& values : rows->rows) {
        for (const Value& value : values) {
          std::visit(
              [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::monostate>) {
                  out += "NULL";
                } else if constexpr (std::is_same_v<T, std::string>) {
                  out += "'" + v + "'";
                } else {
                  out += std::to_string(v);
                }
              },
              value);
          out += '|';
        }
        out += '\n';
      }
    }
    return out;
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = dir_.File(name);
    FILE* file = std::fopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    if (file == nullptr) return path;
    std::fwrite(content.data(), 1, content.size(), file);
    std::fclose(file);
    return path;
  }

  // Imports `files`, expecting failure with `code` and a message containing every `fragment`,
  // and checks that no table changed.
  void ExpectRejected(ImportFormat format, const std::vector<std::string>& files, ErrorCode code,
                      const std::vector<std::string>& fragments) {
    ASSERT_OK(Migrate());
    const std::string before = Checksum();
    auto result = Run(format, files);
    ASSERT_FALSE(result.has_value()) << "import succeeded, expected an error";
    EXPECT_EQ(result.error().code, code) << result.error().ToString();
    for (const std::string& fragment : fragments) {
      EXPECT_NE(result.error().message.find(fragment), std::string::npos)
          << "message: " << result.error().message << "\nexpected to contain: " << fragment;
    }
    EXPECT_EQ(Checksum(), before) << "the failed import changed the database";
  }

  // Creates the schema (what every import does first), so checksums compare table contents.
  Result<int> Migrate() { return ::fastbreak::db::Migrate(*connection_); }

  testing::TempDir dir_;
  std::unique_ptr<SqliteDatabase> database_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace fastbreak::db::testing_util
