// The SQLite what-if engine: a schema-only in-memory copy of the database carrying the real
// sqlite_stat1 figures, plus figures computed from the data for each candidate index.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "db/sqlite/sqlite_database.hpp"
#include "query/advisor_internal.hpp"

namespace fastbreak::query::detail {
namespace {

// Schema objects copied, rows of sqlite_stat1 read, rows of one EXPLAIN QUERY PLAN: bounds.
constexpr int kMaxSchemaObjects = 20'000;
constexpr int kMaxStatRows = 100'000;
constexpr size_t kMaxPlanRows = 10'000;
// sqlite_stat1 row of an index: the row count and one figure per key column.
constexpr size_t kMaxStatFigures = 64;

double AsDouble(const db::Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return 0;
}

std::string AsText(const db::Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return {};
}

// The leading numbers of a sqlite_stat1 "stat" text ("1000 10 1 unordered" -> 1000, 10, 1).
std::vector<double> ParseStat(std::string_view stat) {
  std::vector<double> figures;
  std::istringstream in{std::string(stat)};
  std::string word;
  while (in >> word && figures.size() < kMaxStatFigures) {
    char* end = nullptr;
    const double value = std::strtod(word.c_str(), &end);
    if (end == word.c_str() || *end != '\0') break;
    figures.push_back(value);
  }
  return figures;
}

std::string FormatStat(const std::vector<double>& figures) {
  std::string out;
  for (double figure : figures) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}", static_cast<int64_t>(std::llround(figure)));
  }
  return out;
}

std::string ColumnList(std::span<const std::string> columns) {
  std::string out;
  for (const auto& column : columns) {
    if (!out.empty()) out += ", ";
    out += QuoteIdentifier(column);
  }
  return out;
}

class SqliteWhatIf final : public WhatIf {
 public:
  SqliteWhatIf(db::Connection& real, const SchemaInfo& schema, const SqliteWhatIfOptions& options)
      : real_(real), schema_(schema), options_(options) {}

  std::string_view method() const override { return "sqlite-what-if"; }

  Status Build() {
    db::SqliteOptions options;
    options.path = ":memory:";
    options.cache_size_kib = 4 * 1024;
    options.mmap_size_bytes = 0;
    options.statement_cache_capacity = 32;
    FB_ASSIGN_OR_RETURN(copy_db_, db::SqliteDatabase::Open(std::move(options)));
    FB_ASSIGN_OR_RETURN(copy_, copy_db_->Connect(db::AccessMode::kReadWrite));
    FB_RETURN_IF_ERROR(CopySchema());
    FB_RETURN_IF_ERROR(CopyStatistics());
    return copy_->ExecuteScript("ANALYZE sqlite_schema");
  }

  Result<std::vector<std::string>> SetIndexes(std::span<const Candidate> indexes) override {
    std::vector<std::string> keys;
    for (const auto& candidate : indexes) keys.push_back(candidate.Key());
    bool changed = false;
    for (auto it = created_.begin(); it != created_.end();) {
      if (std::find(keys.begin(), keys.end(), it->first) != keys.end()) {
        ++it;
        continue;
      }
      FB_RETURN_IF_ERROR(Drop(it->second));
      it = created_.erase(it);
      changed = true;
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < indexes.size(); ++i) {
      auto found = std::find_if(created_.begin(), created_.end(),
                                [&](const auto& entry) { return entry.first == keys[i]; });
      if (found != created_.end()) {
        names.push_back(found->second);
        continue;
      }
      FB_ASSIGN_OR_RETURN(std::string name, Create(indexes[i]));
      created_.emplace_back(keys[i], name);
      names.push_back(std::move(name));
      changed = true;
    }
    if (changed) FB_RETURN_IF_ERROR(copy_->ExecuteScript("ANALYZE sqlite_schema"));
    return names;
  }

  Result<PlanCost> Cost(std::string_view sql,
                        const std::map<std::string, std::string>& aliases) override {
    // A cached EXPLAIN keeps the plan of the schema it was prepared against: every call uses a
    // new text so the plan is made afresh.
    const std::string text =
        fmt::format("/* advisor {} */ EXPLAIN QUERY PLAN {}", ++explain_counter_, sql);
    auto prepared = copy_->Prepare(text);
    if (!prepared) return tl::unexpected(WithoutStatement(std::move(prepared).error()));
    auto statement = std::move(*prepared);
    std::vector<SqlitePlanRow> rows;
    while (true) {
      FB_ASSIGN_OR_RETURN(bool more, statement->Step());
      if (!more) break;
      if (rows.size() >= kMaxPlanRows) {
        return MakeError(ErrorCode::kPayloadTooLarge, "query plan longer than {} rows",
                         kMaxPlanRows);
      }
      rows.push_back(SqlitePlanRow{static_cast<int>(statement->GetInt(0)),
                                   static_cast<int>(statement->GetInt(1)),
                                   std::string(statement->GetText(3))});
    }
    const PlanNode root = ParseSqlitePlan(rows);
    return SqlitePlanCost(root, SqliteCostInputs{&table_rows_, &index_stats_, &aliases});
  }

  Result<int64_t> SizeBytes(const Candidate& candidate) override {
    FB_ASSIGN_OR_RETURN(double rows, Rows(candidate.table));
    // Key columns, the rowid (8 bytes) and a record header (~4 bytes) per entry.
    double width = 8 + 4;
    for (const auto& column : candidate.columns) {
      FB_ASSIGN_OR_RETURN(double column_width, AverageWidth(candidate.table, column));
      width += column_width;
    }
    return static_cast<int64_t>(std::ceil(std::max(rows, 1.0) * width));
  }

  Status Reset() override {
    if (created_.empty()) return Ok();
    for (const auto& entry : created_) FB_RETURN_IF_ERROR(Drop(entry.second));
    created_.clear();
    return copy_->ExecuteScript("ANALYZE sqlite_schema");
  }

 private:
  Status CopySchema() {
    FB_ASSIGN_OR_RETURN(
        auto objects,
        real_.Query(fmt::format(
            "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND type IN "
            "('table', 'view', 'index') AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY "
            "CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END LIMIT {}",
            kMaxSchemaObjects)));
    for (const auto& row : objects.rows) {
      // What cannot be re-created (a virtual table whose module is missing, an FTS shadow
      // table its virtual table already made) is left out: queries reading it are then
      // reported as skipped with the engine's message.
      (void)copy_->ExecuteScript(AsText(row[2]));
    }
    // ANALYZE of the empty copy creates sqlite_stat1; its rows are replaced below.
    FB_RETURN_IF_ERROR(copy_->ExecuteScript("ANALYZE"));
    return copy_->ExecuteScript("DELETE FROM sqlite_stat1");
  }

  Status CopyStatistics() {
    FB_ASSIGN_OR_RETURN(
        auto has_stat1,
        real_.QueryScalar(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'"));
    if (AsDouble(has_stat1) > 0) {
      FB_ASSIGN_OR_RETURN(
          auto stats, real_.Query(fmt::format("SELECT tbl, idx, stat FROM sqlite_stat1 LIMIT {}",
                                              kMaxStatRows)));
      for (const auto& row : stats.rows) {
        const std::string table = AsText(row[0]);
        const std::string index = AsText(row[1]);
        const std::string stat = AsText(row[2]);
        FB_RETURN_IF_ERROR(InsertStat(table, index, stat));
        const std::vector<double> figures = ParseStat(stat);
        if (figures.empty()) continue;
        if (index.empty()) {
          table_rows_[Lower(table)] = figures[0];
        } else {
          index_stats_[Lower(index)] = figures;
          const IndexInfo* info = FindIndex(index);
          if (info == nullptr || !info->partial) table_rows_.emplace(Lower(table), figures[0]);
        }
      }
    }
    // Tables never analyzed: their row counts. Indexes without figures: computed like a
    // candidate's, so that the baseline plans are the ones the real statistics would give.
    for (const auto& table : schema_.tables) {
      if (table.is_view || table_rows_.count(Lower(table.name)) > 0) continue;
      FB_ASSIGN_OR_RETURN(double rows, Rows(table.name));
      FB_RETURN_IF_ERROR(InsertStat(table.name, "", FormatStat({rows})));
    }
    for (const auto& index : schema_.indexes) {
      if (index.partial || index_stats_.count(Lower(index.name)) > 0) continue;
      if (std::find(index.columns.begin(), index.columns.end(), "<expr>") != index.columns.end()) {
        continue;
      }
      auto figures = PrefixStats(index.table, index.columns);
      if (!figures) continue;  // e.g. an index the copy could not create
      FB_RETURN_IF_ERROR(InsertStat(index.table, index.name, FormatStat(*figures)));
      index_stats_[Lower(index.name)] = *figures;
    }
    return Ok();
  }

  const IndexInfo* FindIndex(std::string_view name) const {
    for (const auto& index : schema_.indexes) {
      if (Lower(index.name) == Lower(name)) return &index;
    }
    return nullptr;
  }

  Status InsertStat(const std::string& table, const std::string& index, const std::string& stat) {
    std::vector<db::Value> params{table, index.empty() ? db::Value() : db::Value(index), stat};
    return copy_->Execute("INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES (?, ?, ?)", params)
        .map([](int64_t) {});
  }

  Result<std::string> Create(const Candidate& candidate) {
    const std::string name = fmt::format("fastbreak_whatif_{}", ++next_index_);
    FB_RETURN_IF_ERROR(copy_->ExecuteScript(CreateIndexSql(name, candidate)));
    FB_ASSIGN_OR_RETURN(auto figures, PrefixStats(candidate.table, candidate.columns));
    FB_RETURN_IF_ERROR(InsertStat(candidate.table, name, FormatStat(figures)));
    index_stats_[name] = std::move(figures);
    return name;
  }

  Status Drop(const std::string& name) {
    index_stats_.erase(name);
    FB_RETURN_IF_ERROR(copy_->ExecuteScript("DROP INDEX IF EXISTS " + QuoteIdentifier(name)));
    std::vector<db::Value> params{name};
    return copy_->Execute("DELETE FROM sqlite_stat1 WHERE idx = ?", params).map([](int64_t) {});
  }

  Result<double> Rows(const std::string& table) {
    if (auto it = table_rows_.find(Lower(table)); it != table_rows_.end()) return it->second;
    FB_ASSIGN_OR_RETURN(auto count,
                        real_.QueryScalar("SELECT count(*) FROM " + QuoteIdentifier(table)));
    const double rows = AsDouble(count);
    table_rows_[Lower(table)] = rows;
    return rows;
  }

  // sqlite_stat1 figures for an index on `columns`: rows, then for each prefix of k columns
  // the average rows per distinct key, ceil(rows / distinct).
  Result<std::vector<double>> PrefixStats(const std::string& table,
                                          const std::vector<std::string>& columns) {
    FB_ASSIGN_OR_RETURN(double rows, Rows(table));
    rows = std::max(rows, 1.0);
    std::vector<double> figures{rows};
    for (size_t k = 1; k <= columns.size(); ++k) {
      FB_ASSIGN_OR_RETURN(double distinct,
                          Distinct(table, std::span<const std::string>(columns.data(), k), rows));
      figures.push_back(std::ceil(rows / std::max(distinct, 1.0)));
    }
    return figures;
  }

  Result<double> Distinct(const std::string& table, std::span<const std::string> columns,
                          double rows) {
    std::string key = Lower(table) + "(";
    for (const auto& column : columns) key += Lower(column) + ",";
    if (auto it = distinct_.find(key); it != distinct_.end()) return it->second;
    const std::string list = ColumnList(columns);
    const std::string from = QuoteIdentifier(table);
    double distinct = 0;
    if (rows <= static_cast<double>(options_.exact_distinct_max_rows)) {
      FB_ASSIGN_OR_RETURN(auto count,
                          real_.QueryScalar(fmt::format(
                              "SELECT count(*) FROM (SELECT 1 FROM {} GROUP BY {})", from, list)));
      distinct = AsDouble(count);
    } else {
      // About one row in `step`, picked by a hash of the rowid (deterministic, and blind to
      // periodic patterns in the data; a table without rowid: its first rows), then GEE.
      const auto sample_rows = std::max<int64_t>(options_.sample_rows, 1);
      const auto step = static_cast<int64_t>(std::ceil(rows / static_cast<double>(sample_rows)));
      const std::string groups =
          "SELECT count(*), coalesce(sum(c = 1), 0), coalesce(sum(c), 0) FROM (SELECT count(*) "
          "AS c FROM ({}) GROUP BY {})";
      auto sampled = real_.Query(fmt::format(
          fmt::runtime(groups),
          fmt::format("SELECT {} FROM {} WHERE (rowid % 1000003) * 2654435761 % 1000003 % {} = 0",
                      list, from, step),
          list));
      if (!sampled) {
        sampled = real_.Query(
            fmt::format(fmt::runtime(groups),
                        fmt::format("SELECT {} FROM {} LIMIT {}", list, from, sample_rows), list));
      }
      if (!sampled) return tl::unexpected(sampled.error());
      if (sampled->rows.empty()) return 1.0;
      const auto& row = sampled->rows.front();
      distinct = EstimateDistinct(rows, AsDouble(row[2]), AsDouble(row[0]), AsDouble(row[1]));
    }
    distinct_[key] = distinct;
    return distinct;
  }

  Result<double> AverageWidth(const std::string& table, const std::string& column) {
    const std::string key = Lower(table) + "." + Lower(column);
    if (auto it = widths_.find(key); it != widths_.end()) return it->second;
    FB_ASSIGN_OR_RETURN(
        auto average,
        real_.QueryScalar(fmt::format(
            "SELECT avg(length(c)) FROM (SELECT {} AS c FROM {} LIMIT {})", QuoteIdentifier(column),
            QuoteIdentifier(table), options_.width_sample_rows)));
    const double width = std::max(AsDouble(average), 1.0);
    widths_[key] = width;
    return width;
  }

  db::Connection& real_;
  const SchemaInfo& schema_;
  SqliteWhatIfOptions options_;
  std::unique_ptr<db::SqliteDatabase> copy_db_;
  std::unique_ptr<db::Connection> copy_;
  std::map<std::string, double> table_rows_;                  // lowercase table -> rows
  std::map<std::string, std::vector<double>> index_stats_;    // lowercase index -> figures
  std::map<std::string, double> distinct_;                    // "table(a,b," -> distinct keys
  std::map<std::string, double> widths_;                      // "table.column" -> bytes
  std::vector<std::pair<std::string, std::string>> created_;  // candidate key -> index name
  int next_index_ = 0;
  uint64_t explain_counter_ = 0;
};

}  // namespace

Result<std::unique_ptr<WhatIf>> MakeSqliteWhatIf(db::Connection& real, const SchemaInfo& schema,
                                                 const SqliteWhatIfOptions& options) {
  auto engine = std::make_unique<SqliteWhatIf>(real, schema, options);
  FB_RETURN_IF_ERROR(engine->Build());
  return std::unique_ptr<WhatIf>(std::move(engine));
}

}  // namespace fastbreak::query::detail
