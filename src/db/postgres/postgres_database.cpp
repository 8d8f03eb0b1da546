#include "db/postgres/postgres_database.hpp"

#include <libpq-fe.h>

#include <memory>
#include <vector>

#include "db/postgres/postgres_connection.hpp"

namespace fastbreak::db {
namespace {

struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using Conninfo = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

Result<Conninfo> ParseDsn(const std::string& dsn) {
  char* error = nullptr;
  Conninfo options(PQconninfoParse(dsn.c_str(), &error));
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    if (error != nullptr) PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return MakeError(ErrorCode::kInvalidArgument, "bad PostgreSQL DSN: {}", message);
  }
  return options;
}

// The value of `keyword` in a parsed DSN, or "" when unset.
std::string Setting(const PQconninfoOption* options, std::string_view keyword) {
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (keyword == option->keyword && option->val != nullptr) return option->val;
  }
  return "";
}

std::string Trimmed(const char* text) {
  std::string out = text == nullptr ? "" : text;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

ErrorCode PostgresErrorCode(std::string_view sqlstate, bool cancelled) {
  const std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
      sqlstate == "53300") {
    return ErrorCode::kConnection;
  }
  if (sqlstate == "57014") return cancelled ? ErrorCode::kCancelled : ErrorCode::kTimeout;
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") return ErrorCode::kBusy;
  if (sqlstate == "23505") return ErrorCode::kAlreadyExists;
  if (cls == "23") return ErrorCode::kConstraint;
  if (sqlstate == "42P01" || sqlstate == "42703" || sqlstate == "42883") {
    return ErrorCode::kNotFound;
  }
  if (sqlstate == "25006" || sqlstate == "42501") return ErrorCode::kPermissionDenied;
  if (cls == "42") return ErrorCode::kSyntax;
  if (cls == "22") return ErrorCode::kInvalidArgument;
  if (cls == "54") return ErrorCode::kPayloadTooLarge;
  return ErrorCode::kInternal;
}

namespace detail {

bool IsConnectionFailure(std::string_view sqlstate) {
  return PostgresErrorCode(sqlstate) == ErrorCode::kConnection;
}

Error PostgresError(const PGresult* result, PGconn* conn, std::string_view sql, bool cancelled) {
  constexpr size_t kMaxContext = 200;
  std::string shown(sql.substr(0, kMaxContext));
  if (sql.size() > kMaxContext) shown += "...";
  const char* sqlstate = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (sqlstate == nullptr) {
    // No server error: libpq's own (the connection failed, or a send was refused).
    std::string message = Trimmed(result != nullptr ? PQresultErrorMessage(result) : "");
    if (message.empty()) message = Trimmed(PQerrorMessage(conn));
    if (message.empty()) message = "no result from the server";
    const bool lost = PQstatus(conn) == CONNECTION_BAD || result == nullptr;
    return Error{lost ? ErrorCode::kConnection : ErrorCode::kInternal,
                 fmt::format("{} (in: {})", message, shown)};
  }
  const std::string primary = Trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
  const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
  // A cancel that came from elsewhere (pg_cancel_backend) is a cancellation too.
  const bool user_request = primary.find("due to user request") != std::string::npos;
  std::string message = primary;
  if (detail != nullptr) message += fmt::format(" ({})", Trimmed(detail));
  return Error{PostgresErrorCode(sqlstate, cancelled || user_request),
               fmt::format("{} [SQLSTATE {}] (in: {})", message, sqlstate, shown)};
}

}  // namespace detail

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(PostgresOptions options,
                                                                 DbMetrics* metrics) {
  FB_RETURN_IF_ERROR(ParseDsn(options.dsn));
  if (options.statement_cache_capacity < 1 || options.connect_timeout.count() < 0 ||
      options.statement_timeout.count() < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "statement_cache_capacity must be >= 1 and timeouts >= 0");
  }
  return std::unique_ptr<PostgresDatabase>(new PostgresDatabase(std::move(options), metrics));
}

Result<std::unique_ptr<Connection>> PostgresDatabase::Connect(AccessMode mode) {
  FB_ASSIGN_OR_RETURN(Conninfo parsed, ParseDsn(options_.dsn));
  // Whole seconds, rounded up (libpq's unit); libpq waits at least 2 s.
  const int64_t timeout_s = std::max<int64_t>(1, (options_.connect_timeout.count() + 999) / 1000);
  std::string session = Setting(parsed.get(), "options");
  session += fmt::format(" -c statement_timeout={}", options_.statement_timeout.count());
  if (mode == AccessMode::kReadOnly) session += " -c default_transaction_read_only=on";
  const std::string timeout_text = std::to_string(timeout_s);
  // Later keywords override what the expanded DSN (the first "dbname") says; the DSN's own
  // application_name wins over the default.
  std::vector<const char*> keywords = {"dbname", "connect_timeout", "options"};
  std::vector<const char*> values = {options_.dsn.c_str(), timeout_text.c_str(), session.c_str()};
  if (Setting(parsed.get(), "application_name").empty()) {
    keywords.push_back("application_name");
    values.push_back(options_.application_name.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), 1);
  if (conn == nullptr) return MakeError(ErrorCode::kConnection, "cannot allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return MakeError(ErrorCode::kConnection, "cannot connect to PostgreSQL: {}", message);
  }
  return std::unique_ptr<Connection>(
      std::make_unique<detail::PostgresConnection>(conn, mode, options_, metrics_));
}

}  // namespace fastbreak::db
