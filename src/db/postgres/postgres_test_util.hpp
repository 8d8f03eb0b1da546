// A fixture for the driver's tests: one PostgreSQL server per test suite (started in
// SetUpTestSuite, on the main thread), a database with metrics, and a read-write connection.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "db/postgres/postgres_database.hpp"
#include "telemetry/metrics.hpp"
#include "testing/postgres_server.hpp"
#include "testing/testing.hpp"

namespace fastbreak::db {

class PostgresTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::PostgresServer::Available()) return;
    server_ = new testing::PostgresServer();
    start_status_ = new Status(server_->StartPrimary());
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
    database_ = Open();
    ASSERT_NE(database_, nullptr);
    auto connection = database_->Connect(AccessMode::kReadWrite);
    ASSERT_OK(connection);
    rw_ = std::move(*connection);
  }

  // A database on the suite's server; `change` adjusts the options first.
  template <typename Change>
  std::unique_ptr<PostgresDatabase> Open(Change change) {
    PostgresOptions options;
    options.dsn = server_->dsn();
    change(options);
    auto database = PostgresDatabase::Open(std::move(options), &metrics_);
    EXPECT_TRUE(database.has_value()) << database.error().ToString();
    return database ? std::move(*database) : nullptr;
  }
  std::unique_ptr<PostgresDatabase> Open() {
    return Open([](PostgresOptions&) {});
  }

  std::unique_ptr<Connection> Connect(PostgresDatabase& database,
                                      AccessMode mode = AccessMode::kReadWrite) {
    auto connection = database.Connect(mode);
    EXPECT_TRUE(connection.has_value()) << connection.error().ToString();
    return connection ? std::move(*connection) : nullptr;
  }

  // The first column of the first row, as text ("NULL" for NULL).
  static std::string Scalar(Connection& connection, std::string_view sql) {
    auto statement = connection.Prepare(sql);
    if (!statement) return "error: " + statement.error().ToString();
    auto row = (*statement)->Step();
    if (!row) return "error: " + row.error().ToString();
    if (!*row) return "no row";
    if ((*statement)->IsNull(0)) return "NULL";
    return std::string((*statement)->GetText(0));
  }

  // This session's backend pid.
  static int BackendPid(Connection& connection) {
    return std::stoi(Scalar(connection, "SELECT pg_backend_pid()"));
  }

  static inline testing::PostgresServer* server_ = nullptr;
  static inline Status* start_status_ = nullptr;
  telemetry::MetricsRegistry registry_;
  DbMetrics metrics_{registry_, "postgres"};
  std::unique_ptr<PostgresDatabase> database_;
  std::unique_ptr<Connection> rw_;
};

}  // namespace fastbreak::db
