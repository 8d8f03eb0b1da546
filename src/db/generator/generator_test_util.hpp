// Helpers shared by the generator tests: a database in a file, scalar queries that throw on
// error (so checks read as one line), and a checksum of a table's contents.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "db/sqlite/sqlite_database.hpp"

namespace fastbreak::db::generator_test {

struct TestDb {
  std::unique_ptr<SqliteDatabase> database;
  std::unique_ptr<Connection> connection;
};

inline TestDb OpenDb(const std::string& path) {
  TestDb db;
  auto database = SqliteDatabase::Open({.path = path});
  if (!database) throw std::runtime_error(database.error().ToString());
  db.database = std::move(*database);
  auto connection = db.database->Connect(AccessMode::kReadWrite);
  if (!connection) throw std::runtime_error(connection.error().ToString());
  db.connection = std::move(*connection);
  return db;
}

inline Value Scalar(Connection& c, const std::string& sql) {
  auto value = c.QueryScalar(sql);
  if (!value) throw std::runtime_error(value.error().ToString() + " in: " + sql);
  return *value;
}

inline int64_t Int(Connection& c, const std::string& sql) {
  const Value v = Scalar(c, sql);
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  throw std::runtime_error("not a number: " + sql);
}

inline double Real(Connection& c, const std::string& sql) {
  const Value v = Scalar(c, sql);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  throw std::runtime_error("not a number: " + sql);
}

// FNV-1a over every value of `table` in primary-key order.
inline uint64_t TableChecksum(Connection& c, const std::string& table,
                              const std::string& order_by) {
  auto statement = c.Prepare("SELECT * FROM " + table + " ORDER BY " + order_by);
  if (!statement) throw std::runtime_error(statement.error().ToString());
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&](std::string_view bytes) {
    for (unsigned char ch : bytes) hash = (hash ^ ch) * 1099511628211ULL;
    hash = (hash ^ 0xff) * 1099511628211ULL;  // value separator
  };
  while (true) {
    auto row = (*statement)->Step();
    if (!row) throw std::runtime_error(row.error().ToString());
    if (!*row) break;
    for (int col = 0; col < (*statement)->ColumnCount(); ++col) {
      mix((*statement)->IsNull(col) ? std::string_view("\x01NULL") : (*statement)->GetText(col));
    }
  }
  return hash;
}

}  // namespace fastbreak::db::generator_test
