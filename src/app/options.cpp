#include "app/options.hpp"

namespace fastbreak::app {

void BindOptions(ConfigLoader& loader, AppOptions& options) {
  auto& server = options.server;
  loader.Bind("server.host", &server.host, "address to listen on (127.0.0.1 keeps it local)");
  loader.Bind("server.port", &server.port, "TCP port; 0 picks a free one");
  loader.Bind("server.io_threads", &server.io_threads, "I/O threads; 0 = one per core");
  loader.Bind("server.body_limit_bytes", &server.body_limit_bytes,
              "largest request body accepted (413 beyond)");
  loader.Bind("server.header_limit_bytes", &server.header_limit_bytes,
              "largest request line + headers accepted (431 beyond)");
  loader.Bind("server.max_connections", &server.max_connections,
              "open connections beyond this are closed at accept");
  loader.Bind("server.request_timeout_ms", &server.request_timeout_ms,
              "time a client has to send a request and take the response");
  loader.Bind("server.keep_alive_timeout_ms", &server.keep_alive_timeout_ms,
              "idle keep-alive connections are closed after this");
  loader.Bind("server.shutdown_grace_ms", &server.shutdown_grace_ms,
              "time in-flight requests get to finish on shutdown");
  auto& sqlite = options.sqlite;
  loader.Bind("db.path", &sqlite.path, "SQLite database file");
  loader.Bind("db.busy_timeout_ms", &sqlite.busy_timeout_ms,
              "how long a statement waits for a lock before failing as busy");
  loader.Bind("db.cache_size_kib", &sqlite.cache_size_kib, "SQLite page cache per connection");
  loader.Bind("db.mmap_size_bytes", &sqlite.mmap_size_bytes,
              "bytes of the database file mapped for reads (0 disables)");
  loader.Bind("db.statement_cache_capacity", &sqlite.statement_cache_capacity,
              "prepared statements kept per connection");
  auto& mcp = options.mcp;
  loader.Bind("mcp.workers", &mcp.workers, "threads running tool calls; 0 = one per core");
  loader.Bind("mcp.queue_capacity", &mcp.queue_capacity,
              "tool calls waiting beyond this are refused as busy (503)");
  loader.Bind("mcp.call_timeout_ms", &mcp.call_timeout_ms,
              "longest a tool call runs before its query is interrupted");
  loader.Bind("mcp.allowed_origins", &mcp.allowed_origins,
              "Origin values allowed on /mcp, comma-separated; ':*' = any port");
  loader.Bind("mcp.session_idle_timeout_ms", &mcp.session_idle_timeout_ms,
              "MCP sessions unused this long are ended");
  loader.Bind("mcp.max_sessions", &mcp.max_sessions, "MCP sessions open at once, at most");
  loader.Bind("log.level", &options.log_level, "trace, debug, info, warn, error or off");
}

}  // namespace fastbreak::app
