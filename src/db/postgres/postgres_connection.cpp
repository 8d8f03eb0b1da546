#include "db/postgres/postgres_connection.hpp"

#include <poll.h>

#include <cerrno>

#include "db/postgres/postgres_sql.hpp"

namespace fastbreak::db::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// How long past the statement timeout a command may go unanswered before the server is taken
// for gone: the server's own timeout normally answers well within it.
constexpr milliseconds kGrace{2000};
// poll() slice: how often a waiting command re-checks for an interrupt the server missed.
constexpr milliseconds kPollSlice{100};
// An interrupt that has not stopped the command after this long is sent again (a cancel
// request that reached the server between two commands is ignored there).
constexpr milliseconds kCancelRetry{250};

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

// The command tags whose row count Changes() reports.
bool ChangesRows(const char* tag) {
  const std::string_view t = tag == nullptr ? "" : tag;
  return t.starts_with("INSERT") || t.starts_with("UPDATE") || t.starts_with("DELETE") ||
         t.starts_with("MERGE") || t.starts_with("COPY");
}

bool Failed(ExecStatusType status) {
  return status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
         status == PGRES_NONFATAL_ERROR;
}

}  // namespace

PostgresConnection::PostgresConnection(PGconn* conn, AccessMode mode,
                                       const PostgresOptions& options, DbMetrics* metrics)
    : conn_(conn), cancel_(PQgetCancel(conn)), mode_(mode), options_(options), metrics_(metrics) {
  PQsetNoticeProcessor(conn_, &IgnoreNotice, nullptr);
  PQsetnonblocking(conn_, 1);
}

PostgresConnection::~PostgresConnection() {
  idle_.clear();
  lru_.clear();
  if (cancel_ != nullptr) PQfreeCancel(cancel_);
  PQfinish(conn_);
}

void PostgresConnection::MarkBroken(std::string_view reason) {
  if (broken_) return;
  broken_ = true;
  broken_reason_.assign(reason);
}

Status PostgresConnection::CheckUsable() {
  if (!broken_ && PQstatus(conn_) == CONNECTION_BAD) MarkBroken(PQerrorMessage(conn_));
  if (broken_) {
    return MakeError(ErrorCode::kConnection, "PostgreSQL connection is broken: {}", broken_reason_);
  }
  if (bulk_loading_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "a bulk load is in progress on this connection; finish it first");
  }
  if (streaming_ != nullptr) streaming_->Abandon(/*by_other=*/true);
  if (broken_) {
    return MakeError(ErrorCode::kConnection, "PostgreSQL connection is broken: {}", broken_reason_);
  }
  return Ok();
}

steady_clock::time_point PostgresConnection::CommandDeadline() const {
  const milliseconds timeout =
      in_work_ && work_timeout_.count() > 0 ? work_timeout_ : options_.statement_timeout;
  if (timeout.count() <= 0) return steady_clock::time_point::max();
  return steady_clock::now() + timeout + kGrace;
}

void PostgresConnection::BeginCommand() {
  interrupt_requested_.store(false);
  last_cancel_ = {};
  running_.store(true);
}

void PostgresConnection::SendCancel() {
  if (cancel_ == nullptr) return;
  char message[256];
  PQcancel(cancel_, message, sizeof(message));
}

void PostgresConnection::Interrupt() {
  interrupt_requested_.store(true);
  if (running_.load()) SendCancel();
}

Status PostgresConnection::Wait(bool write, steady_clock::time_point deadline) {
  const int socket = PQsocket(conn_);
  if (socket < 0) {
    MarkBroken("no socket");
    return MakeError(ErrorCode::kConnection, "PostgreSQL connection has no socket");
  }
  while (true) {
    const auto now = steady_clock::now();
    if (now >= deadline) return MakeError(ErrorCode::kTimeout, "deadline passed");
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    const int wait_ms = static_cast<int>(std::min(left + milliseconds(1), kPollSlice).count());
    pollfd fd{socket, static_cast<short>(POLLIN | (write ? POLLOUT : 0)), 0};
    const int ready = poll(&fd, 1, wait_ms);
    if (ready > 0) return Ok();
    if (ready < 0 && errno != EINTR) {
      MarkBroken("poll failed");
      return MakeError(ErrorCode::kConnection, "poll on the PostgreSQL socket failed");
    }
    if (ready == 0 && interrupt_requested_.load() && running_.load()) {
      // Interrupt() sent a cancel already; if the command is still running the server may
      // have received it between commands, so ask again.
      if (last_cancel_ == steady_clock::time_point{}) {
        last_cancel_ = now;
      } else if (now - last_cancel_ >= kCancelRetry) {
        SendCancel();
        last_cancel_ = now;
      }
    }
  }
}

Status PostgresConnection::Flush(steady_clock::time_point deadline) {
  while (true) {
    const int pending = PQflush(conn_);
    if (pending == 0) return Ok();
    if (pending < 0) {
      MarkBroken(PQerrorMessage(conn_));
      return MakeError(ErrorCode::kConnection, "sending to PostgreSQL failed: {}", broken_reason_);
    }
    auto waited = Wait(true, deadline);
    if (!waited) {
      if (waited.error().code == ErrorCode::kTimeout) {
        MarkBroken("the server stopped reading");
        return MakeError(ErrorCode::kConnection, "PostgreSQL stopped reading the connection");
      }
      return waited;
    }
    // The server may be waiting for us to read before it reads more.
    if (PQconsumeInput(conn_) == 0) {
      MarkBroken(PQerrorMessage(conn_));
      return MakeError(ErrorCode::kConnection, "PostgreSQL connection failed: {}", broken_reason_);
    }
  }
}

Result<PgResult> PostgresConnection::NextResult(steady_clock::time_point deadline) {
  while (PQisBusy(conn_) != 0) {
    auto waited = Wait(false, deadline);
    if (!waited) {
      if (waited.error().code == ErrorCode::kTimeout) {
        // Past the statement timeout and the grace: the server is not answering at all. The
        // protocol state is unknown, so the session cannot be reused.
        MarkBroken("the server did not answer in time");
        return MakeError(ErrorCode::kConnection,
                         "PostgreSQL did not answer within the statement timeout plus {} ms; "
                         "the connection is closed",
                         kGrace.count());
      }
      return tl::unexpected(std::move(waited).error());
    }
    if (PQconsumeInput(conn_) == 0) {
      MarkBroken(PQerrorMessage(conn_));
      return MakeError(ErrorCode::kConnection, "PostgreSQL connection failed: {}", broken_reason_);
    }
  }
  return PgResult(PQgetResult(conn_));
}

Error PostgresConnection::Fail(const PGresult* result, std::string_view sql) {
  Error error = PostgresError(result, conn_, sql, interrupt_requested_.load());
  const char* sqlstate = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (error.code == ErrorCode::kConnection ||
      (sqlstate != nullptr && IsConnectionFailure(sqlstate)) || PQstatus(conn_) == CONNECTION_BAD) {
    MarkBroken(error.message);
    error.code = ErrorCode::kConnection;
  }
  return error;
}

Result<PgResult> PostgresConnection::Collect(std::string_view sql,
                                             steady_clock::time_point deadline) {
  PgResult first_error;
  PgResult last;
  while (true) {
    FB_ASSIGN_OR_RETURN(PgResult result, NextResult(deadline));
    if (result == nullptr) break;
    const ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_COPY_IN) {
      // COPY FROM STDIN outside BeginBulkLoad: refuse the data so the command ends.
      PQputCopyEnd(conn_, "COPY FROM STDIN is only supported through BeginBulkLoad");
      FB_RETURN_IF_ERROR(Flush(deadline));
      continue;
    }
    if (status == PGRES_COPY_OUT) {
      char* buffer = nullptr;
      int got = 0;
      while ((got = PQgetCopyData(conn_, &buffer, 1)) != -1) {
        if (buffer != nullptr) PQfreemem(buffer);
        buffer = nullptr;
        if (got == -2) break;
        if (got == 0) FB_RETURN_IF_ERROR(Wait(false, deadline));
        if (got == 0 && PQconsumeInput(conn_) == 0) break;
      }
      continue;
    }
    if (Failed(status)) {
      if (first_error == nullptr) first_error = std::move(result);
    } else {
      last = std::move(result);
    }
  }
  if (first_error != nullptr) return tl::unexpected(Fail(first_error.get(), sql));
  if (PQstatus(conn_) == CONNECTION_BAD) return tl::unexpected(Fail(nullptr, sql));
  return last;
}

Result<PgResult> PostgresConnection::Exec(std::string_view sql, steady_clock::time_point deadline) {
  const std::string text(sql);
  BeginCommand();
  Result<PgResult> result;
  if (PQsendQuery(conn_, text.c_str()) == 0) {
    result = tl::unexpected(Fail(nullptr, sql));
  } else if (auto flushed = Flush(deadline); !flushed) {
    result = tl::unexpected(std::move(flushed).error());
  } else {
    result = Collect(sql, deadline);
  }
  EndCommand();
  return result;
}

void PostgresConnection::RecordChanges(const PGresult* result) {
  if (result == nullptr || !ChangesRows(PQcmdStatus(const_cast<PGresult*>(result)))) return;
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
  changes_ = tuples == nullptr || *tuples == '\0' ? 0 : std::strtoll(tuples, nullptr, 10);
}

Status PostgresConnection::Ping() {
  FB_RETURN_IF_ERROR(CheckUsable());
  const milliseconds bound = std::max(options_.connect_timeout, milliseconds(1000));
  auto result = Exec("", steady_clock::now() + bound);
  if (result) return Ok();
  MarkBroken(result.error().message);
  return MakeError(ErrorCode::kConnection, "PostgreSQL ping failed: {}", result.error().message);
}

Status PostgresConnection::ExecuteScript(std::string_view sql) {
  FB_RETURN_IF_ERROR(CheckUsable());
  NoteSql(sql);
  FB_ASSIGN_OR_RETURN(PgResult result, Exec(sql, CommandDeadline()));
  RecordChanges(result.get());
  return Ok();
}

Result<PgResult> PostgresConnection::PrepareNamed(const std::string& name, std::string_view sql) {
  const auto deadline = CommandDeadline();
  const std::string text(sql);
  BeginCommand();
  Result<PgResult> described;
  if (PQsendPrepare(conn_, name.c_str(), text.c_str(), 0, nullptr) == 0) {
    described = tl::unexpected(Fail(nullptr, sql));
  } else if (auto flushed = Flush(deadline); !flushed) {
    described = tl::unexpected(std::move(flushed).error());
  } else if (auto prepared = Collect(sql, deadline); !prepared) {
    described = tl::unexpected(std::move(prepared).error());
  } else if (PQsendDescribePrepared(conn_, name.c_str()) == 0) {
    described = tl::unexpected(Fail(nullptr, sql));
  } else if (auto sent = Flush(deadline); !sent) {
    described = tl::unexpected(std::move(sent).error());
  } else {
    described = Collect(sql, deadline);
  }
  EndCommand();
  return described;
}

void PostgresConnection::DeallocateEvicted() {
  // Only between transactions: a DEALLOCATE that failed inside one (the name dropped by a
  // DISCARD) would abort the caller's transaction.
  if (evicted_.empty() || broken_ || PQtransactionStatus(conn_) != PQTRANS_IDLE) return;
  std::string sql;
  for (const std::string& name : evicted_) sql.append("DEALLOCATE ").append(name).append(";");
  evicted_.clear();
  (void)Exec(sql, CommandDeadline());  // a failure here leaves only unused server memory
}

Result<StatementPtr> PostgresConnection::Prepare(std::string_view sql) {
  if (metrics_ != nullptr) metrics_->prepares.Increment();
  FB_RETURN_IF_ERROR(CheckUsable());
  NoteSql(sql);
  if (auto it = idle_.find(sql); it != idle_.end()) {
    if (metrics_ != nullptr) metrics_->statement_cache_hits.Increment();
    const IdleList::iterator position = it->second;
    idle_.erase(it);
    PostgresStatement* statement = position->release();
    lru_.erase(position);
    return StatementPtr(statement, StatementReturner{this});
  }
  if (SkipBlanks(sql, 0) == sql.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "empty SQL statement");
  }
  const std::string_view rest = sql.substr(StatementEnd(sql));
  if (const size_t extra = SkipBlanks(rest, 0); extra != rest.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected one SQL statement, found more after: {}", rest.substr(extra, 60));
  }
  DeallocateEvicted();
  std::string text;
  RewritePlaceholders(sql, text);
  std::string name = fmt::format("s{}", ++next_name_);
  FB_ASSIGN_OR_RETURN(PgResult description, PrepareNamed(name, text));
  return StatementPtr(
      new PostgresStatement(this, sql, std::move(name), std::move(description), metrics_),
      StatementReturner{this});
}

Result<StatementPtr> PostgresConnection::PrepareUntrusted(std::string_view sql,
                                                          const UntrustedLimits& limits) {
  if (metrics_ != nullptr) metrics_->prepares.Increment();
  auto state = std::make_unique<UntrustedState>();
  state->limits = limits;
  state->deadline = steady_clock::now() + limits.timeout;
  if (sql.size() > limits.max_sql_bytes) {
    return MakeError(ErrorCode::kPayloadTooLarge, "SQL text is {} bytes; at most {} are accepted",
                     sql.size(), limits.max_sql_bytes);
  }
  FB_RETURN_IF_ERROR(CheckUntrustedSql(sql));
  FB_RETURN_IF_ERROR(CheckUsable());
  const std::string_view body = sql.substr(SkipBlanks(sql, 0));
  const std::string_view statement = body.substr(0, StatementEnd(body));
  NoteSql(statement);
  DeallocateEvicted();
  std::string name = fmt::format("u{}", ++next_name_);
  FB_ASSIGN_OR_RETURN(PgResult description, PrepareNamed(name, statement));
  return StatementPtr(new PostgresStatement(this, statement, std::move(name),
                                            std::move(description), metrics_, std::move(state)),
                      StatementReturner{this});
}

Status PostgresConnection::BeginWork(const WorkOptions& options) {
  FB_RETURN_IF_ERROR(CheckUsable());
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "cannot begin a unit of work: a transaction is already open");
  }
  std::string sql = options.read_only ? "BEGIN READ ONLY" : "BEGIN";
  if (options.statement_timeout.count() > 0) {
    sql += fmt::format("; SET LOCAL statement_timeout = {}", options.statement_timeout.count());
  }
  NoteSql(sql);
  FB_RETURN_IF_ERROR(Exec(sql, CommandDeadline()));
  in_work_ = true;
  work_timeout_ = options.statement_timeout;
  return Ok();
}

Status PostgresConnection::EndWork(bool commit) {
  in_work_ = false;
  work_timeout_ = milliseconds(0);
  FB_RETURN_IF_ERROR(CheckUsable());
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  if (status == PQTRANS_IDLE) return Ok();
  if (commit && status == PQTRANS_INERROR) {
    FB_RETURN_IF_ERROR(Exec("ROLLBACK", CommandDeadline()));
    return MakeError(ErrorCode::kInternal,
                     "the unit of work was rolled back: a statement in it failed");
  }
  NoteSql(commit ? "COMMIT" : "ROLLBACK");
  FB_RETURN_IF_ERROR(Exec(commit ? "COMMIT" : "ROLLBACK", CommandDeadline()));
  return Ok();
}

void PostgresConnection::ReturnStatement(Statement* statement) {
  auto* pg_statement = static_cast<PostgresStatement*>(statement);
  pg_statement->Reset();  // finishes a streaming untrusted statement
  if (pg_statement->untrusted() || broken_) {
    if (!broken_) evicted_.push_back(pg_statement->name());
    delete pg_statement;
    return;
  }
  lru_.emplace_back(pg_statement);
  idle_.emplace(pg_statement->Sql(), std::prev(lru_.end()));
  while (static_cast<int>(lru_.size()) > options_.statement_cache_capacity) {
    const IdleList::iterator oldest = lru_.begin();
    auto range = idle_.equal_range((*oldest)->Sql());
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == oldest) {
        idle_.erase(it);
        break;
      }
    }
    evicted_.push_back((*oldest)->name());
    lru_.pop_front();
  }
}

}  // namespace fastbreak::db::detail
