#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "db/postgres/postgres_connection.hpp"

namespace fastbreak::db::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Type OIDs of the columns read as numbers (catalog/pg_type_d.h, a server header).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// The untrusted statement's guard outlives the server's own timeout by this much.
constexpr milliseconds kUntrustedGrace{2000};

constexpr std::string_view kReadOnlyNote =
    "the database is read-only to this SQL; only queries (SELECT, WITH, VALUES, TABLE, "
    "EXPLAIN) may run";

int64_t Truncate(double value) {
  if (std::isnan(value)) return 0;
  if (value >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (value <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

// A column's text as an integer, as SQLite converts: whole integers exactly, decimals
// truncated toward zero, otherwise the leading integer, else 0.
int64_t ParseInt(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto parsed = std::from_chars(text.data(), end, value);
  if (parsed.ec == std::errc() && parsed.ptr == end) return value;
  double real = 0;
  const auto as_real = std::from_chars(text.data(), end, real);
  if (as_real.ec == std::errc() && as_real.ptr != text.data()) return Truncate(real);
  return parsed.ec == std::errc() ? value : 0;
}

double ParseDouble(std::string_view text) {
  double value = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  return parsed.ec == std::errc() ? value : 0.0;
}

// numeric: an integer when written without a fraction or exponent and within int64.
Value NumericValue(std::string_view text) {
  if (text.find_first_of(".eENI") == std::string_view::npos) {
    int64_t value = 0;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
    if (parsed.ec == std::errc() && parsed.ptr == text.data() + text.size()) return value;
  }
  return ParseDouble(text);
}

}  // namespace

PostgresStatement::PostgresStatement(PostgresConnection* connection, std::string_view key,
                                     std::string name, PgResult description, DbMetrics* metrics,
                                     std::unique_ptr<UntrustedState> untrusted)
    : connection_(connection),
      metrics_(metrics),
      key_(key),
      name_(std::move(name)),
      description_(std::move(description)),
      param_count_(PQnparams(description_.get())),
      values_(static_cast<size_t>(param_count_)),
      pointers_(static_cast<size_t>(param_count_), nullptr),
      untrusted_(std::move(untrusted)) {}

PostgresStatement::~PostgresStatement() = default;

std::string* PostgresStatement::Slot(int index) {
  if (index < 1 || index > param_count_) {
    if (bind_error_.empty()) {
      bind_error_ =
          fmt::format("parameter {} is out of range: the statement has {}", index, param_count_);
    }
    return nullptr;
  }
  return &values_[static_cast<size_t>(index - 1)];
}

void PostgresStatement::BindNull(int index) {
  if (Slot(index) != nullptr) pointers_[static_cast<size_t>(index - 1)] = nullptr;
}

void PostgresStatement::Bind(int index, int64_t value) {
  std::string* slot = Slot(index);
  if (slot == nullptr) return;
  slot->clear();
  fmt::format_to(std::back_inserter(*slot), "{}", value);
  pointers_[static_cast<size_t>(index - 1)] = slot->c_str();
}

void PostgresStatement::Bind(int index, double value) {
  std::string* slot = Slot(index);
  if (slot == nullptr) return;
  slot->clear();
  // The shortest text that reads back as the same double (round trip exact); PostgreSQL
  // reads nan/inf/-inf as NaN/Infinity.
  fmt::format_to(std::back_inserter(*slot), "{}", value);
  pointers_[static_cast<size_t>(index - 1)] = slot->c_str();
}

void PostgresStatement::Bind(int index, std::string_view value) {
  std::string* slot = Slot(index);
  if (slot == nullptr) return;
  if (value.find('\0') != std::string_view::npos) {
    if (bind_error_.empty())
      bind_error_ = fmt::format("text for parameter {} has a NUL byte", index);
    return;
  }
  slot->assign(value);
  pointers_[static_cast<size_t>(index - 1)] = slot->c_str();
}

bool PostgresStatement::SendPrepared(PGconn* conn) {
  return PQsendQueryPrepared(conn, name_.c_str(), param_count_, pointers_.data(), nullptr, nullptr,
                             0) != 0;
}

void PostgresStatement::SetPrefetched(Result<PgResult> result) {
  prefetched_ = true;
  prefetched_result_ = std::move(result);
}

Status PostgresStatement::Execute() {
  executed_ = true;
  Result<PgResult> result;
  if (prefetched_) {
    prefetched_ = false;
    result = std::move(prefetched_result_);
    prefetched_result_ = PgResult();
  } else {
    if (auto usable = connection_->CheckUsable(); !usable) {
      Finish(true);
      return usable;
    }
    connection_->NoteSql(key_);
    const auto deadline = connection_->CommandDeadline();
    connection_->BeginCommand();
    PGconn* conn = connection_->conn();
    if (!SendPrepared(conn)) {
      result = tl::unexpected(connection_->Fail(nullptr, key_));
    } else if (auto flushed = connection_->Flush(deadline); !flushed) {
      result = tl::unexpected(std::move(flushed).error());
    } else {
      result = connection_->Collect(key_, deadline);
    }
    connection_->EndCommand();
  }
  if (!result) {
    Finish(true);
    return tl::unexpected(std::move(result).error());
  }
  result_ = std::move(*result);
  rows_ = result_ == nullptr ? 0 : PQntuples(result_.get());
  row_ = -1;
  connection_->RecordChanges(result_.get());
  return Ok();
}

Result<bool> PostgresStatement::Step() {
  if (!bind_error_.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot bind a parameter ({}) in: {}",
                     bind_error_, key_);
  }
  if (!executed_ && !running_) {
    running_ = true;
    if (metrics_ != nullptr) started_ = steady_clock::now();
  }
  if (untrusted_ != nullptr) {
    auto stepped = StepUntrusted();
    if (stepped && *stepped) ++rows_seen_;
    return stepped;
  }
  if (!executed_) FB_RETURN_IF_ERROR(Execute());
  if (row_ + 1 < rows_) {
    ++row_;
    ++rows_seen_;
    return true;
  }
  row_ = rows_;
  Finish(false);
  return false;
}

void PostgresStatement::Finish(bool failed) {
  if (!running_) return;
  running_ = false;
  const int64_t rows = std::exchange(rows_seen_, 0);
  if (metrics_ == nullptr) return;
  metrics_->statements.Increment();
  if (failed) metrics_->errors.Increment();
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::nanoseconds>(steady_clock::now() - started_);
  metrics_->statement_duration.Record(static_cast<uint64_t>(elapsed.count()));
  if (metrics_->observer != nullptr) {
    StatementEvent event;
    event.statement = this;
    event.dialect = Dialect::kPostgres;
    event.elapsed = elapsed;
    event.rows = rows;
    event.failed = failed;
    event.untrusted = untrusted_ != nullptr;
    metrics_->observer->OnStatement(event);
  }
}

std::string PostgresStatement::ExpandedSql() const {
  if (untrusted_ != nullptr || param_count_ == 0) return key_;
  return InlineParameters(key_, pointers_);
}

std::string_view PostgresStatement::ColumnName(int column) const {
  const char* name = PQfname(description_.get(), column);
  return name == nullptr ? std::string_view() : std::string_view(name);
}

bool PostgresStatement::IsNull(int column) const {
  return PQgetisnull(result_.get(), row_, column) != 0;
}

std::string_view PostgresStatement::GetText(int column) const {
  return {Cell(column), static_cast<size_t>(PQgetlength(result_.get(), row_, column))};
}

int64_t PostgresStatement::GetInt(int column) const {
  if (IsNull(column)) return 0;
  if (Type(column) == kBoolOid) return Cell(column)[0] == 't' ? 1 : 0;
  return ParseInt(GetText(column));
}

double PostgresStatement::GetDouble(int column) const {
  if (IsNull(column)) return 0.0;
  if (Type(column) == kBoolOid) return Cell(column)[0] == 't' ? 1.0 : 0.0;
  return ParseDouble(GetText(column));
}

Value PostgresStatement::GetValue(int column) const {
  if (IsNull(column)) return std::monostate{};
  switch (Type(column)) {
    case kBoolOid:
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid:
      return GetInt(column);
    case kFloat4Oid:
    case kFloat8Oid:
      return GetDouble(column);
    case kNumericOid:
      return NumericValue(GetText(column));
    case kByteaOid:
      if (untrusted_ != nullptr) {  // "\x0a1b..." (hex output): two digits a byte
        const size_t length = GetText(column).size();
        return fmt::format("<blob {} bytes>", length >= 2 ? (length - 2) / 2 : 0);
      }
      return std::string(GetText(column));
    default:
      return std::string(GetText(column));
  }
}

void PostgresStatement::Reset() {
  Abandon();
  Finish(false);  // a statement abandoned mid-result still counts once
  result_.reset();
  row_ = -1;
  rows_ = 0;
  executed_ = false;
  prefetched_ = false;
  prefetched_result_ = PgResult();
  std::fill(pointers_.begin(), pointers_.end(), nullptr);
  bind_error_.clear();
  stopped_by_other_ = false;
}

// --- untrusted statements: streamed in single-row mode inside a guarded transaction ---

Result<bool> PostgresStatement::StepUntrusted() {
  UntrustedState& state = *untrusted_;
  const auto deadline = state.deadline + kUntrustedGrace;
  if (!executed_) {
    executed_ = true;
    if (auto usable = connection_->CheckUsable(); !usable) {
      Finish(true);
      return tl::unexpected(std::move(usable).error());
    }
    const auto left =
        std::chrono::duration_cast<milliseconds>(state.deadline - steady_clock::now());
    if (left.count() <= 0) {
      Finish(true);
      return MakeError(ErrorCode::kTimeout,
                       "query exceeded {} ms; narrow it (WHERE, LIMIT) or allow more time",
                       state.limits.timeout.count());
    }
    PGconn* conn = connection_->conn();
    // A read-only transaction of its own, or a read-only savepoint inside the caller's: the
    // statement's settings end with it, so the session is left as it was.
    state.in_outer_transaction = PQtransactionStatus(conn) != PQTRANS_IDLE;
    const std::string guard =
        state.in_outer_transaction
            ? fmt::format(
                  "SAVEPOINT fastbreak_untrusted; SET LOCAL transaction_read_only = on; "
                  "SET LOCAL statement_timeout = {}",
                  left.count())
            : fmt::format("BEGIN READ ONLY; SET LOCAL statement_timeout = {}", left.count());
    if (auto begun = connection_->Exec(guard, deadline); !begun) {
      if (!state.in_outer_transaction) (void)connection_->Exec("ROLLBACK", deadline);
      Finish(true);
      return tl::unexpected(std::move(begun).error());
    }
    connection_->NoteSql(key_);
    connection_->BeginCommand();
    if (!SendPrepared(conn) || PQsetSingleRowMode(conn) == 0) {
      Error error = connection_->Fail(nullptr, key_);
      connection_->EndCommand();
      (void)FinishUntrusted();
      Finish(true);
      return tl::unexpected(std::move(error));
    }
    if (auto flushed = connection_->Flush(deadline); !flushed) {
      connection_->EndCommand();
      Finish(true);
      return tl::unexpected(std::move(flushed).error());
    }
    state.streaming = true;
    connection_->set_streaming(this);
  }
  if (stopped_by_other_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the query was stopped when another statement ran on its connection: {}",
                     key_);
  }
  if (!state.streaming) return false;

  auto next = connection_->NextResult(deadline);
  if (!next || *next == nullptr) {
    EndStream();
    Finish(true);
    if (!next) return tl::unexpected(std::move(next).error());
    return MakeError(ErrorCode::kInternal, "the query ended without a result: {}", key_);
  }
  PgResult result = std::move(*next);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_SINGLE_TUPLE) {
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      const int bytes = PQgetlength(result.get(), 0, c);
      if (bytes > state.limits.max_value_bytes) {
        Abandon();
        Finish(true);
        return MakeError(ErrorCode::kPayloadTooLarge,
                         "column {} holds a value of {} bytes; at most {} are allowed", c + 1,
                         bytes, state.limits.max_value_bytes);
      }
    }
    result_ = std::move(result);
    row_ = 0;
    rows_ = 1;
    return true;
  }
  result_.reset();
  row_ = -1;
  rows_ = 0;
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    auto end = connection_->NextResult(deadline);  // the null that ends the command
    EndStream();
    if (!end) {
      Finish(true);
      return tl::unexpected(std::move(end).error());
    }
    FB_RETURN_IF_ERROR(FinishUntrusted());
    Finish(false);
    return false;
  }
  Error error = connection_->Fail(result.get(), key_);
  if (error.code == ErrorCode::kTimeout) {
    error.message = fmt::format("query exceeded {} ms; narrow it (WHERE, LIMIT) or allow more time",
                                state.limits.timeout.count());
  } else if (error.code == ErrorCode::kPermissionDenied) {
    error.message = fmt::format("{}; {}", error.message, kReadOnlyNote);
  }
  while (!connection_->broken()) {  // drain to the end of the command
    auto rest = connection_->NextResult(deadline);
    if (!rest || *rest == nullptr) break;
  }
  EndStream();
  (void)FinishUntrusted();
  Finish(true);
  return tl::unexpected(std::move(error));
}

void PostgresStatement::EndStream() {
  untrusted_->streaming = false;
  if (connection_->streaming() == this) connection_->set_streaming(nullptr);
  connection_->EndCommand();
}

Status PostgresStatement::FinishUntrusted() {
  if (connection_->broken()) return Ok();
  const char* end = untrusted_->in_outer_transaction ? "ROLLBACK TO SAVEPOINT fastbreak_untrusted; "
                                                       "RELEASE SAVEPOINT fastbreak_untrusted"
                                                     : "ROLLBACK";
  auto ended = connection_->Exec(end, connection_->CommandDeadline());
  if (!ended) return tl::unexpected(std::move(ended).error());
  return Ok();
}

void PostgresStatement::Abandon(bool by_other) {
  if (untrusted_ == nullptr || !untrusted_->streaming) return;
  stopped_by_other_ = by_other;
  const auto deadline = untrusted_->deadline + kUntrustedGrace;
  if (!connection_->broken()) {
    connection_->SendCancel();  // the rest of the rows are not wanted
    while (!connection_->broken()) {
      auto rest = connection_->NextResult(deadline);
      if (!rest || *rest == nullptr) break;
    }
  }
  EndStream();
  (void)FinishUntrusted();
}

}  // namespace fastbreak::db::detail
