// A fixture for the importers' PostgreSQL tests: one real server per test suite (started in
// SetUpTestSuite, so it outlives every test) and a fresh, empty database per test, with a
// read-write connection to it. Skips with a message when PostgreSQL is not installed.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "db/postgres/postgres_database.hpp"
#include "testing/postgres_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db::testing_util {

class PostgresTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::PostgresServer::Available()) return;
    server_ = new testing::PostgresServer();
    const Status started = server_->StartPrimary();
    if (!started) start_error_ = new std::string(started.error().ToString());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override {
    if (!testing::PostgresServer::Available()) {
      GTEST_SKIP() << testing::PostgresServer::UnavailableMessage();
    }
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    const std::string name = fmt::format("test_{}", ++databases_);
    ASSERT_OK(server_->Query("CREATE DATABASE " + name));
    dsn_ = fmt::format("host=127.0.0.1 port={} dbname={} user=postgres connect_timeout=3",
                       server_->port(), name);
    auto database = PostgresDatabase::Open({.dsn = dsn_});
    ASSERT_OK(database);
    database_ = std::move(*database);
    auto connection = database_->Connect(AccessMode::kReadWrite);
    ASSERT_OK(connection);
    pg_ = std::move(*connection);
  }

  Connection& pg() { return *pg_; }

  static testing::PostgresServer* server_;
  static std::string* start_error_;
  static int databases_;
  std::string dsn_;  // of this test's database
  std::unique_ptr<PostgresDatabase> database_;
  std::unique_ptr<Connection> pg_;
};

inline testing::PostgresServer* PostgresTest::server_ = nullptr;
inline std::string* PostgresTest::start_error_ = nullptr;
inline int PostgresTest::databases_ = 0;

}  // namespace fastbreak::db::testing_util
