#include "db/schema/migrations.hpp"

#include "db/schema/nba_schema.hpp"

namespace fastbreak::db {

const std::vector<Migration>& NbaMigrations() {
  static const std::vector<Migration> migrations = {
      {1, "nba schema: teams, players, seasons, games, box scores, play-by-play",
       schema::kTablesV1},
      {2, "indexes for the query tools", schema::kIndexesV1},
      {3, "season aggregate and standings views", schema::kViewsV1},
  };
  return migrations;
}

int LatestSchemaVersion() { return NbaMigrations().back().version; }

Result<int> SchemaVersion(Connection& connection) {
  FB_RETURN_IF_ERROR(connection.ExecuteScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
      " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"));
  FB_ASSIGN_OR_RETURN(Value version, connection.QueryScalar("SELECT COALESCE(MAX(version), 0) "
                                                            "FROM schema_migrations"));
  return static_cast<int>(std::get<int64_t>(version));
}

Result<int> Migrate(Connection& connection, const std::vector<Migration>& migrations) {
  if (connection.mode() != AccessMode::kReadWrite) {
    return MakeError(ErrorCode::kPermissionDenied, "migrations need a read-write connection");
  }
  FB_ASSIGN_OR_RETURN(int current, SchemaVersion(connection));
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return MakeError(ErrorCode::kUnsupported,
                     "database schema version {} is newer than this fastbreak supports ({}); "
                     "upgrade fastbreak",
                     current, latest);
  }
  int applied = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    FB_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(connection));
    // Another process may have migrated since the version was read: read it again under the
    // write lock the transaction holds.
    FB_ASSIGN_OR_RETURN(current, SchemaVersion(connection));
    if (migration.version <= current) {
      FB_RETURN_IF_ERROR(transaction.Commit());
      continue;
    }
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
  return applied;
}

}  // namespace fastbreak::db
