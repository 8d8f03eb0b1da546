#include "db/importers/copy_database.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <set>
#include <string_view>

#include "db/schema/migrations.hpp"

namespace fastbreak::db {
namespace {

using Clock = std::chrono::steady_clock;

struct CopiedTable {
  std::string_view name;
  std::array<std::string_view, 3> key;  // the primary key's columns; unused ones empty
};

// Parents before children, so that every foreign key is satisfied row by row. schema_migrations
// is not copied: the target is migrated to the same version instead.
constexpr std::array<CopiedTable, 9> kTables = {{
    {"teams", {"team_id"}},
    {"players", {"player_id"}},
    {"seasons", {"season_id"}},
    {"games", {"game_id"}},
    {"game_periods", {"game_id", "team_id", "period"}},
    {"team_game_stats", {"game_id", "team_id"}},
    {"player_game_stats", {"game_id", "player_id"}},
    {"play_by_play", {"game_id", "event_num"}},
    {"imports", {"import_id"}},
}};

// How often (in rows) the progress callback is told about a table in flight.
constexpr int64_t kProgressEvery = 50'000;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// `error` with the table it happened in put in front of its message.
Error InTable(std::string_view table, const Error& error) {
  return Error{error.code, fmt::format("table {}: {}", table, error.message)};
}

// kInvalidArgument unless `source` is a fastbreak database, kUnsupported unless it is at the
// latest schema version (its tables would not match the target's). Reads only.
Status CheckSourceSchema(Connection& source) {
  auto version = source.QueryScalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!version) {
    if (version.error().code == ErrorCode::kNotFound) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the source is not a fastbreak database (it has no schema_migrations "
                       "table)");
    }
    return MakeError(version.error().code, "cannot read the source's schema version: {}",
                     version.error().message);
  }
  const auto* number = std::get_if<int64_t>(&*version);
  const int64_t found = number != nullptr ? *number : -1;
  if (found != LatestSchemaVersion()) {
    return MakeError(ErrorCode::kUnsupported,
                     "the source database is at schema version {}, this fastbreak copies version "
                     "{} only ({})",
                     found, LatestSchemaVersion(),
                     found < LatestSchemaVersion()
                         ? "serving it once with `fastbreak serve --db` migrates it"
                         : "it was made by a newer fastbreak");
  }
  return Ok();
}

// The rows of `table` in `connection` (for progress totals).
Result<int64_t> CountRows(Connection& connection, std::string_view table) {
  FB_ASSIGN_OR_RETURN(Value count,
                      connection.QueryScalar(fmt::format("SELECT COUNT(*) FROM {}", table)));
  const auto* number = std::get_if<int64_t>(&count);
  return number != nullptr ? *number : 0;
}

// The column names of `table` in `connection`, in table order.
Result<std::vector<std::string>> ColumnNames(Connection& connection, std::string_view table) {
  FB_ASSIGN_OR_RETURN(StatementPtr select,
                      connection.Prepare(fmt::format("SELECT * FROM {} WHERE 1 = 0", table)));
  // Some backends know a result's shape only once it has run.
  FB_ASSIGN_OR_RETURN(bool has_row, select->Step());
  (void)has_row;
  std::vector<std::string> names;
  names.reserve(select->ColumnCount());
  for (int c = 0; c < select->ColumnCount(); ++c) names.emplace_back(select->ColumnName(c));
  select->Reset();
  return names;
}

// The tables' names, children first (reversed) or parents first.
std::vector<std::string_view> TableNames(bool children_first) {
  std::vector<std::string_view> names;
  for (const CopiedTable& table : kTables) names.push_back(table.name);
  if (children_first) std::reverse(names.begin(), names.end());
  return names;
}

// Empties the NBA tables of `target`, children first. Inside the copy's transaction.
Status EmptyTarget(Connection& target) {
  if (target.dialect() == Dialect::kPostgres) {
    // One statement for all of them: TRUNCATE needs every table a foreign key points from in
    // the same command, and skips the per-row work (and dead tuples) of DELETE.
    return target.ExecuteScript(fmt::format("TRUNCATE {}", fmt::join(TableNames(true), ", ")));
  }
  for (std::string_view table : TableNames(true)) {
    if (auto status = target.ExecuteScript(fmt::format("DELETE FROM {}", table)); !status) {
      return tl::unexpected(InTable(table, status.error()));
    }
  }
  return Ok();
}

// kAlreadyExists naming the first NBA table of `target` that has a row.
Status CheckEmpty(Connection& target) {
  for (std::string_view table : TableNames(false)) {
    auto row = target.Query(fmt::format("SELECT 1 FROM {} LIMIT 1", table));
    if (!row) return tl::unexpected(InTable(table, row.error()));
    if (!row->rows.empty()) {
      return MakeError(ErrorCode::kAlreadyExists,
                       "the target's table {} is not empty (--replace empties the NBA tables "
                       "first)",
                       table);
    }
  }
  return Ok();
}

// Progress over the whole copy.
struct Progress {
  const CopyOptions& options;
  int64_t total = 0;
  int64_t done = 0;
  void Report(std::string_view table) const {
    if (options.progress) options.progress(table, done, total);
  }
};

// The queries that read `table` a page of `page_rows` at a time in key order (keyset
// pagination): the first page, and the page after a key (bound as parameters 1..n). Key order
// also builds the target's primary key index in order.
struct PageQueries {
  std::string first;
  std::string next;
};

PageQueries PagesOf(const CopiedTable& table, int64_t page_rows) {
  std::vector<std::string_view> key;
  for (std::string_view column : table.key) {
    if (!column.empty()) key.push_back(column);
  }
  std::vector<std::string_view> params(key.size(), "?");
  const std::string order = fmt::format("{}", fmt::join(key, ", "));
  return {fmt::format("SELECT * FROM {} ORDER BY {} LIMIT {}", table.name, order, page_rows),
          fmt::format("SELECT * FROM {} WHERE ({}) > ({}) ORDER BY {} LIMIT {}", table.name, order,
                      fmt::join(params, ", "), order, page_rows)};
}

// Streams every row of `table` from `source` into `target` through the target's bulk loader.
Result<int64_t> CopyTable(Connection& source, Connection& target, const CopiedTable& table,
                          const std::set<std::string>& target_columns, Progress& progress) {
  const int64_t page_rows = std::max<int64_t>(progress.options.page_rows, 1);
  const PageQueries queries = PagesOf(table, page_rows);
  FB_ASSIGN_OR_RETURN(StatementPtr page, source.Prepare(queries.first));
  FB_ASSIGN_OR_RETURN(bool has_row, page->Step());

  // The source's columns, each in the target; the key's positions among them.
  const int column_count = page->ColumnCount();
  std::vector<std::string> columns;
  columns.reserve(column_count);
  for (int c = 0; c < column_count; ++c) {
    columns.emplace_back(page->ColumnName(c));
    if (!target_columns.contains(columns.back())) {
      return MakeError(ErrorCode::kNotFound, "the target has no column {} (the source has)",
                       columns.back());
    }
  }
  std::vector<int> key_columns;
  for (std::string_view column : table.key) {
    if (column.empty()) continue;
    const auto it = std::find(columns.begin(), columns.end(), column);
    if (it == columns.end()) {
      return MakeError(ErrorCode::kNotFound, "the source has no key column {}", column);
    }
    key_columns.push_back(static_cast<int>(it - columns.begin()));
  }

  const std::vector<std::string_view> column_views(columns.begin(), columns.end());
  FB_ASSIGN_OR_RETURN(std::unique_ptr<BulkLoader> loader,
                      target.BeginBulkLoad(table.name, column_views));
  std::vector<Value> row(column_count);
  int64_t rows = 0;
  while (true) {
    int64_t rows_in_page = 0;
    while (has_row) {
      for (int c = 0; c < column_count; ++c) row[c] = page->GetValue(c);
      FB_RETURN_IF_ERROR(loader->AddRow(row));
      ++rows_in_page;
      ++progress.done;
      if (progress.done % kProgressEvery == 0) progress.Report(table.name);
      FB_ASSIGN_OR_RETURN(has_row, page->Step());
    }
    rows += rows_in_page;
    if (rows_in_page < page_rows) break;
    // A full page: the next one starts after the last key read (`row` still holds it).
    page.reset();
    FB_ASSIGN_OR_RETURN(page, source.Prepare(queries.next));
    for (size_t k = 0; k < key_columns.size(); ++k) {
      page->Bind(static_cast<int>(k + 1), row[key_columns[k]]);
    }
    FB_ASSIGN_OR_RETURN(has_row, page->Step());
  }
  FB_ASSIGN_OR_RETURN(int64_t written, loader->Finish());
  if (written != rows) {
    return MakeError(ErrorCode::kInternal, "read {} rows from the source but wrote {}", rows,
                     written);
  }
  progress.Report(table.name);
  return rows;
}

// PostgreSQL checks a foreign key with a query per row and maintains every index row by row;
// checked once over the whole table after the load, the same work is several times faster
// (COPY of play_by_play: ~3x). So, inside the copy's transaction, the copied tables' foreign
// keys and secondary indexes are dropped before the load and recreated after it, from their
// definitions in the catalog. Primary keys stay: duplicate keys fail on the row. A rollback
// restores everything (PostgreSQL DDL is transactional).
struct DeferredDdl {
  std::string table;
  std::string drop;    // run before the load
  std::string create;  // run after it, in order
};

Result<std::vector<DeferredDdl>> DeferConstraints(Connection& target) {
  const std::string tables =
      fmt::format("ARRAY['{}']::regclass[]", fmt::join(TableNames(false), "', '"));
  // Secondary indexes first (created before the foreign keys are validated, which may use
  // them), then the foreign keys. Constraint-backed indexes (primary keys, unique) stay.
  FB_ASSIGN_OR_RETURN(
      QueryResult indexes,
      target.Query(fmt::format(
          "SELECT i.indrelid::regclass::text, 'DROP INDEX ' || i.indexrelid::regclass::text, "
          "pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = ANY ({}) AND NOT "
          "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid "
          "= i.indrelid) ORDER BY 2",
          tables)));
  FB_ASSIGN_OR_RETURN(
      QueryResult keys,
      target.Query(fmt::format(
          "SELECT conrelid::regclass::text, 'ALTER TABLE ' || conrelid::regclass::text || ' DROP "
          "CONSTRAINT ' || quote_ident(conname), 'ALTER TABLE ' || conrelid::regclass::text || ' "
          "ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) FROM "
          "pg_constraint WHERE contype = 'f' AND conrelid = ANY ({}) ORDER BY 2",
          tables)));
  std::vector<DeferredDdl> deferred;
  for (const QueryResult* result : {&indexes, &keys}) {
    for (const auto& row : result->rows) {
      deferred.push_back({std::get<std::string>(row[0]), std::get<std::string>(row[1]),
                          std::get<std::string>(row[2])});
    }
  }
  // Foreign keys are dropped first: an index may not be dropped while a constraint needs it.
  for (auto it = deferred.rbegin(); it != deferred.rend(); ++it) {
    if (auto dropped = target.ExecuteScript(it->drop); !dropped) {
      return tl::unexpected(InTable(it->table, dropped.error()));
    }
  }
  return deferred;
}

// Recreates what DeferConstraints dropped: builds the indexes and validates every foreign key
// over the loaded rows. A row that breaks a key fails here, with the server's message.
Status RestoreConstraints(Connection& target, const std::vector<DeferredDdl>& deferred) {
  if (deferred.empty()) return Ok();
  // Index builds sort in memory up to this much, instead of spilling to disk.
  FB_RETURN_IF_ERROR(target.ExecuteScript("SET LOCAL maintenance_work_mem = '256MB'"));
  for (const DeferredDdl& ddl : deferred) {
    if (auto created = target.ExecuteScript(ddl.create); !created) {
      return tl::unexpected(InTable(ddl.table, created.error()));
    }
  }
  return Ok();
}

// Starts the source's read transaction: one snapshot for every table.
Result<Transaction> BeginSnapshot(Connection& source) {
  FB_ASSIGN_OR_RETURN(Transaction snapshot, Transaction::Begin(source));
  if (source.dialect() == Dialect::kPostgres) {
    // READ COMMITTED would give each page query its own snapshot.
    FB_RETURN_IF_ERROR(
        source.ExecuteScript("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  }
  return snapshot;
}

}  // namespace

Status PrepareCopyTarget(Connection& target, const CopyOptions& options) {
  if (target.mode() != AccessMode::kReadWrite) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "the copy's target needs a read-write connection");
  }
  if (auto migrated = Migrate(target); !migrated) {
    return MakeError(migrated.error().code, "cannot migrate the target: {}",
                     migrated.error().message);
  }
  if (options.replace) return Ok();
  return CheckEmpty(target);
}

Result<CopyReport> CopyDatabase(Connection& source, Connection& target,
                                const CopyOptions& options) {
  const auto start = Clock::now();
  FB_RETURN_IF_ERROR(CheckSourceSchema(source));
  FB_RETURN_IF_ERROR(PrepareCopyTarget(target, options));

  // One snapshot of the source for every table, and one transaction on the target: a failure
  // anywhere rolls the target back to what it was (emptied tables included).
  FB_ASSIGN_OR_RETURN(Transaction snapshot, BeginSnapshot(source));
  FB_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(target));
  if (options.replace) {
    FB_RETURN_IF_ERROR(EmptyTarget(target));
  } else {
    // Checked again inside the transaction: another writer may have loaded rows since.
    FB_RETURN_IF_ERROR(CheckEmpty(target));
  }

  Progress progress{options};
  for (const CopiedTable& table : kTables) {
    auto rows = CountRows(source, table.name);
    if (!rows) return tl::unexpected(InTable(table.name, rows.error()));
    progress.total += *rows;
  }

  std::vector<DeferredDdl> deferred;
  if (target.dialect() == Dialect::kPostgres) {
    FB_ASSIGN_OR_RETURN(deferred, DeferConstraints(target));
  }

  CopyReport report;
  for (const CopiedTable& table : kTables) {
    const auto table_start = Clock::now();
    auto target_columns = ColumnNames(target, table.name);
    if (!target_columns) return tl::unexpected(InTable(table.name, target_columns.error()));
    auto rows =
        CopyTable(source, target, table,
                  std::set<std::string>(target_columns->begin(), target_columns->end()), progress);
    if (!rows) return tl::unexpected(InTable(table.name, rows.error()));
    report.tables.push_back({std::string(table.name), *rows, Since(table_start)});
    report.rows += *rows;
  }

  const auto restore_start = Clock::now();
  FB_RETURN_IF_ERROR(RestoreConstraints(target, deferred));
  report.constraint_seconds = Since(restore_start);
  if (target.dialect() == Dialect::kPostgres) {
    // The ids were copied as they are; the next import must not reuse one.
    auto moved = target.QueryScalar(
        "SELECT setval(pg_get_serial_sequence('imports', 'import_id'), "
        "COALESCE(MAX(import_id), 0) + 1, false) FROM imports");
    if (!moved) return tl::unexpected(InTable("imports", moved.error()));
  }
  if (auto committed = transaction.Commit(); !committed) {
    return MakeError(committed.error().code, "commit failed, target unchanged: {}",
                     committed.error().message);
  }
  (void)snapshot.Rollback();  // read only: nothing to keep

  if (target.dialect() == Dialect::kPostgres) {
    // Fresh statistics, so that the planner sees the new row counts from the first query.
    if (auto analyzed =
            target.ExecuteScript(fmt::format("ANALYZE {}", fmt::join(TableNames(false), ", ")));
        !analyzed) {
      report.analyze_error = analyzed.error().message;
    }
  }
  report.seconds = Since(start);
  return report;
}

}  // namespace fastbreak::db
