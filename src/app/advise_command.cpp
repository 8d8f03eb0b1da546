// `fastbreak advise`: index recommendations for a workload, verified by the database's planner;
// with --apply, creates them and reports the workload's time before and after.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "query/advisor.hpp"

namespace fastbreak::app {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr uintmax_t kMaxWorkloadFileBytes = 64 << 20;
// Runs of the workload timed before and after --apply.
constexpr int kTimedRuns = 3;

Result<std::vector<query::WorkloadQuery>> ReadWorkload(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec)
    return MakeError(ErrorCode::kNotFound, "cannot read workload '{}': {}", path, ec.message());
  if (size > kMaxWorkloadFileBytes) {
    return MakeError(ErrorCode::kPayloadTooLarge, "workload '{}' is {} bytes; at most {} MiB", path,
                     size, kMaxWorkloadFileBytes >> 20);
  }
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  if (!file.good() && !file.eof()) {
    return MakeError(ErrorCode::kIo, "cannot read workload '{}'", path);
  }
  auto workload = query::ParseWorkloadFile(text.str());
  if (!workload) {
    return MakeError(workload.error().code, "workload '{}': {}", path, workload.error().message);
  }
  return workload;
}

// Runs every workload query to its last row, kTimedRuns times; the fastest run's total, ms.
// Queries that fail are left out (the advisor reports them as skipped).
double TimeWorkload(db::Connection& connection, const std::vector<query::WorkloadQuery>& workload) {
  double best = -1;
  for (int run = 0; run < kTimedRuns; ++run) {
    const auto start = SteadyClock::now();
    for (const auto& one : workload) {
      auto statement = connection.Prepare(one.sql);
      if (!statement) continue;
      while (true) {
        auto row = (*statement)->Step();
        if (!row || !*row) break;
      }
    }
    const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
    if (best < 0 || ms < best) best = ms;
  }
  return best;
}

}  // namespace

int RunAdvise(const AdviseArgs& args) {
  if (args.db_path.empty() == args.pg_dsn.empty()) {
    fmt::print(stderr, "fastbreak advise: give one of --db PATH or --pg DSN\n");
    return kExitUsage;
  }
  if (!args.db_path.empty() && args.workload.empty()) {
    fmt::print(stderr,
               "fastbreak advise: SQLite has no statement history; give --workload FILE (SQL "
               "statements separated by ';'), or ask a running server with the "
               "recommend_indexes tool (its observed workload)\n");
    return kExitUsage;
  }
  if (!args.db_path.empty() && !std::filesystem::exists(args.db_path)) {
    fmt::print(stderr, "fastbreak advise: database '{}' does not exist\n", args.db_path);
    return kExitFailure;
  }
  auto opened =
      args.pg_dsn.empty() ? OpenForWriting(args.db_path) : OpenPostgresForWriting(args.pg_dsn);
  if (!opened) {
    fmt::print(stderr, "fastbreak advise: {}\n", opened.error().message);
    return kExitFailure;
  }
  db::Connection& connection = *opened->connection;

  std::vector<query::WorkloadQuery> workload;
  if (!args.workload.empty()) {
    auto read = ReadWorkload(args.workload);
    if (!read) {
      fmt::print(stderr, "fastbreak advise: {}\n", read.error().message);
      return read.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    workload = std::move(*read);
  } else {
    auto read = query::WorkloadFromPgStatStatements(connection);
    if (!read) {
      fmt::print(stderr,
                 "fastbreak advise: no workload: {}; give --workload FILE, or CREATE EXTENSION "
                 "pg_stat_statements (with shared_preload_libraries = 'pg_stat_statements')\n",
                 read.error().message);
      return kExitFailure;
    }
    workload = std::move(*read);
    if (workload.empty()) {
      fmt::print(stderr,
                 "fastbreak advise: pg_stat_statements has no read queries yet; give "
                 "--workload FILE\n");
      return kExitFailure;
    }
  }

  query::AdvisorOptions options;
  options.time_budget = std::chrono::milliseconds(args.budget_ms);
  options.max_recommendations = static_cast<size_t>(args.max_indexes);
  options.min_gain = args.min_gain;
  options.apply = args.apply;
  if (!args.quiet) {
    options.progress = [](int done, int total, std::string_view what) {
      fmt::print(stderr, "\radvise: [{}/{}] {:<60.60}", done, total, what);
      std::fflush(stderr);
    };
  }
  double before_ms = -1;
  if (args.apply) before_ms = TimeWorkload(connection, workload);
  auto report = query::Advise(connection, workload, options);
  if (!args.quiet) fmt::print(stderr, "\n");
  if (!report) {
    fmt::print(stderr, "fastbreak advise: {}\n", report.error().message);
    return kExitFailure;
  }
  nlohmann::json json = query::ToJson(*report);
  std::string measured;
  if (args.apply) {
    const double after_ms = TimeWorkload(connection, workload);
    json["workload_ms_before"] = before_ms;
    json["workload_ms_after"] = after_ms;
    measured = fmt::format(
        "Workload time (fastest of {} runs of the {} queries, once each): "
        "{:.3f} ms before, {:.3f} ms after ({:.1f}x)\n",
        kTimedRuns, workload.size(), before_ms, after_ms,
        after_ms > 0 ? before_ms / after_ms : 0.0);
  }
  if (args.format == "json") {
    fmt::print("{}\n", json.dump(2));
  } else {
    fmt::print("{}{}", query::FormatAdvice(*report), measured);
  }
  return kExitOk;
}

}  // namespace fastbreak::app
