#include "query/schema_info.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace fastbreak::query {
namespace {

constexpr size_t kMaxTables = 2000;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    return lower(x) == lower(y);
  });
}

int64_t AsInt(const db::Value& value, int64_t fallback = -1) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), parsed);
    if (ec == std::errc() && end != s->data()) return parsed;
  }
  return fallback;
}

std::string AsText(const db::Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  return {};
}

bool AsBool(const db::Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s == "t" || *s == "true";
  return AsInt(value, 0) != 0;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

Status CheckTableCount(size_t count) {
  if (count > kMaxTables) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     "the database has more than {} tables and views; schema analysis is "
                     "limited to {}",
                     kMaxTables, kMaxTables);
  }
  return Ok();
}

// --- SQLite ---

// The first number of a sqlite_stat1 stat ("1204330 12 3" -> 1204330); -1 when absent.
int64_t FirstStatNumber(std::string_view stat) {
  int64_t rows = -1;
  auto [end, ec] = std::from_chars(stat.data(), stat.data() + stat.size(), rows);
  if (ec != std::errc() || end == stat.data()) return -1;
  return rows;
}

Result<std::map<std::string, int64_t>> SqliteStatRows(db::Connection& connection) {
  std::map<std::string, int64_t> rows;
  FB_ASSIGN_OR_RETURN(
      db::QueryResult exists,
      connection.Query(
          "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"));
  if (exists.rows.empty()) return rows;
  FB_ASSIGN_OR_RETURN(db::QueryResult stats,
                      connection.Query("SELECT tbl, stat FROM sqlite_stat1"));
  for (const auto& row : stats.rows) {
    const int64_t count = FirstStatNumber(AsText(row[1]));
    if (count >= 0) rows.emplace(AsText(row[0]), count);  // the first index's stat wins
  }
  return rows;
}

// Bytes of every b-tree named `name`, from the dbstat virtual table; -1 when it is not
// compiled in or fails.
int64_t SqliteObjectSize(db::Connection& connection, const std::string& name, bool* dbstat_ok) {
  if (!*dbstat_ok) return -1;
  auto size = connection.Query("SELECT SUM(pgsize) FROM dbstat WHERE name = ?",
                               std::vector<db::Value>{name});
  if (!size) {
    *dbstat_ok = false;  // no dbstat in this build: do not try again for every index
    return -1;
  }
  if (size->rows.empty()) return -1;
  return AsInt(size->rows[0][0]);
}

Status LoadSqliteIndexes(db::Connection& connection, const TableInfo& table,
                         const std::map<std::string, std::string>& index_sql, bool* dbstat_ok,
                         std::vector<IndexInfo>& out) {
  FB_ASSIGN_OR_RETURN(db::QueryResult list,
                      connection.Query("SELECT name, \"unique\", origin, partial FROM "
                                       "pragma_index_list(?) ORDER BY name",
                                       std::vector<db::Value>{table.name}));
  for (const auto& row : list.rows) {
    IndexInfo index;
    index.name = AsText(row[0]);
    index.table = table.name;
    index.unique = AsInt(row[1], 0) != 0;
    index.primary = AsText(row[2]) == "pk";
    index.partial = AsInt(row[3], 0) != 0;
    if (auto sql = index_sql.find(index.name); sql != index_sql.end()) {
      index.definition = sql->second;
    }
    FB_ASSIGN_OR_RETURN(db::QueryResult columns,
                        connection.Query("SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                                         std::vector<db::Value>{index.name}));
    for (const auto& column : columns.rows) {
      const bool expression = std::holds_alternative<std::monostate>(column[0]);
      index.columns.push_back(expression ? "<expr>" : AsText(column[0]));
    }
    index.size_bytes = SqliteObjectSize(connection, index.name, dbstat_ok);
    out.push_back(std::move(index));
  }
  return Ok();
}

Result<SchemaInfo> LoadSqlite(db::Connection& connection) {
  SchemaInfo schema;
  schema.dialect = db::Dialect::kSqlite;
  FB_ASSIGN_OR_RETURN(db::QueryResult objects,
                      connection.Query("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                       "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                       "ORDER BY name"));
  std::map<std::string, std::string> index_sql;
  for (const auto& row : objects.rows) {
    const std::string type = AsText(row[0]);
    if (type == "table" || type == "view") {
      TableInfo table;
      table.name = AsText(row[1]);
      table.is_view = type == "view";
      schema.tables.push_back(std::move(table));
    } else if (type == "index") {
      index_sql[AsText(row[1])] = AsText(row[3]);
    }
  }
  FB_RETURN_IF_ERROR(CheckTableCount(schema.tables.size()));
  FB_ASSIGN_OR_RETURN(auto stat_rows, SqliteStatRows(connection));
  bool dbstat_ok = true;
  for (TableInfo& table : schema.tables) {
    FB_ASSIGN_OR_RETURN(db::QueryResult columns,
                        connection.Query("SELECT name, type, \"notnull\", pk FROM "
                                         "pragma_table_info(?) ORDER BY cid",
                                         std::vector<db::Value>{table.name}));
    for (const auto& row : columns.rows) {
      ColumnInfo column;
      column.name = AsText(row[0]);
      column.type = AsText(row[1]);
      column.not_null = AsInt(row[2], 0) != 0;
      column.primary_key = AsInt(row[3], 0) > 0;
      table.columns.push_back(std::move(column));
    }
    if (table.is_view) continue;
    if (auto stat = stat_rows.find(table.name); stat != stat_rows.end()) {
      table.rows = stat->second;
      table.rows_source = "sqlite_stat1";
    } else if (auto count =
                   connection.QueryScalar("SELECT COUNT(*) FROM " + QuoteIdentifier(table.name))) {
      // A virtual table whose module is missing cannot be counted: its rows stay unknown.
      table.rows = AsInt(*count);
      table.rows_source = "count(*)";
    }
    FB_RETURN_IF_ERROR(LoadSqliteIndexes(connection, table, index_sql, &dbstat_ok, schema.indexes));
  }
  return schema;
}

// --- PostgreSQL ---

// User relations in the search path, leaving out objects that belong to an extension (hypopg's
// and pg_stat_statements' views).
constexpr std::string_view kPgRelations = R"sql(
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY (current_schemas(false))
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e'))sql";

Result<SchemaInfo> LoadPostgres(db::Connection& connection) {
  SchemaInfo schema;
  schema.dialect = db::Dialect::kPostgres;
  FB_ASSIGN_OR_RETURN(
      db::QueryResult tables,
      connection.Query(std::string("SELECT c.oid::bigint, c.relname, c.relkind::text, "
                                   "CASE WHEN c.reltuples < 0 THEN -1 "
                                   "ELSE c.reltuples::bigint END") +
                       std::string(kPgRelations) +
                       " AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname LIMIT " +
                       std::to_string(kMaxTables + 1)));
  FB_RETURN_IF_ERROR(CheckTableCount(tables.rows.size()));
  std::map<int64_t, size_t> table_by_oid;
  for (const auto& row : tables.rows) {
    TableInfo table;
    table.name = AsText(row[1]);
    const std::string kind = AsText(row[2]);
    table.is_view = kind == "v" || kind == "m";
    if (kind != "v") {
      table.rows = AsInt(row[3]);
      table.rows_source = "pg_class.reltuples";
      if (table.rows < 0) {  // never analyzed
        FB_ASSIGN_OR_RETURN(db::Value count, connection.QueryScalar("SELECT COUNT(*) FROM " +
                                                                    QuoteIdentifier(table.name)));
        table.rows = AsInt(count);
        table.rows_source = "count(*)";
      }
    }
    table_by_oid[AsInt(row[0])] = schema.tables.size();
    schema.tables.push_back(std::move(table));
  }

  FB_ASSIGN_OR_RETURN(
      db::QueryResult columns,
      connection.Query(std::string("SELECT a.attrelid::bigint, a.attname, "
                                   "format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                                   "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = "
                                   "a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey)) "
                                   "FROM pg_attribute a WHERE a.attnum > 0 AND NOT "
                                   "a.attisdropped AND a.attrelid IN (SELECT c.oid") +
                       std::string(kPgRelations) + ") ORDER BY a.attrelid, a.attnum"));
  for (const auto& row : columns.rows) {
    auto table = table_by_oid.find(AsInt(row[0]));
    if (table == table_by_oid.end()) continue;
    ColumnInfo column;
    column.name = AsText(row[1]);
    column.type = AsText(row[2]);
    column.not_null = AsBool(row[3]);
    column.primary_key = AsBool(row[4]);
    schema.tables[table->second].columns.push_back(std::move(column));
  }

  FB_ASSIGN_OR_RETURN(
      db::QueryResult indexes,
      connection.Query(std::string("SELECT i.indexrelid::bigint, ic.relname, c.relname, "
                                   "i.indisunique, i.indisprimary, i.indpred IS NOT NULL, "
                                   "pg_get_indexdef(i.indexrelid), "
                                   "pg_relation_size(i.indexrelid), COALESCE(s.idx_scan, -1) "
                                   "FROM pg_index i "
                                   "JOIN pg_class ic ON ic.oid = i.indexrelid "
                                   "LEFT JOIN pg_stat_user_indexes s "
                                   "ON s.indexrelid = i.indexrelid "
                                   "JOIN (SELECT c.oid, c.relname") +
                       std::string(kPgRelations) +
                       ") c ON c.oid = i.indrelid ORDER BY ic.relname"));
  std::map<int64_t, size_t> index_by_oid;
  for (const auto& row : indexes.rows) {
    IndexInfo index;
    index.name = AsText(row[1]);
    index.table = AsText(row[2]);
    index.unique = AsBool(row[3]);
    index.primary = AsBool(row[4]);
    index.partial = AsBool(row[5]);
    index.definition = AsText(row[6]);
    index.size_bytes = AsInt(row[7]);
    index.scans = AsInt(row[8]);
    index_by_oid[AsInt(row[0])] = schema.indexes.size();
    schema.indexes.push_back(std::move(index));
  }

  // Key columns in order; 0 in indkey is an expression.
  FB_ASSIGN_OR_RETURN(
      db::QueryResult keys,
      connection.Query(std::string("SELECT i.indexrelid::bigint, k.n, a.attname "
                                   "FROM pg_index i "
                                   "CROSS JOIN LATERAL generate_series(0, i.indnkeyatts - 1) "
                                   "AS k(n) "
                                   "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid "
                                   "AND a.attnum = i.indkey[k.n] AND i.indkey[k.n] <> 0 "
                                   "WHERE i.indrelid IN (SELECT c.oid") +
                       std::string(kPgRelations) + ") ORDER BY i.indexrelid, k.n"));
  for (const auto& row : keys.rows) {
    auto index = index_by_oid.find(AsInt(row[0]));
    if (index == index_by_oid.end()) continue;
    const bool expression = std::holds_alternative<std::monostate>(row[2]);
    schema.indexes[index->second].columns.push_back(expression ? "<expr>" : AsText(row[2]));
  }
  return schema;
}

}  // namespace

const ColumnInfo* TableInfo::FindColumn(std::string_view column) const {
  for (const ColumnInfo& info : columns) {
    if (EqualsIgnoreCase(info.name, column)) return &info;
  }
  return nullptr;
}

const TableInfo* SchemaInfo::FindTable(std::string_view name) const {
  for (const TableInfo& table : tables) {
    if (EqualsIgnoreCase(table.name, name)) return &table;
  }
  return nullptr;
}

std::vector<const IndexInfo*> SchemaInfo::IndexesOf(std::string_view table) const {
  std::vector<const IndexInfo*> result;
  for (const IndexInfo& index : indexes) {
    if (EqualsIgnoreCase(index.table, table)) result.push_back(&index);
  }
  return result;
}

bool SchemaInfo::HasIndexLeadingWith(std::string_view table, std::string_view column) const {
  for (const IndexInfo* index : IndexesOf(table)) {
    if (!index->columns.empty() && EqualsIgnoreCase(index->columns.front(), column)) return true;
  }
  return false;
}

Result<SchemaInfo> LoadSchemaInfo(db::Connection& connection) {
  return connection.dialect() == db::Dialect::kPostgres ? LoadPostgres(connection)
                                                        : LoadSqlite(connection);
}

}  // namespace fastbreak::query
