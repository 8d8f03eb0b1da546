// A prepared "insert, or update only when something changed" for one table, with counting.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"
#include "db/importers/importer.hpp"

namespace fastbreak::db::detail {

enum class UpsertOutcome { kInserted, kUpdated, kSkipped };

class Upserter {
 public:
  // Values are bound in column order: `keys` (the primary key), then `updatable` (an incoming
  // null keeps the stored value), then `insert_only` (written for new rows only). Outcomes are
  // added to `counts`. REQUIRES: `connection` and `counts` outlive the upserter.
  static Result<std::unique_ptr<Upserter>> Create(Connection& connection, std::string_view table,
                                                  std::vector<std::string_view> keys,
                                                  std::vector<std::string_view> updatable,
                                                  std::vector<std::string_view> insert_only,
                                                  TableCounts& counts);

  // Inserts `values`, or updates the existing row from them; counts the outcome.
  Result<UpsertOutcome> Upsert(std::span<const Value> values) { return Upsert(values, values); }
  // As above, with different values for the update (e.g. nulls for columns to keep).
  Result<UpsertOutcome> Upsert(std::span<const Value> insert_values,
                               std::span<const Value> update_values);
  // Inserts when the key is new (counted as inserted); otherwise changes and counts nothing.
  Result<bool> InsertIfMissing(std::span<const Value> values);

  size_t column_count() const { return column_count_; }

 private:
  Upserter(Connection& connection, StatementPtr insert, StatementPtr update, size_t column_count,
           size_t update_params, TableCounts& counts)
      : connection_(connection),
        insert_(std::move(insert)),
        update_(std::move(update)),
        column_count_(column_count),
        update_params_(update_params),
        counts_(counts) {}
  // Runs the insert; true when a row was inserted (false: the key exists).
  Result<bool> Insert(std::span<const Value> values);

  Connection& connection_;
  StatementPtr insert_;
  StatementPtr update_;  // null when there is nothing to update
  size_t column_count_;
  size_t update_params_;  // keys + updatable
  TableCounts& counts_;
};

}  // namespace fastbreak::db::detail
