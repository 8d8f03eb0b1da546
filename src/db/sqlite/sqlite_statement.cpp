#include "db/sqlite/sqlite_statement.hpp"

#include <strings.h>

#include <algorithm>
#include <array>
#include <utility>

namespace fastbreak::db::detail {
namespace {

// Virtual-machine instructions between two deadline checks: a few microseconds of work.
constexpr int kProgressInterval = 1000;

// Pragmas that only describe the schema; every other pragma is refused to untrusted SQL.
constexpr std::array<std::string_view, 6> kSchemaPragmas = {
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"};

// Functions refused to untrusted SQL even though their statement reads only: they reach
// outside the database (extensions, files, editors) or install native code (fts3_tokenizer).
constexpr std::array<std::string_view, 5> kRefusedFunctions = {
    "load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool Contains(std::span<const std::string_view> list, const char* name) {
  if (name == nullptr) return false;
  return std::any_of(list.begin(), list.end(),
                     [&](std::string_view entry) { return EqualsNoCase(entry, name); });
}

std::string_view Or(const char* text, std::string_view fallback = "?") {
  return text == nullptr ? fallback : std::string_view(text);
}

// "INSERT into teams", "PRAGMA journal_mode = delete", "function load_extension()".
std::string DescribeAction(int action, const char* arg1, const char* arg2) {
  // DDL is first checked as a write to the schema table, before its own action code.
  const std::string_view table = Or(arg1, "");
  if ((action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE) &&
      (table == "sqlite_master" || table == "sqlite_temp_master" || table == "sqlite_schema" ||
       table == "sqlite_temp_schema")) {
    return fmt::format("changing the schema ({})", table);
  }
  switch (action) {
    case SQLITE_INSERT:
      return fmt::format("INSERT into {}", Or(arg1));
    case SQLITE_UPDATE:
      return fmt::format("UPDATE of {}", Or(arg1));
    case SQLITE_DELETE:
      return fmt::format("DELETE from {}", Or(arg1));
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TEMP_INDEX:
      return fmt::format("CREATE INDEX {}", Or(arg1));
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TEMP_TABLE:
      return fmt::format("CREATE TABLE {}", Or(arg1));
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_TEMP_TRIGGER:
      return fmt::format("CREATE TRIGGER {}", Or(arg1));
    case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_TEMP_VIEW:
      return fmt::format("CREATE VIEW {}", Or(arg1));
    case SQLITE_CREATE_VTABLE:
      return fmt::format("CREATE VIRTUAL TABLE {}", Or(arg1));
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TEMP_INDEX:
      return fmt::format("DROP INDEX {}", Or(arg1));
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TEMP_TABLE:
      return fmt::format("DROP TABLE {}", Or(arg1));
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_TEMP_TRIGGER:
      return fmt::format("DROP TRIGGER {}", Or(arg1));
    case SQLITE_DROP_VIEW:
    case SQLITE_DROP_TEMP_VIEW:
      return fmt::format("DROP VIEW {}", Or(arg1));
    case SQLITE_DROP_VTABLE:
      return fmt::format("DROP VIRTUAL TABLE {}", Or(arg1));
    case SQLITE_ALTER_TABLE:
      return fmt::format("ALTER TABLE {}", Or(arg2));
    case SQLITE_ATTACH:
      return fmt::format("ATTACH '{}'", Or(arg1, ""));
    case SQLITE_DETACH:
      return fmt::format("DETACH {}", Or(arg1));
    case SQLITE_PRAGMA:
      return arg2 == nullptr ? fmt::format("PRAGMA {}", Or(arg1))
                             : fmt::format("PRAGMA {} = {}", Or(arg1), arg2);
    case SQLITE_TRANSACTION:
      return fmt::format("{} (transaction control)", Or(arg1, "BEGIN"));
    case SQLITE_SAVEPOINT:
      return fmt::format("SAVEPOINT {}", Or(arg2));
    case SQLITE_ANALYZE:
      return "ANALYZE";
    case SQLITE_REINDEX:
      return "REINDEX";
    case SQLITE_FUNCTION:
      return fmt::format("function {}()", Or(arg2));
    default:
      return fmt::format("operation {}", action);
  }
}

// The connection's authorizer. `user` is the connection's active-guard slot: while it is null
// (trusted statements) everything is allowed.
int Authorize(void* user, int action, const char* arg1, const char* arg2, const char* /*db*/,
              const char* /*trigger_or_view*/) {
  UntrustedGuard* guard = *static_cast<UntrustedGuard**>(user);
  if (guard == nullptr) return SQLITE_OK;
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (!Contains(kRefusedFunctions, arg2)) return SQLITE_OK;
      break;
    case SQLITE_PRAGMA:
      if (Contains(kSchemaPragmas, arg1)) return SQLITE_OK;
      break;
    default:
      break;
  }
  if (guard->refused.empty()) guard->refused = DescribeAction(action, arg1, arg2);
  return SQLITE_DENY;
}

// Stops the statement (SQLITE_INTERRUPT) once the guard's deadline has passed.
int CheckDeadline(void* user) {
  auto* guard = static_cast<UntrustedGuard*>(user);
  if (std::chrono::steady_clock::now() < guard->deadline) return 0;
  guard->timed_out = true;
  return 1;
}

// Index just past the whitespace, ';' and SQL comments starting at `from`.
size_t SkipBlanks(std::string_view sql, size_t from) {
  size_t i = from;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ';') {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      const size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(i, 2) == "/*") {
      const size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

}  // namespace

Error UntrustedError(int code, const UntrustedGuard& guard, std::string_view sql, sqlite3* db) {
  if ((code & 0xff) == SQLITE_INTERRUPT && guard.timed_out) {
    return Error{ErrorCode::kTimeout,
                 fmt::format("query exceeded {} ms; narrow it (WHERE, LIMIT) or allow more time",
                             guard.limits.timeout.count())};
  }
  if ((code & 0xff) == SQLITE_AUTH || !guard.refused.empty()) {
    return Error{ErrorCode::kPermissionDenied,
                 fmt::format("{} is not allowed: the database is read-only to this SQL; only "
                             "queries (SELECT, WITH, VALUES) may run",
                             guard.refused.empty() ? "this statement" : guard.refused)};
  }
  return SqliteError(code, sql, db);
}

UntrustedScope::UntrustedScope(sqlite3* db, UntrustedGuard** slot, UntrustedGuard& guard)
    : db_(db), slot_(slot) {
  *slot_ = &guard;
  sqlite3_progress_handler(db_, kProgressInterval, &CheckDeadline, &guard);
  const int max_sql = static_cast<int>(std::min<size_t>(guard.limits.max_sql_bytes, 1 << 30));
  saved_length_ =
      sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, std::max(guard.limits.max_value_bytes, 1));
  saved_sql_length_ = sqlite3_limit(db_, SQLITE_LIMIT_SQL_LENGTH, std::max(max_sql, 1));
  saved_attached_ = sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 0);
}

UntrustedScope::~UntrustedScope() {
  sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, saved_length_);
  sqlite3_limit(db_, SQLITE_LIMIT_SQL_LENGTH, saved_sql_length_);
  sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, saved_attached_);
  sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  *slot_ = nullptr;
}

Result<bool> SqliteStatement::Step() {
  if (guard_ == nullptr) return StepOnce();
  UntrustedScope scope(db_, scope_slot_, *guard_);
  return StepOnce();
}

Result<bool> SqliteStatement::StepOnce() {
  if (bind_error_ != SQLITE_OK) {
    return MakeError(
        bind_error_ == SQLITE_TOOBIG ? ErrorCode::kPayloadTooLarge : ErrorCode::kInvalidArgument,
        "cannot bind a parameter ({}) in: {}", sqlite3_errstr(bind_error_), key_);
  }
  if (!running_) {
    running_ = true;
    if (metrics_ != nullptr) started_ = std::chrono::steady_clock::now();
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    ++rows_seen_;
    return true;
  }
  if (rc == SQLITE_DONE) {
    Finish(false);
    return false;
  }
  Finish(true);
  // The extended code of a failed step is on the handle; sqlite3_reset returns it too.
  int code = sqlite3_extended_errcode(db_);
  if (code == SQLITE_OK) code = rc;
  if (guard_ != nullptr) return tl::unexpected(UntrustedError(code, *guard_, key_, db_));
  return tl::unexpected(SqliteError(code, sqlite3_sql(stmt_), db_));
}

void SqliteStatement::Finish(bool failed) {
  if (!running_) return;
  running_ = false;
  const int64_t rows = std::exchange(rows_seen_, 0);
  if (metrics_ == nullptr) return;
  metrics_->statements.Increment();
  if (failed) metrics_->errors.Increment();
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - started_);
  metrics_->statement_duration.Record(static_cast<uint64_t>(elapsed.count()));
  if (metrics_->observer != nullptr) {
    StatementEvent event;
    event.statement = this;
    event.dialect = Dialect::kSqlite;
    event.elapsed = elapsed;
    event.rows = rows;
    event.failed = failed;
    event.untrusted = guard_ != nullptr;
    metrics_->observer->OnStatement(event);
  }
}

std::string SqliteStatement::ExpandedSql() const {
  char* expanded = sqlite3_expanded_sql(stmt_);
  if (expanded == nullptr) return key_;  // too long, or out of memory
  std::string out(expanded);
  sqlite3_free(expanded);
  return out;
}

std::string_view SqliteStatement::GetText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

Value SqliteStatement::GetValue(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      return GetInt(column);
    case SQLITE_FLOAT:
      return GetDouble(column);
    case SQLITE_NULL:
      return std::monostate{};
    case SQLITE_BLOB:
      if (guard_ != nullptr) {
        return fmt::format("<blob {} bytes>", sqlite3_column_bytes(stmt_, column));
      }
      return std::string(GetText(column));
    default:
      return std::string(GetText(column));
  }
}

void SqliteStatement::Reset() {
  Finish(false);  // a statement abandoned mid-result still counts once
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

SqliteConnection::SqliteConnection(sqlite3* db, AccessMode mode, int cache_capacity,
                                   DbMetrics* metrics)
    : db_(db), mode_(mode), cache_capacity_(cache_capacity), metrics_(metrics) {
  sqlite3_set_authorizer(db_, &Authorize, &active_guard_);
}

SqliteConnection::~SqliteConnection() {
  idle_.clear();
  lru_.clear();  // finalize cached statements before closing
  sqlite3_close_v2(db_);
}

Status SqliteConnection::Ping() {
  // Reads the schema cookie: touches the file (a deleted or unreadable database fails here)
  // without depending on any table.
  return ExecuteScript("PRAGMA schema_version");
}

Status SqliteConnection::ExecuteScript(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Ok();
  return tl::unexpected(SqliteError(sqlite3_extended_errcode(db_), text, db_));
}

std::string SqliteConnection::last_sql() const {
  std::lock_guard lock(last_sql_mutex_);
  return last_sql_;
}

void SqliteConnection::NoteSql(std::string_view sql) {
  std::lock_guard lock(last_sql_mutex_);
  last_sql_.assign(sql);
}

Result<StatementPtr> SqliteConnection::Prepare(std::string_view sql) {
  NoteSql(sql);
  if (metrics_ != nullptr) metrics_->prepares.Increment();
  if (auto it = idle_.find(sql); it != idle_.end()) {
    if (metrics_ != nullptr) metrics_->statement_cache_hits.Increment();
    const IdleList::iterator position = it->second;
    idle_.erase(it);
    SqliteStatement* statement = position->release();
    lru_.erase(position);
    return StatementPtr(statement, StatementReturner{this});
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) {
    return tl::unexpected(SqliteError(sqlite3_extended_errcode(db_), sql, db_));
  }
  if (stmt == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, "empty SQL statement");
  }
  const std::string_view rest(tail, sql.data() + sql.size() - tail);
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    sqlite3_finalize(stmt);
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected one SQL statement, found more after: {}", rest.substr(0, 60));
  }
  return StatementPtr(new SqliteStatement(stmt, db_, metrics_, sql), StatementReturner{this});
}

Result<StatementPtr> SqliteConnection::PrepareUntrusted(std::string_view sql,
                                                        const UntrustedLimits& limits) {
  if (metrics_ != nullptr) metrics_->prepares.Increment();
  if (sql.size() > limits.max_sql_bytes) {
    return MakeError(ErrorCode::kPayloadTooLarge, "SQL text is {} bytes; at most {} are accepted",
                     sql.size(), limits.max_sql_bytes);
  }
  auto guard = std::make_unique<UntrustedGuard>();
  guard->limits = limits;
  guard->deadline = std::chrono::steady_clock::now() + limits.timeout;
  const std::string_view body = sql.substr(SkipBlanks(sql, 0));
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = SQLITE_OK;
  {
    UntrustedScope scope(db_, &active_guard_, *guard);
    rc = sqlite3_prepare_v3(db_, body.data(), static_cast<int>(body.size()), 0, &stmt, &tail);
  }
  if (rc != SQLITE_OK) {
    int code = sqlite3_extended_errcode(db_);
    if (code == SQLITE_OK) code = rc;
    return tl::unexpected(UntrustedError(code, *guard, body, db_));
  }
  if (stmt == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, "no SQL statement: expected one SELECT query");
  }
  auto owned = std::make_unique<SqliteStatement>(stmt, db_, metrics_, body, std::move(guard),
                                                 &active_guard_);
  const std::string_view rest(tail, body.data() + body.size() - tail);
  if (const size_t extra = SkipBlanks(rest, 0); extra != rest.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "one statement at a time: found more SQL after the first statement: '{}'",
                     rest.substr(extra, 60));
  }
  if (sqlite3_stmt_readonly(stmt) == 0) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "this statement writes; the database is read-only to this SQL, only queries "
                     "(SELECT, WITH, VALUES) may run");
  }
  return StatementPtr(owned.release(), StatementReturner{nullptr});
}

void SqliteConnection::ReturnStatement(Statement* statement) {
  auto* sqlite_statement = static_cast<SqliteStatement*>(statement);
  sqlite_statement->Reset();
  lru_.emplace_back(sqlite_statement);
  idle_.emplace(sqlite_statement->Sql(), std::prev(lru_.end()));
  while (static_cast<int>(lru_.size()) > cache_capacity_) {
    const IdleList::iterator oldest = lru_.begin();
    auto range = idle_.equal_range((*oldest)->Sql());
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == oldest) {
        idle_.erase(it);
        break;
      }
    }
    lru_.pop_front();
  }
}

}  // namespace fastbreak::db::detail
