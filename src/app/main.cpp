// fastbreak: one binary, subcommands. Parses the command line, loads configuration and hands
// over to a command; usage errors exit 2 with a one-line reason.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "app/commands.hpp"
#include "core/log.hpp"

extern char** environ;

namespace fastbreak::app {
namespace {

// Seasons the generator can write (start years).
constexpr int kFirstSeason = 1946;
constexpr int kLastSeason = 2045;

constexpr const char* kDescription =
    "fastbreak: NBA statistics for AI agents (MCP) and apps (REST), fast.";

int UsageError(const std::string& message) {
  fmt::print(stderr, "fastbreak: {}\nRun 'fastbreak --help' for usage.\n", message);
  return kExitUsage;
}

// Loads the configuration: defaults, then --config FILE, then FASTBREAK_* environment, then
// the flags given on the command line (`overrides`, key -> value).
int LoadOptions(const std::string& config_file,
                const std::vector<std::pair<std::string, std::string>>& overrides,
                AppOptions& options) {
  ConfigLoader loader;
  BindOptions(loader, options);
  if (!config_file.empty()) {
    if (auto status = loader.LoadFile(config_file); !status) {
      return UsageError(status.error().message);
    }
  }
  if (auto status = loader.LoadEnvironment(environ); !status) {
    return UsageError(status.error().message);
  }
  for (const auto& [key, value] : overrides) {
    if (auto status = loader.Set(key, value, "command line"); !status) {
      return UsageError(status.error().message);
    }
  }
  return kExitOk;
}

int Main(int argc, char** argv) {
  CLI::App cli(kDescription, "fastbreak");
  cli.require_subcommand(1);
  cli.set_help_all_flag("--help-all", "Show help for every subcommand");
  cli.set_version_flag("--version", "fastbreak " FASTBREAK_VERSION);
  cli.footer("Run 'fastbreak COMMAND --help' for a command's options.");

  // serve
  auto* serve =
      cli.add_subcommand("serve", "HTTP server: MCP at /mcp, REST at /api, /metrics, /healthz");
  std::string config_file;
  std::string serve_db;
  std::string host;
  int port = -1;
  int io_threads = -1;
  std::string log_level;
  std::string serve_pg;
  std::vector<std::string> serve_replicas;
  auto* serve_db_flag =
      serve->add_option("--db", serve_db, "SQLite database file (default: data/fastbreak.db)");
  auto* serve_pg_flag = serve->add_option(
      "--pg", serve_pg, "PostgreSQL primary instead of SQLite (libpq DSN or URI; postgres.dsn)");
  serve_db_flag->excludes(serve_pg_flag);
  serve
      ->add_option("--pg-replica", serve_replicas,
                   "PostgreSQL read replica (repeatable; postgres.replicas)")
      ->needs(serve_pg_flag);
  serve->add_option("--host", host, "address to listen on (default 127.0.0.1)");
  serve->add_option("--port", port, "TCP port (default 8080; 0 picks a free port)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--io-threads", io_threads, "I/O threads (default: one per core)")
      ->check(CLI::Range(0, 256));
  serve->add_option("--config", config_file, "YAML configuration file")->check(CLI::ExistingFile);
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error, off");
  std::string redis_url;
  serve->add_option("--redis", redis_url,
                    "redis://HOST:PORT/DB: shared L2 cache and invalidation bus (redis.url)");

  // stdio
  auto* stdio = cli.add_subcommand("stdio", "MCP over stdin/stdout (logs on stderr)");
  std::string stdio_db;
  std::string stdio_config;
  std::string stdio_log_level;
  std::string stdio_pg;
  stdio->add_option("--db", stdio_db, "SQLite database file (default: data/fastbreak.db)")
      ->excludes(
          stdio->add_option("--pg", stdio_pg, "PostgreSQL instead of SQLite (libpq DSN or URI)"));
  stdio->add_option("--config", stdio_config, "YAML configuration file")->check(CLI::ExistingFile);
  stdio->add_option("--log-level", stdio_log_level,
                    "trace, debug, info, warn, error, off (default warn)");
  // generate
  auto* generate = cli.add_subcommand("generate", "Write a synthetic NBA league into a database");
  GenerateArgs gen;
  auto* gen_db = generate->add_option("--db", gen.db_path, "SQLite database file to write");
  auto* gen_pg = generate->add_option("--pg", gen.pg_dsn,
                                      "PostgreSQL to write instead (libpq DSN or URI); loaded "
                                      "with COPY");
  gen_db->excludes(gen_pg);
  gen_pg->excludes(gen_db);
  generate->add_flag("--replace", gen.replace,
                     "with --pg: empty the NBA tables first (otherwise they must be empty)");
  generate->add_option("--seasons", gen.seasons, "number of seasons (default 3)")
      ->check(CLI::Range(1, 60));
  generate
      ->add_option("--start-season", gen.start_season,
                   "start year of the first season, e.g. 2023 for 2023-24 (default: the last "
                   "N seasons up to 2025-26)")
      ->check(CLI::Range(kFirstSeason, kLastSeason));
  generate->add_option("--seed", gen.seed, "random seed; the same seed gives the same league");
  bool no_play_by_play = false;
  generate->add_flag("--no-play-by-play", no_play_by_play,
                     "skip play-by-play rows (much smaller database)");
  generate->add_flag("--quiet,-q", gen.quiet, "no progress bar");

  // import
  auto* import = cli.add_subcommand("import", "Import real NBA data files into a database");
  ImportArgs imp;
  import->add_option("format", imp.format, "kaggle | nba-api | 538 | sqlite")->required();
  import
      ->add_option("sources", imp.sources,
                   "files to import (all in one transaction); for sqlite, one fastbreak "
                   "database to copy")
      ->required()
      ->check(CLI::ExistingFile);
  auto* imp_db = import->add_option("--db", imp.db_path, "SQLite database file to write");
  auto* imp_pg =
      import->add_option("--pg", imp.pg_dsn, "PostgreSQL to write instead (libpq DSN or URI)");
  imp_db->excludes(imp_pg);
  imp_pg->excludes(imp_db);
  import->add_flag("--replace", imp.replace,
                   "sqlite format: empty the target's NBA tables first (otherwise they must be "
                   "empty)");
  import->add_option("--redis", imp.redis_url,
                     "redis://HOST:PORT/DB of running servers: invalidate their cached results");
  import->add_flag("--quiet,-q", imp.quiet, "no progress bar");

  // advise
  auto* advise = cli.add_subcommand(
      "advise", "Index recommendations for a workload, verified by the database's planner");
  AdviseArgs adv;
  auto* adv_db = advise->add_option("--db", adv.db_path, "SQLite database file");
  auto* adv_pg = advise->add_option("--pg", adv.pg_dsn, "PostgreSQL (libpq DSN or URI)");
  adv_db->excludes(adv_pg);
  adv_pg->excludes(adv_db);
  advise
      ->add_option("--workload", adv.workload,
                   "file of SQL statements separated by ';' ('-- calls: N' before one weights "
                   "it); default on PostgreSQL: pg_stat_statements")
      ->check(CLI::ExistingFile);
  advise->add_flag("--apply", adv.apply,
                   "create the recommended indexes, and time the workload before and after");
  advise->add_option("--format", adv.format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  advise->add_option("--budget-ms", adv.budget_ms, "time the advisor may take (default 30000)")
      ->check(CLI::Range(int64_t{100}, int64_t{3'600'000}));
  advise->add_option("--max", adv.max_indexes, "most indexes to recommend (default 10)")
      ->check(CLI::Range(int64_t{1}, int64_t{100}));
  advise
      ->add_option("--min-gain", adv.min_gain,
                   "stop when the next index saves less than this fraction of the workload's "
                   "cost (default 0.02)")
      ->check(CLI::Range(0.0, 1.0));
  advise->add_flag("--quiet,-q", adv.quiet, "no progress");

  // bench
  auto* bench = cli.add_subcommand("bench", "Benchmarks and simulators");
  bench->require_subcommand(1);
  auto* cache_sim = bench->add_subcommand(
      "cache-sim", "Replay a cache access trace against the L1 policy; prints one JSON line");
  CacheSimArgs sim;
  cache_sim->add_option("--trace", sim.trace, "trace file (.gz, .xz or plain)")
      ->required()
      ->check(CLI::ExistingFile);
  cache_sim->add_option("--entries", sim.entries, "cache capacity in entries")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32));
  cache_sim->add_option("--policy", sim.policy, "fastbreak (default) or lru");
  cache_sim->add_option("--format", sim.format,
                        "lirs | i32 | i64 (default: from the file name's prefix)");
  cache_sim->add_flag("--quiet,-q", sim.quiet, "no progress bar");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    return UsageError(e.what());
  }

  if (serve->parsed()) {
    AppOptions options;
    options.sqlite.path = "data/fastbreak.db";
    std::vector<std::pair<std::string, std::string>> overrides;
    if (!serve_db.empty()) overrides.emplace_back("db.path", serve_db);
    if (!host.empty()) overrides.emplace_back("server.host", host);
    if (port >= 0) overrides.emplace_back("server.port", std::to_string(port));
    if (io_threads >= 0) overrides.emplace_back("server.io_threads", std::to_string(io_threads));
    if (!log_level.empty()) overrides.emplace_back("log.level", log_level);
    if (!redis_url.empty()) overrides.emplace_back("redis.url", redis_url);
    if (!serve_pg.empty()) overrides.emplace_back("postgres.dsn", serve_pg);
    if (!serve_replicas.empty()) {
      overrides.emplace_back("postgres.replicas",
                             fmt::format("{}", fmt::join(serve_replicas, ";")));
    }
    if (int rc = LoadOptions(config_file, overrides, options); rc != kExitOk) return rc;
    if (auto status = InitLogging(options.log_level); !status) {
      return UsageError(status.error().message);
    }
    return RunServe(options);
  }
  if (stdio->parsed()) {
    AppOptions options;
    options.sqlite.path = "data/fastbreak.db";
    options.log_level = "warn";
    std::vector<std::pair<std::string, std::string>> overrides;
    if (!stdio_db.empty()) overrides.emplace_back("db.path", stdio_db);
    if (!stdio_pg.empty()) overrides.emplace_back("postgres.dsn", stdio_pg);
    if (!stdio_log_level.empty()) overrides.emplace_back("log.level", stdio_log_level);
    if (int rc = LoadOptions(stdio_config, overrides, options); rc != kExitOk) return rc;
    if (auto status = InitLogging(options.log_level); !status) {
      return UsageError(status.error().message);
    }
    return RunStdio(options);
  }
  (void)InitLogging("info");
  if (generate->parsed()) {
    if (gen.start_season != 0 && gen.start_season + gen.seasons - 1 > kLastSeason) {
      return UsageError(fmt::format("--start-season {} with --seasons {} goes past {}-{:02}",
                                    gen.start_season, gen.seasons, kLastSeason,
                                    (kLastSeason + 1) % 100));
    }
    gen.play_by_play = !no_play_by_play;
    return RunGenerate(gen);
  }
  if (cache_sim->parsed()) return RunCacheSim(sim);
  if (advise->parsed()) return RunAdvise(adv);
  return RunImport(imp);
}

}  // namespace
}  // namespace fastbreak::app

int main(int argc, char** argv) {
  // Responses are built in buffers of a few KiB to a few MiB, one per request. Left to its
  // defaults, glibc returns freed memory to the kernel and maps it again on the next request
  // (page faults on the hot path); keep it instead, and keep large buffers on the heap.
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  return fastbreak::app::Main(argc, argv);
}
