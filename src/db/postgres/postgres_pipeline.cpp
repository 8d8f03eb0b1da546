// Prefetch (libpq pipeline mode) and bulk loads (COPY FROM STDIN).
#include "db/postgres/postgres_connection.hpp"

namespace fastbreak::db::detail {
namespace {

using std::chrono::steady_clock;

// COPY data is handed to libpq in chunks of about this size.
constexpr size_t kCopyChunk = 64 * 1024;

// Appends `text` escaped for COPY's text format.
void AppendEscaped(std::string& out, std::string_view text) {
  size_t run = 0;  // start of the current run of bytes that need no escape
  for (size_t i = 0; i < text.size(); ++i) {
    const char* escape = nullptr;
    switch (text[i]) {
      case '\\':
        escape = "\\\\";
        break;
      case '\t':
        escape = "\\t";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      default:
        continue;
    }
    out.append(text.substr(run, i - run)).append(escape);
    run = i + 1;
  }
  out.append(text.substr(run));
}

class PostgresBulkLoader final : public BulkLoader {
 public:
  PostgresBulkLoader(PostgresConnection* connection, std::string sql, size_t columns)
      : connection_(connection), sql_(std::move(sql)), columns_(columns) {
    buffer_.reserve(kCopyChunk + 4096);
  }

  ~PostgresBulkLoader() override {
    if (done_) return;
    // Abandoned: fail the COPY so that none of its rows are written.
    if (!connection_->broken()) {
      PQputCopyEnd(connection_->conn(), "bulk load abandoned before Finish()");
      (void)Complete();
    }
    End();
  }

  PostgresBulkLoader(const PostgresBulkLoader&) = delete;
  PostgresBulkLoader& operator=(const PostgresBulkLoader&) = delete;

  Status AddRow(std::span<const Value> row) override {
    if (done_) return MakeError(ErrorCode::kInvalidArgument, "the bulk load has ended");
    if (row.size() != columns_) {
      return MakeError(ErrorCode::kInvalidArgument, "a row of {} values for {} columns: {}",
                       row.size(), columns_, sql_);
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) buffer_.push_back('\t');
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              buffer_.append("\\N");
            } else if constexpr (std::is_same_v<T, std::string>) {
              AppendEscaped(buffer_, v);
            } else {
              fmt::format_to(std::back_inserter(buffer_), "{}", v);
            }
          },
          row[i]);
    }
    buffer_.push_back('\n');
    ++rows_;
    if (buffer_.size() >= kCopyChunk) return Send();
    return Ok();
  }

  Result<int64_t> Finish() override {
    if (done_) return MakeError(ErrorCode::kInvalidArgument, "the bulk load has ended");
    FB_RETURN_IF_ERROR(Send());
    PGconn* conn = connection_->conn();
    const auto deadline = connection_->CommandDeadline();
    int sent = 0;
    while ((sent = PQputCopyEnd(conn, nullptr)) == 0) {
      FB_RETURN_IF_ERROR(Abort(connection_->Flush(deadline)));
    }
    if (sent < 0) return tl::unexpected(Abort().error());
    FB_ASSIGN_OR_RETURN(PgResult result, Complete());
    End();
    const char* tuples = PQcmdTuples(result.get());
    return tuples == nullptr || *tuples == '\0' ? rows_ : std::strtoll(tuples, nullptr, 10);
  }

 private:
  // Hands the buffered rows to libpq, waiting while its output buffer is full.
  Status Send() {
    if (buffer_.empty()) return Ok();
    PGconn* conn = connection_->conn();
    const auto deadline = connection_->CommandDeadline();
    while (true) {
      const int queued = PQputCopyData(conn, buffer_.data(), static_cast<int>(buffer_.size()));
      if (queued < 0) return Abort();  // the server refused the COPY: its error follows
      if (queued > 0) break;
      FB_RETURN_IF_ERROR(Abort(connection_->Flush(deadline)));
    }
    buffer_.clear();
    return Abort(connection_->Flush(deadline));
  }

  // Collects the COPY's outcome: the server's error, or its result.
  Result<PgResult> Complete() {
    auto result = connection_->Collect(sql_, connection_->CommandDeadline());
    if (result) connection_->RecordChanges(result->get());
    return result;
  }

  // Ends the load after a failure, returning the server's error when there is one.
  Status Abort(Status status = MakeError(ErrorCode::kConnection, "COPY failed")) {
    if (status) return status;
    Error error = status.error();
    if (!connection_->broken()) {
      if (auto result = Complete(); !result) error = std::move(result).error();
    }
    End();
    return tl::unexpected(std::move(error));
  }

  void End() {
    if (done_) return;
    done_ = true;
    connection_->set_bulk_loading(false);
    connection_->EndCommand();
  }

  PostgresConnection* connection_;
  std::string sql_;
  size_t columns_;
  std::string buffer_;
  int64_t rows_ = 0;
  bool done_ = false;
};

}  // namespace

Status PostgresConnection::Prefetch(std::span<Statement* const> statements) {
  std::vector<PostgresStatement*> batch;
  for (Statement* statement : statements) {
    auto* pg_statement = dynamic_cast<PostgresStatement*>(statement);
    if (pg_statement == nullptr || pg_statement->connection_ != this) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Prefetch: a statement that was not prepared on this connection");
    }
    // Untrusted statements run in their own guarded transaction; a failed bind is reported
    // by Step(); either way they are not sent here.
    if (!pg_statement->untrusted() && pg_statement->ReadyToSend()) batch.push_back(pg_statement);
  }
  if (batch.empty()) return Ok();
  FB_RETURN_IF_ERROR(CheckUsable());
  if (PQenterPipelineMode(conn_) == 0) return tl::unexpected(Fail(nullptr, "pipeline mode"));
  const auto deadline = CommandDeadline();
  BeginCommand();
  // A sync after each statement makes each its own implicit transaction outside a unit of
  // work, so one failure does not abort the statements after it.
  size_t sent = 0;
  for (PostgresStatement* statement : batch) {
    if (!statement->SendPrepared(conn_) || PQpipelineSync(conn_) == 0) break;
    statement->running_ = true;
    if (metrics_ != nullptr) statement->started_ = steady_clock::now();
    ++sent;
  }
  Status status = Flush(deadline);
  for (size_t i = 0; i < sent; ++i) {
    PostgresStatement* statement = batch[i];
    if (!status) {
      statement->SetPrefetched(tl::unexpected(status.error()));
      continue;
    }
    auto result = NextResult(deadline);
    if (!result || *result == nullptr) {
      status = result ? tl::unexpected(Fail(nullptr, statement->Sql()))
                      : Status(tl::unexpected(result.error()));
      statement->SetPrefetched(tl::unexpected(status.error()));
      continue;
    }
    const ExecStatusType code = PQresultStatus(result->get());
    if (code == PGRES_PIPELINE_ABORTED) {
      // Not run (cannot happen with a sync per statement, but harmless): the first Step()
      // runs it on its own.
      statement->running_ = false;
    } else if (code == PGRES_TUPLES_OK || code == PGRES_COMMAND_OK) {
      statement->SetPrefetched(std::move(*result));
    } else {
      statement->SetPrefetched(tl::unexpected(Fail(result->get(), statement->Sql())));
    }
    // Then the null that ends this statement's results, and its sync.
    for (int expected = 0; expected < 2 && status; ++expected) {
      auto end = NextResult(deadline);
      if (!end) status = tl::unexpected(std::move(end).error());
    }
  }
  EndCommand();
  for (size_t i = sent; i < batch.size(); ++i) {  // a send failed: the connection is gone
    batch[i]->SetPrefetched(tl::unexpected(Fail(nullptr, batch[i]->Sql())));
  }
  if (!broken_ && PQexitPipelineMode(conn_) == 0) MarkBroken(PQerrorMessage(conn_));
  if (broken_) {
    return MakeError(ErrorCode::kConnection, "PostgreSQL connection is broken: {}", broken_reason_);
  }
  return Ok();
}

Result<std::unique_ptr<BulkLoader>> PostgresConnection::BeginBulkLoad(
    std::string_view table, std::span<const std::string_view> columns) {
  FB_RETURN_IF_ERROR(CheckUsable());
  std::string sql = "COPY ";
  sql.append(table).append(" (");
  for (size_t i = 0; i < columns.size(); ++i) sql.append(i == 0 ? "" : ", ").append(columns[i]);
  sql.append(") FROM STDIN");
  NoteSql(sql);
  const auto deadline = CommandDeadline();
  BeginCommand();
  Status status = Ok();
  if (PQsendQuery(conn_, sql.c_str()) == 0) {
    status = tl::unexpected(Fail(nullptr, sql));
  } else {
    status = Flush(deadline);
  }
  if (status) {
    auto first = NextResult(deadline);
    if (first && *first != nullptr && PQresultStatus(first->get()) == PGRES_COPY_IN) {
      bulk_loading_ = true;  // the command stays in flight until the loader ends it
      return std::unique_ptr<BulkLoader>(
          std::make_unique<PostgresBulkLoader>(this, std::move(sql), columns.size()));
    }
    if (!first) {
      status = tl::unexpected(std::move(first).error());
    } else {
      Error error = Fail(first->get(), sql);
      while (!broken_) {  // the rest of the command's results
        auto rest = NextResult(deadline);
        if (!rest || *rest == nullptr) break;
      }
      status = tl::unexpected(std::move(error));
    }
  }
  EndCommand();
  return tl::unexpected(std::move(status).error());
}

}  // namespace fastbreak::db::detail
