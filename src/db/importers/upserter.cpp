#include "db/importers/upserter.hpp"

#include <fmt/ranges.h>

namespace fastbreak::db::detail {
namespace {

// Binds text without copying it. Safe here: the values outlive the Run() that follows every
// bind, and Run() resets the statement, clearing its bindings, before it returns.
void BindUnowned(Statement& statement, int index, const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    statement.BindStatic(index, *text);
  } else {
    statement.Bind(index, value);
  }
}

}  // namespace

Result<std::unique_ptr<Upserter>> Upserter::Create(Connection& connection, std::string_view table,
                                                   std::vector<std::string_view> keys,
                                                   std::vector<std::string_view> updatable,
                                                   std::vector<std::string_view> insert_only,
                                                   TableCounts& counts) {
  std::vector<std::string_view> all = keys;
  all.insert(all.end(), updatable.begin(), updatable.end());
  all.insert(all.end(), insert_only.begin(), insert_only.end());
  std::string insert_sql = fmt::format("INSERT INTO {}({}) VALUES (", table, fmt::join(all, ", "));
  for (size_t i = 0; i < all.size(); ++i) insert_sql += fmt::format("{}?{}", i ? ", " : "", i + 1);
  insert_sql += fmt::format(") ON CONFLICT({}) DO NOTHING", fmt::join(keys, ", "));
  FB_ASSIGN_OR_RETURN(StatementPtr insert, connection.Prepare(insert_sql));

  StatementPtr update;
  if (!updatable.empty()) {
    // UPDATE t SET c = COALESCE(?n, c), ... WHERE k = ?1 AND ...
    //   AND (c, ...) IS DISTINCT FROM (COALESCE(?n, c), ...)
    // (IS DISTINCT FROM: NULL-aware inequality, in both SQLite and PostgreSQL.)
    std::vector<std::string> sets;
    std::vector<std::string> incoming;
    std::vector<std::string> where;
    for (size_t i = 0; i < keys.size(); ++i)
      where.push_back(fmt::format("{} = ?{}", keys[i], i + 1));
    for (size_t i = 0; i < updatable.size(); ++i) {
      const size_t param = keys.size() + i + 1;
      incoming.push_back(fmt::format("COALESCE(?{}, {})", param, updatable[i]));
      sets.push_back(fmt::format("{} = {}", updatable[i], incoming.back()));
    }
    const std::string update_sql = fmt::format(
        "UPDATE {} SET {} WHERE {} AND ({}) IS DISTINCT FROM ({})", table, fmt::join(sets, ", "),
        fmt::join(where, " AND "), fmt::join(updatable, ", "), fmt::join(incoming, ", "));
    FB_ASSIGN_OR_RETURN(update, connection.Prepare(update_sql));
  }
  return std::unique_ptr<Upserter>(new Upserter(connection, std::move(insert), std::move(update),
                                                all.size(), keys.size() + updatable.size(),
                                                counts));
}

Result<bool> Upserter::Insert(std::span<const Value> values) {
  if (values.size() != column_count_) {
    return MakeError(ErrorCode::kInternal, "upsert given {} values for {} columns", values.size(),
                     column_count_);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    BindUnowned(*insert_, static_cast<int>(i + 1), values[i]);
  }
  FB_RETURN_IF_ERROR(insert_->Run());
  // Changes() is the row count of the connection's last INSERT/UPDATE/DELETE: the one just run
  // (0 when ON CONFLICT DO NOTHING applied).
  return connection_.Changes() > 0;
}

Result<UpsertOutcome> Upserter::Upsert(std::span<const Value> insert_values,
                                       std::span<const Value> update_values) {
  FB_ASSIGN_OR_RETURN(bool inserted, Insert(insert_values));
  if (inserted) {
    ++counts_.inserted;
    return UpsertOutcome::kInserted;
  }
  if (update_ != nullptr) {
    if (update_values.size() != column_count_) {
      return MakeError(ErrorCode::kInternal, "upsert given {} update values for {} columns",
                       update_values.size(), column_count_);
    }
    for (size_t i = 0; i < update_params_; ++i) {
      BindUnowned(*update_, static_cast<int>(i + 1), update_values[i]);
    }
    FB_RETURN_IF_ERROR(update_->Run());
    if (connection_.Changes() > 0) {
      ++counts_.updated;
      return UpsertOutcome::kUpdated;
    }
  }
  ++counts_.skipped;
  return UpsertOutcome::kSkipped;
}

Result<bool> Upserter::InsertIfMissing(std::span<const Value> values) {
  FB_ASSIGN_OR_RETURN(bool inserted, Insert(values));
  if (inserted) ++counts_.inserted;
  return inserted;
}

}  // namespace fastbreak::db::detail
