// Versioned, idempotent schema migrations. Each migration runs once, in its own transaction,
// and is recorded in schema_migrations; running Migrate again changes nothing. The NBA schema
// has one list per SQL dialect, numbered and named alike, so a version means the same schema on
// SQLite and on PostgreSQL.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace fastbreak::db {

struct Migration {
  int version;            // strictly increasing from 1
  std::string_view name;  // short description, recorded with the version
  std::string_view sql;   // one or more statements
};

// The NBA schema's migrations in `dialect`, oldest first.
const std::vector<Migration>& NbaMigrations(Dialect dialect);

// The version the schema reaches after every migration has run (the same for every dialect).
int LatestSchemaVersion();

// The PostgreSQL advisory lock Migrate takes (pg_advisory_xact_lock) in each of its
// transactions, so that processes migrating one database at once apply each migration once.
inline constexpr int64_t kMigrationLockKey = 0x66617374627265;  // "fastbre"

// Applies every migration newer than the database's version: the NBA migrations of the
// connection's dialect, or `migrations`. Returns the number applied. Fails with kUnsupported
// when the database was migrated by a newer fastbreak (its version is above the last
// migration's), and leaves the database unchanged when a migration fails. Safe to run from
// several processes at once: SQLite serializes them on its write lock, PostgreSQL on the
// advisory lock; the ones that lose the race find the work done and apply nothing.
// REQUIRES: a read-write connection.
Result<int> Migrate(Connection& connection);
Result<int> Migrate(Connection& connection, const std::vector<Migration>& migrations);

// The highest applied version, 0 for an empty database. Works on read-only connections.
Result<int> SchemaVersion(Connection& connection);

}  // namespace fastbreak::db
