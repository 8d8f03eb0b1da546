#include "db/schema/migrations.hpp"

#include <fmt/format.h>

#include <string>

#include "db/schema/nba_schema.hpp"
#include "db/schema/nba_schema_pg.hpp"

namespace fastbreak::db {
namespace {

constexpr std::string_view kCreateSqliteVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))";

constexpr std::string_view kCreatePostgresVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT COLLATE \"C\" NOT NULL,"
    " applied_at TEXT COLLATE \"C\" NOT NULL"
    " DEFAULT to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))";

bool IsPostgres(const Connection& connection) { return connection.dialect() == Dialect::kPostgres; }

// Opens one migration transaction. On PostgreSQL it also takes the migration lock (released at
// commit or rollback) and makes sure schema_migrations exists: CREATE TABLE IF NOT EXISTS is
// not safe against a concurrent creator, so it runs only under the lock. SQLite's BEGIN
// IMMEDIATE already excludes other writers.
Result<Transaction> BeginLocked(Connection& connection) {
  FB_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(connection));
  if (IsPostgres(connection)) {
    FB_RETURN_IF_ERROR(
        connection.Execute(fmt::format("SELECT pg_advisory_xact_lock({})", kMigrationLockKey)));
    FB_RETURN_IF_ERROR(connection.ExecuteScript(kCreatePostgresVersionTable));
  } else {
    FB_RETURN_IF_ERROR(connection.ExecuteScript(kCreateSqliteVersionTable));
  }
  return transaction;
}

Result<int> CurrentVersion(Connection& connection) {
  FB_ASSIGN_OR_RETURN(Value version, connection.QueryScalar("SELECT COALESCE(MAX(version), 0) "
                                                            "FROM schema_migrations"));
  return static_cast<int>(std::get<int64_t>(version));
}

}  // namespace

const std::vector<Migration>& NbaMigrations(Dialect dialect) {
  static const std::vector<Migration> sqlite = {
      {1, "nba schema: teams, players, seasons, games, box scores, play-by-play",
       schema::kTablesV1},
      {2, "indexes for the query tools", schema::kIndexesV1},
      {3, "season aggregate and standings views", schema::kViewsV1},
  };
  static const std::vector<Migration> postgres = {
      {1, sqlite[0].name, schema::pg::kTablesV1},
      {2, sqlite[1].name, schema::pg::kIndexesV1},
      {3, sqlite[2].name, schema::pg::kViewsV1},
  };
  return dialect == Dialect::kPostgres ? postgres : sqlite;
}

int LatestSchemaVersion() { return NbaMigrations(Dialect::kSqlite).back().version; }

Result<int> SchemaVersion(Connection& connection) {
  // Looked up rather than created, so that a read-only connection can ask.
  FB_ASSIGN_OR_RETURN(
      Value exists,
      connection.QueryScalar(
          IsPostgres(connection)
              ? "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END"
              : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                "name = 'schema_migrations'"));
  if (std::get<int64_t>(exists) == 0) return 0;
  return CurrentVersion(connection);
}

Result<int> Migrate(Connection& connection) {
  return Migrate(connection, NbaMigrations(connection.dialect()));
}

Result<int> Migrate(Connection& connection, const std::vector<Migration>& migrations) {
  if (connection.mode() != AccessMode::kReadWrite) {
    return MakeError(ErrorCode::kPermissionDenied, "migrations need a read-write connection");
  }
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  // An up-to-date database (the common case at startup) is answered without taking a lock.
  FB_ASSIGN_OR_RETURN(int seen, SchemaVersion(connection));
  if (seen == latest) return 0;
  int applied = 0;
  for (size_t next = 0;;) {
    FB_ASSIGN_OR_RETURN(Transaction transaction, BeginLocked(connection));
    // Read under the lock: another process may have migrated since the last look.
    FB_ASSIGN_OR_RETURN(int current, CurrentVersion(connection));
    if (current > latest) {
      return MakeError(ErrorCode::kUnsupported,
                       "database schema version {} is newer than this fastbreak supports ({}); "
                       "upgrade fastbreak",
                       current, latest);
    }
    while (next < migrations.size() && migrations[next].version <= current) ++next;
    if (next == migrations.size()) {
      FB_RETURN_IF_ERROR(transaction.Commit());
      return applied;
    }
    const Migration& migration = migrations[next];
    if (auto status = connection.ExecuteScript(migration.sql); !status) {
      return MakeError(status.error().code, "migration {} ({}) failed: {}", migration.version,
                       migration.name, status.error().message);
    }
    const Value params[] = {int64_t{migration.version}, std::string(migration.name)};
    FB_RETURN_IF_ERROR(
        connection.Execute("INSERT INTO schema_migrations(version, name) VALUES (?, ?)", params));
    FB_RETURN_IF_ERROR(transaction.Commit());
    ++applied;
  }
}

}  // namespace fastbreak::db
