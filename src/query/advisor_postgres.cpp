// The PostgreSQL what-if engine: hypothetical indexes (hypopg) and the planner's generic plans.
#include <cctype>

#include "query/advisor_internal.hpp"
#include "query/fingerprint.hpp"

namespace fastbreak::query::detail {
namespace {

constexpr std::string_view kStatement = "fastbreak_advisor_query";

int64_t AsInt(const db::Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    try {
      return std::stoll(*s);
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

void Collect(const PlanNode& node, PlanCost& out) {
  if (!node.index.empty()) out.indexes.insert(Lower(node.index));
  if (!node.relation.empty()) out.tables.insert(Lower(node.relation));
  for (const auto& child : node.children) Collect(child, out);
}

// "CREATE INDEX ON t (a, b)" for hypopg (which names the index itself).
std::string HypotheticalSql(const Candidate& candidate) {
  std::string sql = "CREATE INDEX ON " + QuoteIdentifier(candidate.table) + " (";
  for (size_t i = 0; i < candidate.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(candidate.columns[i]);
  }
  return sql + ")";
}

class PostgresWhatIf final : public WhatIf {
 public:
  explicit PostgresWhatIf(db::Connection& connection) : connection_(connection) {}

  ~PostgresWhatIf() override {
    (void)Reset();
    if (generic_plans_set_) (void)connection_.ExecuteScript("RESET plan_cache_mode");
  }

  std::string_view method() const override { return "hypopg"; }

  Status Start() {
    FB_ASSIGN_OR_RETURN(
        auto installed,
        connection_.QueryScalar("SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'"));
    if (AsInt(installed) < 1) {
      return MakeError(ErrorCode::kNotFound,
                       "the hypopg extension is not installed in this database (CREATE "
                       "EXTENSION hypopg); the advisor needs it to cost hypothetical indexes");
    }
    FB_RETURN_IF_ERROR(connection_.ExecuteScript("SET plan_cache_mode = force_generic_plan"));
    generic_plans_set_ = true;
    return Reset();
  }

  Result<std::vector<std::string>> SetIndexes(std::span<const Candidate> indexes) override {
    FB_RETURN_IF_ERROR(Reset());
    std::vector<std::string> names;
    for (const auto& candidate : indexes) {
      FB_ASSIGN_OR_RETURN(auto created, CreateHypothetical(candidate));
      names.push_back(Lower(created.second));
    }
    return names;
  }

  Result<PlanCost> Cost(std::string_view sql,
                        const std::map<std::string, std::string>& /*aliases*/) override {
    // A fresh prepared statement each time: a cached generic plan would not see indexes
    // created since.
    auto prepared = connection_.ExecuteScript(
        fmt::format("PREPARE {} AS {}", kStatement, ToDollarPlaceholders(sql)));
    if (!prepared) return tl::unexpected(WithoutStatement(std::move(prepared).error()));
    auto plan = ExplainPrepared();
    auto deallocated = connection_.ExecuteScript(fmt::format("DEALLOCATE {}", kStatement));
    if (!deallocated && plan) return tl::unexpected(deallocated.error());
    return plan;
  }

  Result<int64_t> SizeBytes(const Candidate& candidate) override {
    FB_ASSIGN_OR_RETURN(auto created, CreateHypothetical(candidate));
    std::vector<db::Value> params{created.first};
    auto size = connection_.QueryScalar("SELECT hypopg_relation_size(?::oid)", params);
    (void)connection_.Query("SELECT hypopg_drop_index(?::oid)", params);
    if (!size) return tl::unexpected(size.error());
    return AsInt(*size);
  }

  Status Reset() override {
    return connection_.Query("SELECT hypopg_reset()").map([](auto&&) {});
  }

 private:
  // {indexrelid, index name}
  Result<std::pair<int64_t, std::string>> CreateHypothetical(const Candidate& candidate) {
    std::vector<db::Value> params{HypotheticalSql(candidate)};
    FB_ASSIGN_OR_RETURN(
        auto result,
        connection_.Query("SELECT indexrelid, indexname FROM hypopg_create_index(?)", params));
    if (result.rows.empty() || result.rows.front().size() < 2) {
      return MakeError(ErrorCode::kInternal, "hypopg_create_index returned no index for {}",
                       candidate.Key());
    }
    const auto& row = result.rows.front();
    const auto* name = std::get_if<std::string>(&row[1]);
    return std::pair<int64_t, std::string>(AsInt(row[0]), name == nullptr ? "" : *name);
  }

  Result<PlanCost> ExplainPrepared() {
    std::vector<db::Value> params{std::string(kStatement)};
    FB_ASSIGN_OR_RETURN(
        auto count,
        connection_.QueryScalar(
            "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = ?",
            params));
    std::string explain = fmt::format("EXPLAIN (FORMAT JSON) EXECUTE {}", kStatement);
    const int64_t parameters = AsInt(count);
    for (int64_t i = 0; i < parameters; ++i) explain += i == 0 ? "(NULL" : ", NULL";
    if (parameters > 0) explain += ")";
    FB_ASSIGN_OR_RETURN(auto result, connection_.Query(explain));
    if (result.rows.empty() || result.rows.front().empty()) {
      return MakeError(ErrorCode::kInternal, "EXPLAIN returned no plan");
    }
    const auto* json = std::get_if<std::string>(&result.rows.front().front());
    if (json == nullptr) return MakeError(ErrorCode::kInternal, "EXPLAIN returned no JSON");
    FB_ASSIGN_OR_RETURN(QueryPlan plan, ParsePostgresPlan(*json));
    PlanCost cost;
    cost.cost = plan.total_cost >= 0 ? plan.total_cost : plan.root.total_cost;
    Collect(plan.root, cost);
    return cost;
  }

  db::Connection& connection_;
  bool generic_plans_set_ = false;
};

}  // namespace

Result<std::unique_ptr<WhatIf>> MakePostgresWhatIf(db::Connection& connection) {
  auto engine = std::make_unique<PostgresWhatIf>(connection);
  FB_RETURN_IF_ERROR(engine->Start());
  return std::unique_ptr<WhatIf>(std::move(engine));
}

}  // namespace fastbreak::query::detail
