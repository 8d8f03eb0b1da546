// Versioned, idempotent schema migrations. Each migration runs once, in its own transaction,
// and is recorded in schema_migrations; running Migrate again changes nothing.
#pragma once

#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace fastbreak::db {

struct Migration {
  int version;            // strictly increasing from 1
  std::string_view name;  // short description, recorded with the version
  std::string_view sql;   // one or more statements
};

// The NBA schema's migrations, oldest first.
const std::vector<Migration>& NbaMigrations();

// The version the schema reaches after every migration has run.
int LatestSchemaVersion();

// Applies every migration newer than the database's version. Returns the number applied.
// Fails with kUnsupported when the database was migrated by a newer fastbreak (its version is
// above LatestSchemaVersion()), and leaves the database unchanged when a migration fails.
// REQUIRES: a read-write connection.
Result<int> Migrate(Connection& connection,
                    const std::vector<Migration>& migrations = NbaMigrations());

// The highest applied version, 0 for an empty database.
Result<int> SchemaVersion(Connection& connection);

}  // namespace fastbreak::db
