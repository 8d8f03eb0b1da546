// Workloads for the advisor: a file of statements, fastbreak's own statistics, or
// pg_stat_statements.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "query/advisor.hpp"
#include "query/advisor_internal.hpp"
#include "query/sql_model.hpp"

namespace fastbreak::query {
namespace {

constexpr size_t kMaxWorkloadFileBytes = 64 * 1024 * 1024;
constexpr double kMaxCalls = 1e15;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// The first keyword of `sql`, lowercased, after comments, whitespace and opening parentheses.
std::string FirstKeyword(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(') {
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
  size_t end = i;
  while (end < sql.size() && std::isalpha(static_cast<unsigned char>(sql[end]))) ++end;
  return detail::Lower(sql.substr(i, end - i));
}

// True for statements that only read: SELECT, VALUES, and WITH ... SELECT.
bool IsRead(std::string_view sql) {
  const std::string keyword = FirstKeyword(sql);
  if (keyword == "select" || keyword == "values") return true;
  if (keyword != "with") return false;
  auto model = AnalyzeSql(sql);
  return model.has_value() && model->statement == "select";
}

// "calls: N" in a `--` comment: N, or nullopt when the comment is something else.
Result<std::optional<double>> CallsComment(std::string_view comment, int line) {
  const std::string_view body = Trim(comment);
  if (body.size() < 6 || detail::Lower(body.substr(0, 6)) != "calls:")
    return std::optional<double>();
  const std::string_view number = Trim(body.substr(6));
  double calls = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), calls);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(calls) ||
      calls <= 0 || calls > kMaxCalls) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "workload line {}: '-- calls:' needs a positive number (at most 1e15), got "
                     "'{}'",
                     line, detail::Shorten(number, 40));
  }
  return std::optional<double>(calls);
}

class WorkloadParser {
 public:
  explicit WorkloadParser(std::string_view text) : text_(text) {}

  Result<std::vector<WorkloadQuery>> Parse() {
    while (i_ < text_.size()) {
      const char c = text_[i_];
      const std::string_view two = text_.substr(i_, 2);
      if (c == '\n') {
        ++line_;
        ++i_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++i_;
      } else if (two == "--") {
        FB_RETURN_IF_ERROR(LineComment());
      } else if (two == "/*") {
        FB_RETURN_IF_ERROR(Skip("*/", i_ + 2, "comment"));
      } else if (c == ';') {
        FB_RETURN_IF_ERROR(Finish(i_));
        ++i_;
      } else {
        if (start_ == std::string_view::npos) {
          start_ = i_;
          start_line_ = line_;
        }
        if (c == '\'' || c == '"' || c == '`') {
          FB_RETURN_IF_ERROR(
              Skip(std::string_view(&text_[i_], 1), i_ + 1, c == '\'' ? "string" : "quoted name"));
        } else if (c == '$') {
          FB_ASSIGN_OR_RETURN(const bool quoted, DollarQuote());
          if (!quoted) ++i_;
        } else {
          ++i_;
        }
        if (i_ - start_ > detail::kMaxStatementBytes) return TooLong(i_ - start_);
      }
    }
    FB_RETURN_IF_ERROR(Finish(text_.size()));
    if (out_.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the workload holds no SQL statement (only blank lines or comments)");
    }
    return std::move(out_);
  }

 private:
  Status LineComment() {
    const size_t end = text_.find('\n', i_);
    const size_t stop = end == std::string_view::npos ? text_.size() : end;
    FB_ASSIGN_OR_RETURN(auto calls, CallsComment(text_.substr(i_ + 2, stop - i_ - 2), line_));
    if (calls.has_value()) {
      if (start_ != std::string_view::npos) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "workload line {}: '-- calls:' inside a statement; put it on its own "
                         "line just before the statement it weights",
                         line_);
      }
      calls_ = *calls;
    }
    i_ = stop;
    return Ok();
  }

  // Moves past `close` searched from `from` (quotes: a doubled quote is part of the text).
  Status Skip(std::string_view close, size_t from, std::string_view what) {
    size_t at = from;
    while (true) {
      at = text_.find(close, at);
      if (at == std::string_view::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "workload line {}: unterminated {}", line_,
                         what);
      }
      if (close.size() == 1 && at + 1 < text_.size() && text_[at + 1] == close[0]) {
        at += 2;
        continue;
      }
      break;
    }
    const size_t end = at + close.size();
    line_ += static_cast<int>(std::count(text_.begin() + i_, text_.begin() + end, '\n'));
    i_ = end;
    return Ok();
  }

  // $tag$ ... $tag$ (PostgreSQL); false (nothing consumed) when `$` starts no such quote,
  // as in the placeholder $1.
  Result<bool> DollarQuote() {
    size_t end = i_ + 1;
    if (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) return false;
    while (end < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) {
      ++end;
    }
    if (end >= text_.size() || text_[end] != '$') return false;
    const std::string tag(text_.substr(i_, end - i_ + 1));
    FB_RETURN_IF_ERROR(Skip(tag, end + 1, "dollar-quoted string"));
    return true;
  }

  tl::unexpected<Error> TooLong(size_t bytes) const {
    return MakeError(ErrorCode::kInvalidArgument,
                     "workload statement at line {} is {} bytes or more; at most {} bytes",
                     start_line_, bytes, detail::kMaxStatementBytes);
  }

  Status Finish(size_t end) {
    if (start_ == std::string_view::npos) return Ok();
    const std::string_view body = Trim(text_.substr(start_, end - start_));
    if (body.size() > detail::kMaxStatementBytes) return TooLong(body.size());
    if (out_.size() >= detail::kMaxWorkloadQueries) {
      return MakeError(ErrorCode::kInvalidArgument, "the workload holds more than {} statements",
                       detail::kMaxWorkloadQueries);
    }
    WorkloadQuery query;
    query.sql = std::string(body);
    query.calls = calls_;
    query.source = "file";
    out_.push_back(std::move(query));
    start_ = std::string_view::npos;
    calls_ = 1;
    return Ok();
  }

  std::string_view text_;
  size_t i_ = 0;
  int line_ = 1;
  size_t start_ = std::string_view::npos;
  int start_line_ = 0;
  double calls_ = 1;
  std::vector<WorkloadQuery> out_;
};

double ToDouble(const db::Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* s = std::get_if<std::string>(&value)) {
    double parsed = 0;
    std::from_chars(s->data(), s->data() + s->size(), parsed);
    return parsed;
  }
  return 0;
}

// Statements that read no user table: only catalogs (drivers', monitoring) or nothing at all
// (SELECT 1, SELECT now()).
bool ReadsNoUserTable(std::string_view sql) {
  auto model = AnalyzeSql(sql);
  if (!model.has_value()) return false;
  for (const auto& shape : model->selects) {
    for (const auto& table : shape.tables) {
      if (!table.is_cte && !table.name.starts_with("pg_")) return false;
    }
  }
  return true;
}

}  // namespace

Result<std::vector<WorkloadQuery>> ParseWorkloadFile(std::string_view text) {
  if (text.size() > kMaxWorkloadFileBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "the workload is {} bytes; at most {} bytes",
                     text.size(), kMaxWorkloadFileBytes);
  }
  return WorkloadParser(text).Parse();
}

std::vector<WorkloadQuery> WorkloadFromStats(const QueryStats& stats, size_t limit) {
  limit = std::min(limit, detail::kMaxWorkloadQueries);
  std::vector<WorkloadQuery> out;
  for (auto& row : stats.Top(stats.options().max_fingerprints, TopOrder::kTotalTime)) {
    if (out.size() >= limit) break;
    std::string sql = row.sample.empty() ? row.normalized : row.sample;
    if (!IsRead(sql)) continue;
    WorkloadQuery query;
    query.sql = std::move(sql);
    query.calls = static_cast<double>(std::max<uint64_t>(row.calls, 1));
    query.total_ms = row.total_ms;
    query.source = "fastbreak";
    query.tools = std::move(row.tools);
    out.push_back(std::move(query));
  }
  return out;
}

Result<std::vector<WorkloadQuery>> WorkloadFromPgStatStatements(db::Connection& connection,
                                                                size_t limit) {
  if (connection.dialect() != db::Dialect::kPostgres) {
    return MakeError(ErrorCode::kUnsupported, "pg_stat_statements exists only on PostgreSQL");
  }
  FB_ASSIGN_OR_RETURN(
      auto installed,
      connection.QueryScalar(
          "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"));
  if (ToDouble(installed) < 1) {
    return MakeError(ErrorCode::kNotFound,
                     "the pg_stat_statements extension is not installed in this database "
                     "(it needs shared_preload_libraries = 'pg_stat_statements' and CREATE "
                     "EXTENSION pg_stat_statements)");
  }
  limit = std::min(limit, detail::kMaxWorkloadQueries);
  // Reads only; the advisor's own statements (hypopg, this query) are left out.
  FB_ASSIGN_OR_RETURN(
      auto result,
      connection.Query(fmt::format(
          "SELECT query, calls, total_exec_time FROM pg_stat_statements WHERE dbid = "
          "(SELECT oid FROM pg_database WHERE datname = current_database()) AND "
          "(lower(ltrim(query)) LIKE 'select%' OR lower(ltrim(query)) LIKE 'with%' OR "
          "lower(ltrim(query)) LIKE 'values%') AND query NOT LIKE '%hypopg%' AND "
          "query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT {}",
          limit)));
  std::vector<WorkloadQuery> out;
  for (auto& row : result.rows) {
    if (row.size() < 3) continue;
    const auto* text = std::get_if<std::string>(&row[0]);
    if (text == nullptr || text->size() > detail::kMaxStatementBytes || !IsRead(*text) ||
        ReadsNoUserTable(*text)) {
      continue;
    }
    WorkloadQuery query;
    query.sql = *text;
    query.calls = std::max(ToDouble(row[1]), 1.0);
    query.total_ms = ToDouble(row[2]);
    query.source = "pg_stat_statements";
    out.push_back(std::move(query));
  }
  return out;
}

}  // namespace fastbreak::query
