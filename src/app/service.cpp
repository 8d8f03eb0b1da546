#include "app/service.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "db/schema/migrations.hpp"
#include "nba/catalog.hpp"

namespace fastbreak::app {
namespace {

// Brings an existing database to the latest schema before serving from it.
Status PrepareDatabase(db::SqliteDatabase& database) {
  FB_ASSIGN_OR_RETURN(auto connection, database.Connect(db::AccessMode::kReadWrite));
  FB_ASSIGN_OR_RETURN(int applied, db::Migrate(*connection));
  if (applied > 0) spdlog::info("applied {} schema migration(s)", applied);
  return Ok();
}

}  // namespace

Result<std::unique_ptr<Service>> StartService(const AppOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(options.sqlite.path, ec)) {
    return MakeError(ErrorCode::kNotFound,
                     "database '{}' does not exist; create one with 'fastbreak generate --db {}' "
                     "or 'fastbreak import ... --db {}'",
                     options.sqlite.path, options.sqlite.path, options.sqlite.path);
  }
  auto service = std::make_unique<Service>();
  service->db_metrics = std::make_unique<db::DbMetrics>(service->registry);
  db::SqliteOptions sqlite = options.sqlite;
  sqlite.create_if_missing = false;
  FB_ASSIGN_OR_RETURN(service->database,
                      db::SqliteDatabase::Open(sqlite, service->db_metrics.get()));
  FB_RETURN_IF_ERROR(PrepareDatabase(*service->database));
  nba::ExecutorOptions executor;
  executor.workers = options.mcp.workers;
  executor.queue_capacity = options.mcp.queue_capacity;
  executor.call_timeout = std::chrono::milliseconds(options.mcp.call_timeout_ms);
  service->executor =
      std::make_unique<nba::Executor>(*service->database, executor, service->registry);
  mcp::McpOptions mcp;
  mcp.server_version = FASTBREAK_VERSION;
  service->mcp = std::make_unique<mcp::McpServer>(nba::NbaCatalog(), *service->executor, mcp,
                                                  service->registry);
  return service;
}

}  // namespace fastbreak::app
