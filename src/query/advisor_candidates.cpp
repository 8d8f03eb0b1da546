// Candidate indexes from a statement's shape, and the checks against the existing indexes.
#include <algorithm>
#include <cctype>

#include "query/advisor_internal.hpp"

namespace fastbreak::query::detail {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

void AddUnique(std::vector<std::string>& columns, const std::string& column) {
  for (const auto& existing : columns) {
    if (EqualsIgnoreCase(existing, column)) return;
  }
  columns.push_back(column);
}

// The columns one SELECT uses on one base table, by role, as named in the schema.
struct TableColumns {
  const TableInfo* table = nullptr;
  std::vector<std::string> equality;  // = and IN
  std::vector<std::string> range;
  std::vector<std::string> order;  // the whole ORDER BY, when all of it is on this table
  std::vector<std::string> group;  // the whole GROUP BY, when all of it is on this table
  std::vector<std::string> join;
};

class ShapeResolver {
 public:
  ShapeResolver(const SelectShape& shape, const SchemaInfo& schema)
      : shape_(shape), schema_(schema) {}

  // The schema's table a column belongs to, or nullptr (views, CTEs, unknown).
  const TableInfo* TableOf(const ColumnUse& use) const {
    std::string name = use.table;
    if (name.empty() && !use.qualifier.empty()) {
      for (const auto& table : shape_.tables) {
        if (EqualsIgnoreCase(table.alias, use.qualifier) ||
            (table.alias.empty() && EqualsIgnoreCase(table.name, use.qualifier))) {
          if (table.is_cte) return nullptr;
          name = table.name;
          break;
        }
      }
    }
    if (name.empty() && use.qualifier.empty() && shape_.tables.size() == 1) {
      if (shape_.tables[0].is_cte) return nullptr;
      name = shape_.tables[0].name;
    }
    if (name.empty()) return nullptr;
    for (const auto& table : shape_.tables) {
      if (table.is_cte && EqualsIgnoreCase(table.name, name)) return nullptr;
    }
    const TableInfo* table = schema_.FindTable(name);
    if (table == nullptr || table->is_view) return nullptr;
    return table;
  }

  // The column's name as the schema spells it, or "" when the table has no such column.
  static std::string ColumnName(const TableInfo& table, const ColumnUse& use) {
    const ColumnInfo* column = table.FindColumn(use.column);
    return column == nullptr ? std::string() : column->name;
  }

 private:
  const SelectShape& shape_;
  const SchemaInfo& schema_;
};

std::vector<TableColumns> CollectColumns(const SelectShape& shape, const SchemaInfo& schema) {
  ShapeResolver resolver(shape, schema);
  std::vector<TableColumns> tables;
  auto slot = [&](const ColumnUse& use) -> std::pair<TableColumns*, std::string> {
    const TableInfo* table = resolver.TableOf(use);
    if (table == nullptr) return {nullptr, {}};
    std::string column = ShapeResolver::ColumnName(*table, use);
    if (column.empty()) return {nullptr, {}};
    for (auto& entry : tables) {
      if (entry.table == table) return {&entry, column};
    }
    tables.push_back(TableColumns{table, {}, {}, {}, {}, {}});
    return {&tables.back(), column};
  };

  for (const auto& predicate : shape.predicates) {
    if (predicate.wrapped || predicate.under_or) continue;
    const bool equality =
        predicate.kind == PredicateKind::kEquality || predicate.kind == PredicateKind::kIn;
    if (!equality && predicate.kind != PredicateKind::kRange) continue;
    auto [entry, column] = slot(predicate.column);
    if (entry == nullptr) continue;
    AddUnique(equality ? entry->equality : entry->range, column);
  }
  for (const auto& join : shape.joins) {
    for (const ColumnUse* side : {&join.left, &join.right}) {
      auto [entry, column] = slot(*side);
      if (entry != nullptr) AddUnique(entry->join, column);
    }
  }
  // ORDER BY / GROUP BY help only when every term is a plain column of one table (and, for
  // ORDER BY, all in one direction: an ascending index cannot serve a mixed order).
  auto whole_list = [&](const std::vector<ColumnUse>& uses,
                        std::vector<std::string> TableColumns::*member) {
    if (uses.empty()) return;
    TableColumns* owner = nullptr;
    std::vector<std::string> columns;
    for (const auto& use : uses) {
      auto [entry, column] = slot(use);
      if (entry == nullptr || (owner != nullptr && owner != entry)) return;
      owner = entry;
      AddUnique(columns, column);
    }
    owner->*member = std::move(columns);
  };
  std::vector<ColumnUse> order;
  bool mixed = false;
  for (const auto& term : shape.order_by) {
    if (term.descending != shape.order_by.front().descending) mixed = true;
    order.push_back(term.column);
  }
  if (!mixed) whole_list(order, &TableColumns::order);
  whole_list(shape.group_by, &TableColumns::group);
  return tables;
}

void AddCandidate(std::vector<Candidate>& out, const TableInfo& table,
                  std::vector<std::string> columns, int max_columns) {
  if (columns.empty() || max_columns < 1) return;
  if (columns.size() > static_cast<size_t>(max_columns)) columns.resize(max_columns);
  Candidate candidate{table.name, std::move(columns)};
  const std::string key = candidate.Key();
  for (const auto& existing : out) {
    if (existing.Key() == key) return;
  }
  out.push_back(std::move(candidate));
}

std::vector<std::string> Concat(const std::vector<std::string>& head,
                                const std::vector<std::string>& tail) {
  std::vector<std::string> out = head;
  for (const auto& column : tail) AddUnique(out, column);
  return out;
}

bool IsRowidAlias(const TableInfo& table, std::string_view column) {
  int primary = 0;
  const ColumnInfo* key = nullptr;
  for (const auto& info : table.columns) {
    if (info.primary_key) {
      ++primary;
      key = &info;
    }
  }
  return primary == 1 && EqualsIgnoreCase(key->type, "integer") &&
         EqualsIgnoreCase(key->name, column);
}

constexpr std::string_view kKeywords[] = {
    "all",     "analyse", "analyze",   "and",        "any",     "as",     "asc",    "between",
    "both",    "case",    "cast",      "check",      "collate", "column", "create", "cross",
    "default", "desc",    "distinct",  "do",         "else",    "end",    "except", "false",
    "for",     "foreign", "from",      "full",       "group",   "having", "in",     "index",
    "inner",   "insert",  "intersect", "into",       "is",      "join",   "key",    "left",
    "like",    "limit",   "natural",   "not",        "null",    "offset", "on",     "or",
    "order",   "outer",   "primary",   "references", "right",   "select", "set",    "table",
    "then",    "to",      "true",      "union",      "unique",  "user",   "using",  "values",
    "when",    "where",   "window",    "with"};

}  // namespace

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Candidate::Key() const {
  std::string key = Lower(table) + "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) key += ",";
    key += Lower(columns[i]);
  }
  return key + ")";
}

bool ServedByExisting(const Candidate& candidate, const SchemaInfo& schema) {
  if (schema.dialect == db::Dialect::kSqlite && !candidate.columns.empty()) {
    const TableInfo* table = schema.FindTable(candidate.table);
    if (table != nullptr && IsRowidAlias(*table, candidate.columns.front())) return true;
  }
  for (const IndexInfo* index : schema.IndexesOf(candidate.table)) {
    if (index->partial || index->columns.size() < candidate.columns.size()) continue;
    bool equal = true;
    for (size_t i = 0; i < candidate.columns.size() && equal; ++i) {
      equal = EqualsIgnoreCase(index->columns[i], candidate.columns[i]);
    }
    if (equal) return true;
  }
  return false;
}

std::vector<Candidate> GenerateCandidates(const SqlModel& model, const SchemaInfo& schema,
                                          int max_columns) {
  std::vector<Candidate> out;
  for (const auto& shape : model.selects) {
    for (const auto& used : CollectColumns(shape, schema)) {
      const TableInfo& table = *used.table;
      // Full candidates: equality columns, then one range column or the ORDER BY / GROUP BY
      // columns, then the join columns.
      std::vector<std::vector<std::string>> middles;
      for (const auto& range : used.range) middles.push_back({range});
      if (!used.order.empty()) middles.push_back(used.order);
      if (!used.group.empty()) middles.push_back(used.group);
      if (middles.empty()) middles.emplace_back();
      for (const auto& middle : middles) {
        AddCandidate(out, table, Concat(Concat(used.equality, middle), used.join), max_columns);
      }
      for (const auto& column : used.join) AddCandidate(out, table, {column}, max_columns);
      for (const auto& column : used.range) AddCandidate(out, table, {column}, max_columns);
    }
  }
  std::erase_if(out, [&](const Candidate& c) { return ServedByExisting(c, schema); });
  return out;
}

std::string QuoteIdentifier(std::string_view name) {
  bool bare = !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front()));
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      bare = false;
    }
  }
  if (bare && std::find(std::begin(kKeywords), std::end(kKeywords), name) == std::end(kKeywords)) {
    return std::string(name);
  }
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string IndexName(const Candidate& candidate, const std::set<std::string>& taken) {
  constexpr size_t kMaxName = 63;
  std::string name = "idx_" + candidate.table;
  for (const auto& column : candidate.columns) name += "_" + column;
  for (char& c : name) {
    const auto u = static_cast<unsigned char>(c);
    c = std::isalnum(u) && u < 0x80 ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (name.size() > kMaxName) name.resize(kMaxName);
  std::string unique = name;
  for (int suffix = 2; taken.count(unique) > 0; ++suffix) {
    const std::string tail = "_" + std::to_string(suffix);
    unique = name.substr(0, std::min(name.size(), kMaxName - tail.size())) + tail;
  }
  return unique;
}

std::string CreateIndexSql(std::string_view name, const Candidate& candidate, bool if_not_exists) {
  std::string sql = "CREATE INDEX ";
  if (if_not_exists) sql += "IF NOT EXISTS ";
  sql += QuoteIdentifier(name) + " ON " + QuoteIdentifier(candidate.table) + " (";
  for (size_t i = 0; i < candidate.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(candidate.columns[i]);
  }
  return sql + ")";
}

std::string Shorten(std::string_view text, size_t max_bytes) {
  std::string collapsed;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !collapsed.empty();
      continue;
    }
    if (space) collapsed += ' ';
    space = false;
    collapsed += c;
  }
  if (collapsed.size() <= max_bytes) return collapsed;
  size_t cut = max_bytes >= 3 ? max_bytes - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(collapsed[cut]) & 0xC0) == 0x80) --cut;
  collapsed.resize(cut);
  return collapsed + "...";
}

Error WithoutStatement(Error error) {
  if (const size_t in = error.message.find(" (in: "); in != std::string::npos) {
    error.message.resize(in);
  }
  return error;
}

}  // namespace fastbreak::query::detail
