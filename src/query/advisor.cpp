// Advise: the workload analyzed, baseline costs, candidates, the greedy choice, findings on the
// existing indexes, and (when asked) the chosen indexes created.
#include "query/advisor.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "query/advisor_internal.hpp"
#include "query/schema_info.hpp"
#include "query/sql_model.hpp"

namespace fastbreak::query {
namespace {

using Clock = std::chrono::steady_clock;
using detail::Candidate;
using detail::PlanCost;

constexpr size_t kSkippedSqlBytes = 80;
constexpr size_t kHelpSqlBytes = 300;
constexpr int kMaxColumnsLimit = 16;
constexpr size_t kMaxRecommendationsLimit = 100;

// The statement without surrounding whitespace and trailing semicolons.
std::string_view Strip(std::string_view sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.remove_suffix(1);
  }
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front()))) {
    sql.remove_prefix(1);
  }
  return sql;
}

// Errors that end the whole run rather than one query's part in it.
bool Fatal(const Error& error) {
  return error.code == ErrorCode::kConnection || error.code == ErrorCode::kTimeout ||
         error.code == ErrorCode::kCancelled || error.code == ErrorCode::kInternal;
}

struct AnalyzedQuery {
  std::string sql;
  double calls = 1;
  SqlModel model;
  std::map<std::string, std::string> aliases;  // lowercase alias or name -> base table
  std::set<std::string> tables;                // lowercase base tables read
  double baseline = 0;                         // cost per execution without candidates
  double current = 0;                          // with the indexes chosen so far
};

// What adding one candidate to the chosen set does.
struct Evaluation {
  bool valid = false;
  double saving = 0;
  std::vector<std::pair<size_t, double>> improved;  // query -> its cost with the candidate
};

class Advisor {
 public:
  Advisor(db::Connection& connection, const std::vector<WorkloadQuery>& workload,
          const AdvisorOptions& options)
      : connection_(connection), workload_(workload), options_(options) {}

  Result<AdviceReport> Run() {
    FB_RETURN_IF_ERROR(CheckOptions());
    report_.dialect = connection_.dialect();
    FB_ASSIGN_OR_RETURN(schema_, LoadSchemaInfo(connection_));
    AnalyzeWorkload();
    if (report_.dialect == db::Dialect::kSqlite) {
      FB_ASSIGN_OR_RETURN(engine_, detail::MakeSqliteWhatIf(connection_, schema_));
    } else {
      FB_ASSIGN_OR_RETURN(engine_, detail::MakePostgresWhatIf(connection_));
    }
    report_.method = std::string(engine_->method());
    FB_RETURN_IF_ERROR(Baseline());
    FB_RETURN_IF_ERROR(FindCandidates());
    FB_RETURN_IF_ERROR(Choose());
    Existing();
    FB_RETURN_IF_ERROR(engine_->Reset());
    engine_.reset();
    for (const auto& query : queries_) {
      report_.cost_before += query.calls * query.baseline;
      report_.cost_after += query.calls * query.current;
    }
    if (options_.apply) FB_RETURN_IF_ERROR(Apply());
    report_.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    return std::move(report_);
  }

 private:
  Status CheckOptions() const {
    if (!(options_.min_gain >= 0 && options_.min_gain <= 1)) {
      return MakeError(ErrorCode::kInvalidArgument, "min_gain must be within [0, 1], got {}",
                       options_.min_gain);
    }
    if (options_.max_columns < 1 || options_.max_columns > kMaxColumnsLimit) {
      return MakeError(ErrorCode::kInvalidArgument, "max_columns must be within [1, {}], got {}",
                       kMaxColumnsLimit, options_.max_columns);
    }
    if (options_.max_recommendations > kMaxRecommendationsLimit) {
      return MakeError(ErrorCode::kInvalidArgument, "max_recommendations must be at most {}",
                       kMaxRecommendationsLimit);
    }
    if (options_.time_budget.count() < 0) {
      return MakeError(ErrorCode::kInvalidArgument, "time_budget must not be negative");
    }
    if (workload_.size() > detail::kMaxWorkloadQueries) {
      return MakeError(ErrorCode::kInvalidArgument, "the workload holds {} queries; at most {}",
                       workload_.size(), detail::kMaxWorkloadQueries);
    }
    if (options_.apply && connection_.mode() == db::AccessMode::kReadOnly) {
      return MakeError(ErrorCode::kPermissionDenied,
                       "apply needs a read-write connection to create the indexes");
    }
    return Ok();
  }

  void Skip(std::string_view sql, std::string_view why) {
    report_.skipped.push_back(detail::Shorten(sql, kSkippedSqlBytes) + ": " + std::string(why));
  }

  bool OverBudget() const { return Clock::now() - started_ > options_.time_budget; }

  void Progress(int done, int total, std::string_view what) const {
    if (options_.progress) options_.progress(done, total, what);
  }

  void AnalyzeWorkload() {
    for (const auto& item : workload_) {
      const std::string_view sql = Strip(item.sql);
      if (sql.size() > detail::kMaxStatementBytes) {
        Skip(sql, fmt::format("longer than {} bytes", detail::kMaxStatementBytes));
        continue;
      }
      if (!std::isfinite(item.calls) || item.calls <= 0) {
        Skip(sql, "calls must be a positive number");
        continue;
      }
      auto model = AnalyzeSql(sql, &schema_);
      if (!model) {
        Skip(sql, "cannot be parsed: " + model.error().message);
        continue;
      }
      if (model->statement != "select") {
        Skip(sql, fmt::format("not a read ({})", model->statement));
        continue;
      }
      AnalyzedQuery query;
      query.sql = std::string(sql);
      query.calls = item.calls;
      for (const auto& shape : model->selects) {
        for (const auto& table : shape.tables) {
          if (table.is_cte) continue;
          const TableInfo* info = schema_.FindTable(table.name);
          if (info == nullptr) continue;
          const std::string name = detail::Lower(info->name);
          query.aliases.emplace(detail::Lower(table.name), name);
          if (!table.alias.empty()) query.aliases.emplace(detail::Lower(table.alias), name);
          if (!info->is_view) query.tables.insert(name);
        }
      }
      if (query.aliases.empty()) {
        Skip(sql, "reads no table of the database");
        continue;
      }
      query.model = std::move(*model);
      queries_.push_back(std::move(query));
    }
  }

  Status Baseline() {
    std::vector<AnalyzedQuery> planned;
    const int total = static_cast<int>(queries_.size());
    for (size_t i = 0; i < queries_.size(); ++i) {
      auto& query = queries_[i];
      Progress(static_cast<int>(i), total, "baseline: " + detail::Shorten(query.sql, 60));
      if (OverBudget()) {
        report_.budget_exhausted = true;
        Skip(query.sql, "the time budget ran out before it was planned");
        continue;
      }
      auto cost = engine_->Cost(query.sql, query.aliases);
      if (!cost) {
        if (Fatal(cost.error())) return tl::unexpected(cost.error());
        Skip(query.sql, "cannot be planned: " + cost.error().message);
        continue;
      }
      query.baseline = query.current = cost->cost;
      query.tables.insert(cost->tables.begin(), cost->tables.end());
      used_indexes_.insert(cost->indexes.begin(), cost->indexes.end());
      planned.push_back(std::move(query));
    }
    Progress(total, total, "baseline done");
    queries_ = std::move(planned);
    report_.queries = static_cast<int>(queries_.size());
    return Ok();
  }

  Status FindCandidates() {
    std::set<std::string> keys;
    for (const auto& query : queries_) {
      for (auto& candidate :
           detail::GenerateCandidates(query.model, schema_, options_.max_columns)) {
        if (candidates_.size() >= detail::kMaxCandidates) break;
        if (keys.insert(candidate.Key()).second) candidates_.push_back(std::move(candidate));
      }
    }
    for (const auto& candidate : candidates_) {
      auto size = engine_->SizeBytes(candidate);
      if (!size) {
        if (Fatal(size.error())) return tl::unexpected(size.error());
        sizes_.push_back(-1);  // left out of the choice
        continue;
      }
      sizes_.push_back(std::max<int64_t>(*size, 1));
    }
    report_.candidates = static_cast<int>(candidates_.size());
    return Ok();
  }

  bool Reads(const AnalyzedQuery& query, const std::string& table) const {
    return query.tables.count(detail::Lower(table)) > 0;
  }

  Result<Evaluation> Evaluate(const Candidate& candidate) {
    std::vector<Candidate> set = chosen_;
    set.push_back(candidate);
    FB_ASSIGN_OR_RETURN(auto names, engine_->SetIndexes(set));
    const std::string& name = names.back();
    Evaluation evaluation;
    evaluation.valid = true;
    for (size_t q = 0; q < queries_.size(); ++q) {
      const auto& query = queries_[q];
      if (!Reads(query, candidate.table)) continue;
      auto cost = engine_->Cost(query.sql, query.aliases);
      if (!cost) {
        if (Fatal(cost.error())) return tl::unexpected(cost.error());
        continue;
      }
      if (cost->indexes.count(name) == 0 || cost->cost >= query.current) continue;
      evaluation.saving += query.calls * (query.current - cost->cost);
      evaluation.improved.emplace_back(q, cost->cost);
    }
    return evaluation;
  }

  Status Choose() {
    std::vector<Evaluation> evaluations(candidates_.size());
    std::vector<bool> taken(candidates_.size(), false);
    // Names the new indexes must not take (PostgreSQL: tables and indexes share a namespace).
    std::set<std::string> names;
    for (const auto& index : schema_.indexes) names.insert(detail::Lower(index.name));
    for (const auto& table : schema_.tables) names.insert(detail::Lower(table.name));
    const double workload_before = WorkloadCost();
    for (size_t round = 0; round < options_.max_recommendations; ++round) {
      const double current = WorkloadCost();
      if (current <= 0) break;
      int best = -1;
      double best_ratio = 0;
      const int total = static_cast<int>(std::count(taken.begin(), taken.end(), false));
      int done = 0;
      for (size_t i = 0; i < candidates_.size(); ++i) {
        if (taken[i] || sizes_[i] < 0) continue;
        Progress(done++, total, fmt::format("round {}: {}", round + 1, candidates_[i].Key()));
        if (!evaluations[i].valid) {
          if (OverBudget()) {
            report_.budget_exhausted = true;
            return Ok();
          }
          FB_ASSIGN_OR_RETURN(evaluations[i], Evaluate(candidates_[i]));
        }
        const Evaluation& evaluation = evaluations[i];
        if (evaluation.saving <= 0 || evaluation.saving < options_.min_gain * current) continue;
        const double ratio = evaluation.saving / static_cast<double>(sizes_[i]);
        if (best < 0 || ratio > best_ratio) {
          best = static_cast<int>(i);
          best_ratio = ratio;
        }
      }
      Progress(total, total, fmt::format("round {} done", round + 1));
      if (best < 0) break;
      taken[best] = true;
      Recommend(candidates_[best], evaluations[best], sizes_[best], workload_before, names);
      // Evaluations of candidates whose queries share a table with the chosen one are stale.
      for (size_t i = 0; i < candidates_.size(); ++i) {
        if (!taken[i] && evaluations[i].valid && ShareQuery(candidates_[i], candidates_[best])) {
          evaluations[i].valid = false;
        }
      }
    }
    return Ok();
  }

  bool ShareQuery(const Candidate& a, const Candidate& b) const {
    for (const auto& query : queries_) {
      if (Reads(query, a.table) && Reads(query, b.table)) return true;
    }
    return false;
  }

  double WorkloadCost() const {
    double total = 0;
    for (const auto& query : queries_) total += query.calls * query.current;
    return total;
  }

  void Recommend(const Candidate& candidate, const Evaluation& evaluation, int64_t size,
                 double workload_before, std::set<std::string>& names) {
    Recommendation recommendation;
    recommendation.table = candidate.table;
    recommendation.columns = candidate.columns;
    const std::string name = detail::IndexName(candidate, names);
    names.insert(name);
    recommendation.create_sql = detail::CreateIndexSql(name, candidate);
    recommendation.saving = evaluation.saving;
    recommendation.saving_fraction = workload_before > 0 ? evaluation.saving / workload_before : 0;
    recommendation.size_bytes = size;
    for (const auto& [q, cost] : evaluation.improved) {
      auto& query = queries_[q];
      recommendation.helps.push_back(QueryBenefit{detail::Shorten(query.sql, kHelpSqlBytes),
                                                  query.calls, query.current, cost});
      query.current = cost;
    }
    std::stable_sort(recommendation.helps.begin(), recommendation.helps.end(),
                     [](const QueryBenefit& a, const QueryBenefit& b) {
                       return a.calls * (a.cost_before - a.cost_after) >
                              b.calls * (b.cost_before - b.cost_after);
                     });
    chosen_.push_back(candidate);
    chosen_names_.push_back(name);
    report_.recommendations.push_back(std::move(recommendation));
  }

  void Existing() {
    std::map<std::string, int> per_table;
    for (const auto& query : queries_) {
      for (const auto& table : query.tables) ++per_table[table];
    }
    report_.existing = detail::ExistingIndexFindings(schema_, used_indexes_, per_table);
  }

  Status Apply() {
    std::vector<std::string> tables;
    for (size_t i = 0; i < chosen_.size(); ++i) {
      const std::string sql = detail::CreateIndexSql(chosen_names_[i], chosen_[i], true);
      auto created = connection_.ExecuteScript(sql);
      if (!created) {
        Error error = created.error();
        error.message = fmt::format("{} failed ({} of {} created before it): {}", sql,
                                    report_.applied.size(), chosen_.size(), error.message);
        return tl::unexpected(std::move(error));
      }
      report_.applied.push_back(sql);
      if (std::find(tables.begin(), tables.end(), chosen_[i].table) == tables.end()) {
        tables.push_back(chosen_[i].table);
      }
    }
    for (const auto& table : tables) {
      FB_RETURN_IF_ERROR(connection_.ExecuteScript("ANALYZE " + detail::QuoteIdentifier(table)));
    }
    return Ok();
  }

  db::Connection& connection_;
  const std::vector<WorkloadQuery>& workload_;
  const AdvisorOptions& options_;
  const Clock::time_point started_ = Clock::now();
  AdviceReport report_;
  SchemaInfo schema_;
  std::unique_ptr<detail::WhatIf> engine_;
  std::vector<AnalyzedQuery> queries_;
  std::set<std::string> used_indexes_;  // lowercase, by the baseline plans
  std::vector<Candidate> candidates_;
  std::vector<int64_t> sizes_;  // per candidate; -1 when it could not be sized
  std::vector<Candidate> chosen_;
  std::vector<std::string> chosen_names_;
};

}  // namespace

Result<AdviceReport> Advise(db::Connection& connection, const std::vector<WorkloadQuery>& workload,
                            const AdvisorOptions& options) {
  return Advisor(connection, workload, options).Run();
}

}  // namespace fastbreak::query
