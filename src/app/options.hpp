// Every setting of the fastbreak binary, as plain structs with their defaults, and the one
// function that binds them to config keys (file, FASTBREAK_* environment, flags).
#pragma once

#include <string>

#include "core/config.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "http/server.hpp"

namespace fastbreak::app {

struct AppOptions {
  http::ServerOptions server;
  db::SqliteOptions sqlite;
  // trace, debug, info, warn, error, off. Logs go to stderr.
  std::string log_level = "info";
};

// Binds every field of `options` under its key: server.*, db.*, log.level.
// REQUIRES: options outlives loader.
void BindOptions(ConfigLoader& loader, AppOptions& options);

}  // namespace fastbreak::app
