// What the analyzers need to know about a database: tables with their row counts, columns
// with nullability, and indexes with their columns, size and use. Read from the catalog of
// either backend.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/database.hpp"

namespace fastbreak::query {

struct ColumnInfo {
  std::string name;
  std::string type;  // as declared ("INTEGER", "text", "double precision")
  bool not_null = false;
  bool primary_key = false;
};

struct TableInfo {
  std::string name;
  bool is_view = false;
  // Estimated rows: SQLite from sqlite_stat1 (else COUNT(*)), PostgreSQL from
  // pg_class.reltuples (else COUNT(*) when never analyzed); -1 for views.
  int64_t rows = -1;
  std::string rows_source;  // "sqlite_stat1", "count(*)", "pg_class.reltuples"
  std::vector<ColumnInfo> columns;
  const ColumnInfo* FindColumn(std::string_view name) const;  // case-insensitive
};

struct IndexInfo {
  std::string name;
  std::string table;
  std::vector<std::string> columns;  // key columns in order; "<expr>" for an expression
  bool unique = false;
  bool primary = false;     // backs the primary key (or is SQLite's rowid alias: not listed)
  bool partial = false;     // has a WHERE clause
  std::string definition;   // CREATE INDEX ... as stored, when the engine keeps it
  int64_t size_bytes = -1;  // PostgreSQL: pg_relation_size; SQLite: dbstat when available
  int64_t scans = -1;       // PostgreSQL: pg_stat_user_indexes.idx_scan; -1 = not known
};

struct SchemaInfo {
  db::Dialect dialect = db::Dialect::kSqlite;
  std::vector<TableInfo> tables;  // tables and views, sorted by name
  std::vector<IndexInfo> indexes;

  const TableInfo* FindTable(std::string_view name) const;  // case-insensitive
  std::vector<const IndexInfo*> IndexesOf(std::string_view table) const;
  // True when `column` is the first key column of some index on `table`.
  bool HasIndexLeadingWith(std::string_view table, std::string_view column) const;
};

// Reads the schema through `connection` (user tables only: not sqlite_*, pg_catalog,
// information_schema, nor objects that belong to an extension such as hypopg's views).
// PostgreSQL: the schemas of the search path. SQLite: the main database; index sizes walk
// each index's pages through dbstat, and tables without a sqlite_stat1 row are counted.
// Bounded: at most 2,000 tables and views (more: kPayloadTooLarge).
Result<SchemaInfo> LoadSchemaInfo(db::Connection& connection);

}  // namespace fastbreak::query
