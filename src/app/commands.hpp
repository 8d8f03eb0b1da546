// The subcommands of the fastbreak binary. Each returns the process exit code:
// 0 success, 1 the command failed (message on stderr), 2 bad usage.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/options.hpp"

namespace fastbreak::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// A database opened for a writing command (generate, import), SQLite or PostgreSQL, with a
// read-write connection. Not migrated: the commands migrate. REQUIRES: connection is destroyed
// before database (members are in that order).
struct WritableDatabase {
  std::unique_ptr<db::Database> database;
  std::unique_ptr<db::Connection> connection;
  // What to call it in messages: the file path, or "PostgreSQL <dsn>" with any password hidden.
  std::string name;
};
// Opens or creates the SQLite file `path` and a read-write connection to it. The message of a
// failure names the file (a missing directory, a file that is not a database).
Result<WritableDatabase> OpenForWriting(const std::string& path);
// Connects to PostgreSQL at `dsn` (libpq key=value string or URI) for writing: no statement
// timeout (a COPY or an import may run for minutes). Errors: kInvalidArgument (the DSN does not
// parse), kConnection (unreachable, refused, authentication), with the DSN, password hidden.
Result<WritableDatabase> OpenPostgresForWriting(const std::string& dsn);

// `fastbreak serve`: HTTP server until SIGINT/SIGTERM. `options` is fully loaded.
int RunServe(const AppOptions& options);

// `fastbreak stdio`: MCP over stdin/stdout until stdin closes. Logs go to stderr only.
int RunStdio(const AppOptions& options);

struct GenerateArgs {
  std::string db_path;  // exactly one of db_path and pg_dsn
  std::string pg_dsn;
  bool replace = false;  // pg_dsn: empty the NBA tables first
  int seasons = 3;
  int start_season = 0;
  uint64_t seed = 42;
  bool play_by_play = true;
  bool quiet = false;
};
int RunGenerate(const GenerateArgs& args);

struct ImportArgs {
  std::string format;
  std::vector<std::string> sources;
  std::string db_path;  // exactly one of db_path and pg_dsn
  std::string pg_dsn;
  bool replace = false;  // format "sqlite": empty the target's NBA tables first
  // When set, the cached results that read the imported tables are invalidated in this Redis
  // and, over its bus, on every running instance.
  std::string redis_url;
  bool quiet = false;
};
int RunImport(const ImportArgs& args);

// `fastbreak advise`: index recommendations for a workload (a file of SQL statements, or
// PostgreSQL's pg_stat_statements), verified by the planner; --apply creates them.
// Exit 1 when the database or workload cannot be read, 2 for bad usage.
struct AdviseArgs {
  std::string db_path;  // exactly one of db_path and pg_dsn
  std::string pg_dsn;
  std::string workload;  // "" = pg_stat_statements (PostgreSQL only)
  bool apply = false;
  std::string format = "text";  // text | json
  int64_t budget_ms = 30'000;
  int64_t max_indexes = 10;
  double min_gain = 0.02;
  bool quiet = false;
};
int RunAdvise(const AdviseArgs& args);

// `fastbreak bench cache-sim`: replays a cache trace against the L1 policy and prints one JSON
// line. Exit 1 for an unreadable trace, 2 for bad usage.
struct CacheSimArgs {
  std::string trace;
  int64_t entries = 0;
  std::string policy = "fastbreak";
  std::string format;  // "" = inferred from the file name
  bool quiet = false;
};
int RunCacheSim(const CacheSimArgs& args);

}  // namespace fastbreak::app
