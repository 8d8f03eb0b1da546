// Every setting of the fastbreak binary, as plain structs with their defaults, and the one
// function that binds them to config keys (file, FASTBREAK_* environment, flags).
#pragma once

#include <string>

#include "core/config.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "http/server.hpp"

namespace fastbreak::app {

// The MCP server and the workers that run tool calls.
struct McpSettings {
  // Threads running tool calls, each with its own read-only connection; 0 = one per core.
  int workers = 0;
  // Calls waiting for a worker beyond this are refused at once as busy (HTTP 503).
  size_t queue_capacity = 1024;
  // Longest a tool call may run before its query is interrupted (the agent gets an error).
  int call_timeout_ms = 10000;
  // Origin header values allowed on /mcp, comma-separated; a trailing ":*" allows any port.
  // Requests without Origin (non-browser clients) are allowed. Protects a local server from
  // DNS-rebinding attacks by web pages.
  std::string allowed_origins = "http://localhost:*,http://127.0.0.1:*,http://[::1]:*";
  // An MCP session unused for this long is ended (its id then gets 404).
  int session_idle_timeout_ms = 30 * 60 * 1000;
  // Sessions beyond this are refused at initialize (HTTP 503) after idle ones are expired.
  size_t max_sessions = 10000;
};

struct AppOptions {
  http::ServerOptions server;
  McpSettings mcp;
  db::SqliteOptions sqlite;
  // trace, debug, info, warn, error, off. Logs go to stderr.
  std::string log_level = "info";
};

// Binds every field of `options` under its key: server.*, db.*, log.level.
// REQUIRES: options outlives loader.
void BindOptions(ConfigLoader& loader, AppOptions& options);

}  // namespace fastbreak::app
