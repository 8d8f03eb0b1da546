// One PostgreSQL server per test suite for the query module's tests, with pg_stat_statements
// preloaded and the hypopg and pg_stat_statements extensions created in the test database.
// Tests skip (with the reason) when PostgreSQL is not installed.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "db/postgres/postgres_database.hpp"
#include "testing/postgres_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::query {

class QueryPgTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::PostgresServer::Available()) return;
    server_ = new testing::PostgresServer();
    start_status_ = new Status(server_->StartPrimary(
        {"shared_preload_libraries = 'pg_stat_statements'", "pg_stat_statements.track = all"}));
    if (start_status_->has_value()) {
      auto created = server_->Query(
          "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; "
          "CREATE EXTENSION IF NOT EXISTS hypopg; SELECT 1");
      if (!created) *start_status_ = tl::unexpected(created.error());
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_status_;
    start_status_ = nullptr;
  }

  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << testing::PostgresServer::UnavailableMessage();
    ASSERT_OK(*start_status_);
    db::PostgresOptions options;
    options.dsn = server_->dsn();
    auto database = db::PostgresDatabase::Open(std::move(options));
    ASSERT_OK(database);
    database_ = std::move(*database);
    auto connection = database_->Connect(db::AccessMode::kReadWrite);
    ASSERT_OK(connection);
    connection_ = std::move(*connection);
  }

  db::Connection& connection() { return *connection_; }
  static testing::PostgresServer& server() { return *server_; }

  static inline testing::PostgresServer* server_ = nullptr;
  static inline Status* start_status_ = nullptr;
  std::unique_ptr<db::PostgresDatabase> database_;
  std::unique_ptr<db::Connection> connection_;
};

}  // namespace fastbreak::query
