// Findings on the indexes a database already has: unused ones and duplicated ones.
#include <cctype>

#include "query/advisor_internal.hpp"

namespace fastbreak::query::detail {
namespace {

std::string ColumnList(const std::vector<std::string>& columns) {
  std::string out = "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ", ";
    out += columns[i];
  }
  return out + ")";
}

bool Droppable(const IndexInfo& index) { return !index.unique && !index.primary; }

bool IsPrefix(const std::vector<std::string>& prefix, const std::vector<std::string>& of) {
  if (prefix.empty() || prefix.size() > of.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] == "<expr>" || Lower(prefix[i]) != Lower(of[i])) return false;
  }
  return true;
}

// The index that makes `index` redundant, or nullptr.
const IndexInfo* Covering(const IndexInfo& index, const SchemaInfo& schema) {
  if (!Droppable(index) || index.partial) return nullptr;
  for (const IndexInfo* other : schema.IndexesOf(index.table)) {
    if (other == &index || other->partial || !IsPrefix(index.columns, other->columns)) continue;
    if (other->columns.size() > index.columns.size()) return other;
    // Equal columns: keep the unique one, else the earlier by name.
    if (!Droppable(*other) || Lower(other->name) < Lower(index.name)) return other;
  }
  return nullptr;
}

ExistingIndexFinding Make(std::string kind, const IndexInfo& index, std::string evidence) {
  return ExistingIndexFinding{std::move(kind), index.name, index.table, std::move(evidence),
                              "DROP INDEX " + QuoteIdentifier(index.name)};
}

}  // namespace

std::vector<ExistingIndexFinding> ExistingIndexFindings(
    const SchemaInfo& schema, const std::set<std::string>& used_indexes,
    const std::map<std::string, int>& queries_per_table) {
  std::vector<ExistingIndexFinding> findings;
  for (const auto& index : schema.indexes) {
    if (!Droppable(index)) continue;
    if (schema.dialect == db::Dialect::kPostgres) {
      if (index.scans == 0)
        findings.push_back(Make("unused", index, "idx_scan = 0 since stats reset"));
      continue;
    }
    const auto reads = queries_per_table.find(Lower(index.table));
    if (reads == queries_per_table.end() || reads->second < 1) continue;
    if (used_indexes.count(Lower(index.name)) > 0) continue;
    findings.push_back(
        Make("unused", index,
             fmt::format("not used by any of the {} workload quer{} that read {}", reads->second,
                         reads->second == 1 ? "y" : "ies", index.table)));
  }
  for (const auto& index : schema.indexes) {
    const IndexInfo* other = Covering(index, schema);
    if (other == nullptr) continue;
    const char* relation =
        other->columns.size() > index.columns.size() ? "are a prefix of" : "equal those of";
    findings.push_back(Make("duplicate", index,
                            fmt::format("its columns {} {} {} {}", ColumnList(index.columns),
                                        relation, other->name, ColumnList(other->columns))));
  }
  return findings;
}

}  // namespace fastbreak::query::detail
