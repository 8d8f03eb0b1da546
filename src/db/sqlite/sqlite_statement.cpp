#include "db/sqlite/sqlite_statement.hpp"

namespace fastbreak::db::detail {

Result<bool> SqliteStatement::Step() {
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
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    Finish(false);
    return false;
  }
  Finish(true);
  // The extended code of a failed step is on the handle; sqlite3_reset returns it too.
  const int code = sqlite3_extended_errcode(db_);
  return tl::unexpected(SqliteError(code == SQLITE_OK ? rc : code, sqlite3_sql(stmt_), db_));
}

void SqliteStatement::Finish(bool failed) {
  if (!running_) return;
  running_ = false;
  if (metrics_ == nullptr) return;
  metrics_->statements.Increment();
  if (failed) metrics_->errors.Increment();
  const auto elapsed = std::chrono::steady_clock::now() - started_;
  metrics_->statement_duration.Record(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
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

SqliteConnection::~SqliteConnection() {
  idle_.clear();
  lru_.clear();  // finalize cached statements before closing
  sqlite3_close_v2(db_);
}

Status SqliteConnection::ExecuteScript(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Ok();
  return tl::unexpected(SqliteError(sqlite3_extended_errcode(db_), text, db_));
}

Result<StatementPtr> SqliteConnection::Prepare(std::string_view sql) {
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
