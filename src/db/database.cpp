#include "db/database.hpp"

namespace fastbreak::db {

void StatementReturner::operator()(Statement* statement) const {
  if (statement == nullptr) return;
  if (owner == nullptr) {
    delete statement;
    return;
  }
  owner->ReturnStatement(statement);
}

void Statement::Bind(int index, const Value& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          BindNull(index);
        } else {
          Bind(index, v);
        }
      },
      value);
}

Status Statement::Run() {
  while (true) {
    auto row = Step();
    if (!row) {
      Reset();
      return tl::unexpected(std::move(row).error());
    }
    if (!*row) break;
  }
  Reset();
  return Ok();
}

Result<QueryResult> Connection::Query(std::string_view sql, std::span<const Value> params) {
  FB_ASSIGN_OR_RETURN(StatementPtr statement, Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) statement->Bind(static_cast<int>(i + 1), params[i]);
  QueryResult result;
  const int columns = statement->ColumnCount();
  result.columns.reserve(columns);
  for (int c = 0; c < columns; ++c) result.columns.emplace_back(statement->ColumnName(c));
  while (true) {
    FB_ASSIGN_OR_RETURN(bool has_row, statement->Step());
    if (!has_row) break;
    auto& row = result.rows.emplace_back();
    row.reserve(columns);
    for (int c = 0; c < columns; ++c) row.push_back(statement->GetValue(c));
  }
  return result;
}

Result<int64_t> Connection::Execute(std::string_view sql, std::span<const Value> params) {
  FB_ASSIGN_OR_RETURN(StatementPtr statement, Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) statement->Bind(static_cast<int>(i + 1), params[i]);
  FB_RETURN_IF_ERROR(statement->Run());
  return Changes();
}

Result<Value> Connection::QueryScalar(std::string_view sql, std::span<const Value> params) {
  FB_ASSIGN_OR_RETURN(StatementPtr statement, Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) statement->Bind(static_cast<int>(i + 1), params[i]);
  FB_ASSIGN_OR_RETURN(bool has_row, statement->Step());
  if (!has_row) return MakeError(ErrorCode::kNotFound, "query returned no row: {}", sql);
  return statement->GetValue(0);
}

namespace {

// The portable BulkLoader: one prepared INSERT, bound and run per row.
class InsertLoader final : public BulkLoader {
 public:
  explicit InsertLoader(StatementPtr insert) : insert_(std::move(insert)) {}
  Status AddRow(std::span<const Value> row) override {
    for (size_t i = 0; i < row.size(); ++i) insert_->Bind(static_cast<int>(i + 1), row[i]);
    FB_RETURN_IF_ERROR(insert_->Run());
    ++rows_;
    return Ok();
  }
  Result<int64_t> Finish() override { return rows_; }

 private:
  StatementPtr insert_;
  int64_t rows_ = 0;
};

}  // namespace

Result<std::unique_ptr<BulkLoader>> Connection::BeginBulkLoad(
    std::string_view table, std::span<const std::string_view> columns) {
  std::string sql = "INSERT INTO ";
  sql.append(table).append("(");
  for (size_t i = 0; i < columns.size(); ++i) sql.append(i == 0 ? "" : ", ").append(columns[i]);
  sql.append(") VALUES (");
  for (size_t i = 0; i < columns.size(); ++i) sql.append(i == 0 ? "?" : ", ?");
  sql.append(")");
  FB_ASSIGN_OR_RETURN(StatementPtr insert, Prepare(sql));
  return std::unique_ptr<BulkLoader>(std::make_unique<InsertLoader>(std::move(insert)));
}

Result<Transaction> Transaction::Begin(Connection& connection) {
  FB_RETURN_IF_ERROR(connection.BeginTransaction());
  return Transaction(&connection);
}

Transaction::Transaction(Transaction&& other) noexcept : connection_(other.connection_) {
  other.connection_ = nullptr;
}

Transaction::~Transaction() {
  if (connection_ != nullptr) (void)Rollback();
}

Status Transaction::Commit() {
  if (connection_ == nullptr) {
    return MakeError(ErrorCode::kInternal, "transaction already finished");
  }
  auto status = connection_->ExecuteScript("COMMIT");
  if (!status) {
    (void)connection_->ExecuteScript("ROLLBACK");
  }
  connection_ = nullptr;
  return status;
}

Status Transaction::Rollback() {
  if (connection_ == nullptr) return Ok();
  Connection* connection = connection_;
  connection_ = nullptr;
  return connection->ExecuteScript("ROLLBACK");
}

}  // namespace fastbreak::db
