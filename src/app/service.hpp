// What `serve` and `stdio` share: the database (migrated), the metrics registry, the executor
// that runs catalog calls and the MCP server. Built in dependency order, torn down in reverse.
#pragma once

#include <memory>

#include "app/options.hpp"
#include "core/error.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "mcp/server.hpp"
#include "nba/executor.hpp"
#include "telemetry/metrics.hpp"

namespace fastbreak::app {

struct Service {
  telemetry::MetricsRegistry registry;
  std::unique_ptr<db::DbMetrics> db_metrics;
  std::unique_ptr<db::SqliteDatabase> database;
  std::unique_ptr<nba::Executor> executor;
  std::unique_ptr<mcp::McpServer> mcp;
};

// Opens the database named in `options` (which must exist), brings it to the latest schema and
// starts the executor. Errors name the file and say how to create it.
Result<std::unique_ptr<Service>> StartService(const AppOptions& options);

}  // namespace fastbreak::app
