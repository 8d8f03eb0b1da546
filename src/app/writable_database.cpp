#include <filesystem>
#include <regex>

#include "app/commands.hpp"
#include "db/postgres/postgres_database.hpp"

namespace fastbreak::app {
namespace {

// `dsn` with its password replaced by "***", in either libpq form: "password=..." in a
// key=value string or a URI's query, "user:secret@" in a URI's authority.
std::string HidePassword(const std::string& dsn) {
  static const std::regex kKeyValue(R"(((^|[\s?&])(ssl)?password\s*=\s*)('(\\.|[^'\\])*'|[^\s&]*))",
                                    std::regex::icase);
  std::string shown = std::regex_replace(dsn, kKeyValue, "$1***");
  static const std::regex kUserInfo(R"(^(postgres(ql)?://[^:/@?]*:)[^@/?]*@)", std::regex::icase);
  return std::regex_replace(shown, kUserInfo, "$1***@");
}

}  // namespace

Result<WritableDatabase> OpenForWriting(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return MakeError(ErrorCode::kNotFound, "directory '{}' does not exist", parent.string());
  }
  WritableDatabase opened;
  opened.name = path;
  FB_ASSIGN_OR_RETURN(opened.database, db::SqliteDatabase::Open({.path = path}));
  FB_ASSIGN_OR_RETURN(opened.connection, opened.database->Connect(db::AccessMode::kReadWrite));
  return opened;
}

Result<WritableDatabase> OpenPostgresForWriting(const std::string& dsn) {
  WritableDatabase opened;
  const std::string shown = HidePassword(dsn);
  opened.name = "PostgreSQL " + shown;
  db::PostgresOptions options;
  options.dsn = dsn;
  options.statement_timeout = std::chrono::milliseconds(0);
  options.application_name = "fastbreak-load";
  auto database = db::PostgresDatabase::Open(std::move(options));
  if (!database) {
    return MakeError(database.error().code, "{}: {}", shown, database.error().message);
  }
  opened.database = std::move(*database);
  auto connection = opened.database->Connect(db::AccessMode::kReadWrite);
  if (!connection) {
    return MakeError(connection.error().code, "{}: {}", shown, connection.error().message);
  }
  opened.connection = std::move(*connection);
  return opened;
}

}  // namespace fastbreak::app
