#include "db/sqlite/sqlite_database.hpp"

#include <sqlite3.h>

#include <filesystem>

#include "db/sqlite/sqlite_statement.hpp"

namespace fastbreak::db {
namespace {

ErrorCode ClassOf(int code, std::string_view message) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kBusy;
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE) {
        return ErrorCode::kAlreadyExists;
      }
      return ErrorCode::kConstraint;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return ErrorCode::kConnection;
    case SQLITE_INTERRUPT:
      return ErrorCode::kCancelled;
    case SQLITE_READONLY:
    case SQLITE_AUTH:
    case SQLITE_PERM:
      return ErrorCode::kPermissionDenied;
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return ErrorCode::kIo;
    case SQLITE_TOOBIG:
      return ErrorCode::kPayloadTooLarge;
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return ErrorCode::kInvalidArgument;
    case SQLITE_ERROR:
      // Generic compile/run errors: tell missing objects apart from bad syntax.
      if (message.starts_with("no such table") || message.starts_with("no such column") ||
          message.starts_with("no such function") || message.starts_with("no such index")) {
        return ErrorCode::kNotFound;
      }
      if (message.find("interrupted") != std::string_view::npos) return ErrorCode::kCancelled;
      return ErrorCode::kSyntax;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

Error SqliteError(int code, std::string_view context, sqlite3* handle) {
  std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(code);
  const ErrorCode error_code = ClassOf(code, message);
  constexpr size_t kMaxContext = 200;
  std::string shown(context.substr(0, kMaxContext));
  if (context.size() > kMaxContext) shown += "...";
  return Error{error_code, fmt::format("{} (in: {})", message, shown)};
}

DbMetrics::DbMetrics(telemetry::MetricsRegistry& registry, std::string_view backend)
    : statements(registry.GetCounter("fastbreak_db_statements_total",
                                     "SQL statements executed to completion or failure",
                                     {{"backend", std::string(backend)}})),
      errors(registry.GetCounter("fastbreak_db_errors_total", "SQL statements that failed",
                                 {{"backend", std::string(backend)}})),
      prepares(registry.GetCounter("fastbreak_db_prepares_total",
                                   "Prepared-statement requests (cached or compiled)",
                                   {{"backend", std::string(backend)}})),
      statement_cache_hits(
          registry.GetCounter("fastbreak_db_statement_cache_hits_total",
                              "Prepared-statement requests served from the connection's cache",
                              {{"backend", std::string(backend)}})),
      statement_duration(registry.GetHistogram("fastbreak_db_statement_duration_seconds",
                                               "Time from first step to completion of a statement",
                                               {{"backend", std::string(backend)}})) {}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(SqliteOptions options,
                                                             DbMetrics* metrics) {
  if (options.path.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "SQLite database path is empty");
  }
  if (options.statement_cache_capacity < 1 || options.busy_timeout_ms < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "statement_cache_capacity must be >= 1 and busy_timeout_ms >= 0");
  }
  std::unique_ptr<SqliteDatabase> database(new SqliteDatabase(std::move(options), metrics));
  // The first read-write connection creates the file and switches it to WAL, which is
  // persistent; opening one here surfaces a bad path at start-up rather than on first use.
  std::error_code ec;
  const bool exists = std::filesystem::exists(database->options_.path, ec);
  if (!exists && !database->options_.create_if_missing) {
    return MakeError(ErrorCode::kNotFound, "database file '{}' does not exist",
                     database->options_.path);
  }
  FB_ASSIGN_OR_RETURN(auto probe,
                      database->Connect(exists ? AccessMode::kReadOnly : AccessMode::kReadWrite));
  return database;
}

Result<std::unique_ptr<Connection>> SqliteDatabase::Connect(AccessMode mode) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (mode == AccessMode::kReadOnly) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options_.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(options_.path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = SqliteError(rc, options_.path, handle);
    sqlite3_close_v2(handle);
    error.message = fmt::format("cannot open database '{}': {}", options_.path, sqlite3_errstr(rc));
    if (error.code == ErrorCode::kInternal) error.code = ErrorCode::kConnection;
    return tl::unexpected(std::move(error));
  }
  auto connection = std::make_unique<detail::SqliteConnection>(
      handle, mode, options_.statement_cache_capacity, metrics_);
  sqlite3_busy_timeout(handle, options_.busy_timeout_ms);
  sqlite3_extended_result_codes(handle, 1);
  std::string pragmas = fmt::format(
      "PRAGMA cache_size = -{}; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = {}; "
      "PRAGMA foreign_keys = ON;",
      options_.cache_size_kib, options_.mmap_size_bytes);
  if (mode == AccessMode::kReadWrite) {
    pragmas += "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
  } else {
    pragmas += "PRAGMA query_only = ON;";
  }
  auto status = connection->ExecuteScript(pragmas);
  if (!status) {
    Error error = status.error();
    error.message =
        fmt::format("'{}' is not a usable SQLite database: {}", options_.path, error.message);
    if (error.code == ErrorCode::kInternal) error.code = ErrorCode::kConnection;
    return tl::unexpected(std::move(error));
  }
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace fastbreak::db
