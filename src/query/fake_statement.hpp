// A statement that only reports its text (and its text with values), for feeding the query
// statistics without a database in tests and benchmarks.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "db/database.hpp"

namespace fastbreak::query {

class FakeStatement final : public db::Statement {
 public:
  explicit FakeStatement(std::string sql, std::string expanded = {})
      : sql_(std::move(sql)), expanded_(expanded.empty() ? sql_ : std::move(expanded)) {}
  void BindNull(int) override {}
  void Bind(int, int64_t) override {}
  void Bind(int, double) override {}
  void Bind(int, std::string_view) override {}
  using Statement::Bind;
  Result<bool> Step() override { return false; }
  int ColumnCount() const override { return 0; }
  std::string_view ColumnName(int) const override { return {}; }
  bool IsNull(int) const override { return true; }
  int64_t GetInt(int) const override { return 0; }
  double GetDouble(int) const override { return 0; }
  std::string_view GetText(int) const override { return {}; }
  db::Value GetValue(int) const override { return {}; }
  void Reset() override {}
  std::string_view Sql() const override { return sql_; }
  std::string ExpandedSql() const override {
    ++expanded_calls;
    return expanded_;
  }
  // How often ExpandedSql() was asked for.
  mutable int expanded_calls = 0;

 private:
  std::string sql_;
  std::string expanded_;
};

}  // namespace fastbreak::query
