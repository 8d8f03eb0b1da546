#include "query/sql_model.hpp"

#include <pg_query.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/json_text.hpp"

namespace fastbreak::query {
namespace {

using json = nlohmann::json;

// libpg_query's JSON nests two or three levels per SQL node; past this the tree is refused
// before nlohmann builds it.
constexpr int kMaxJsonNesting = 5 * kMaxSqlNesting;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return lower;
}

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }

// --- placeholders: `?`, `?N`, `:name`, `@name`, `$name` become `$N`; offsets map back ---

struct Replacement {
  int new_begin, new_end, old_begin, old_end;
};

class RewrittenSql {
 public:
  explicit RewrittenSql(std::string_view sql) { Rewrite(sql); }
  const std::string& text() const { return text_; }

  // An offset in text() as an offset in the original SQL.
  int Original(int offset) const {
    if (offset < 0) return -1;
    auto after =
        std::upper_bound(replacements_.begin(), replacements_.end(), offset,
                         [](int value, const Replacement& r) { return value < r.new_begin; });
    if (after == replacements_.begin()) return offset;
    const Replacement& r = *(after - 1);
    if (offset < r.new_end) return r.old_begin;
    return r.old_end + (offset - r.new_end);
  }

 private:
  void Emit(size_t begin, size_t end, int number) {
    const std::string param = "$" + std::to_string(number);
    const int new_begin = static_cast<int>(text_.size());
    text_ += param;
    replacements_.push_back({new_begin, static_cast<int>(text_.size()), static_cast<int>(begin),
                             static_cast<int>(end)});
  }

  int Named(std::string_view name) {
    auto [it, inserted] = named_.try_emplace(std::string(name), highest_ + 1);
    if (inserted) ++highest_;
    return it->second;
  }

  // Copies a quoted run (' " `) starting at `i`; returns the index after it.
  size_t CopyQuoted(std::string_view sql, size_t i) {
    const char quote = sql[i];
    size_t j = i + 1;
    while (j < sql.size()) {
      if (sql[j] == quote) {
        if (j + 1 < sql.size() && sql[j + 1] == quote) {
          j += 2;
          continue;
        }
        ++j;
        break;
      }
      ++j;
    }
    text_.append(sql.substr(i, j - i));
    return j;
  }

  void Rewrite(std::string_view sql) {
    text_.reserve(sql.size() + 16);
    size_t i = 0;
    while (i < sql.size()) {
      const char c = sql[i];
      const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
      if (c == '\'' || c == '"' || c == '`') {
        i = CopyQuoted(sql, i);
      } else if (c == '-' && next == '-') {
        const size_t end = std::min(sql.find('\n', i), sql.size());
        text_.append(sql.substr(i, end - i));
        i = end;
      } else if (c == '/' && next == '*') {
        const size_t close = sql.find("*/", i + 2);
        const size_t end = close == std::string_view::npos ? sql.size() : close + 2;
        text_.append(sql.substr(i, end - i));
        i = end;
      } else if (c == '$' && IsDigit(next)) {  // already $N
        size_t j = i + 1;
        int number = 0;
        while (j < sql.size() && IsDigit(sql[j]))
          number = std::min(number * 10 + (sql[j++] - '0'), 1'000'000);
        highest_ = std::max(highest_, number);
        text_.append(sql.substr(i, j - i));
        i = j;
      } else if (c == '$' && (next == '$' || IsIdentStart(next))) {
        size_t j = i + 1;
        while (j < sql.size() && IsIdentChar(sql[j]) && sql[j] != '$') ++j;
        if (j < sql.size() && sql[j] == '$') {  // dollar-quoted string $tag$...$tag$
          const std::string_view tag = sql.substr(i, j + 1 - i);
          const size_t close = sql.find(tag, j + 1);
          const size_t end = close == std::string_view::npos ? sql.size() : close + tag.size();
          text_.append(sql.substr(i, end - i));
          i = end;
        } else {  // $name
          Emit(i, j, Named(sql.substr(i + 1, j - i - 1)));
          i = j;
        }
      } else if (c == '?') {
        size_t j = i + 1;
        int number = 0;
        while (j < sql.size() && IsDigit(sql[j]))
          number = std::min(number * 10 + (sql[j++] - '0'), 1'000'000);
        if (j == i + 1) number = highest_ + 1;
        highest_ = std::max(highest_, number);
        Emit(i, j, number);
        i = j;
      } else if ((c == ':' || c == '@') && IsIdentStart(next) &&
                 (i == 0 || (sql[i - 1] != ':' && !IsIdentChar(sql[i - 1])))) {
        size_t j = i + 1;
        while (j < sql.size() && IsIdentChar(sql[j]) && sql[j] != '$') ++j;
        Emit(i, j, Named(sql.substr(i + 1, j - i - 1)));
        i = j;
      } else if (c == ':' && next == ':') {
        text_ += "::";
        i += 2;
      } else {
        text_ += c;
        ++i;
      }
    }
  }

  std::string text_;
  std::vector<Replacement> replacements_;
  std::map<std::string, int> named_;
  int highest_ = 0;
};

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the second byte's range
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return false;
    for (size_t k = 2; k < length; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

// --- parse tree access: every node is {"TypeName": {fields}} ---

struct Node {
  std::string_view type;
  const json* body = nullptr;
  explicit operator bool() const { return body != nullptr; }
};

Node AsNode(const json* value) {
  if (value == nullptr || !value->is_object() || value->size() != 1) return {};
  auto it = value->begin();
  return {it.key(), &it.value()};
}

const json* Field(const json* object, const char* key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto it = object->find(key);
  return it == object->end() ? nullptr : &*it;
}

std::string_view Text(const json* object, const char* key) {
  const json* value = Field(object, key);
  return value != nullptr && value->is_string()
             ? std::string_view(value->get_ref<const std::string&>())
             : std::string_view();
}

int Int(const json* object, const char* key, int fallback = -1) {
  const json* value = Field(object, key);
  return value != nullptr && value->is_number_integer() ? value->get<int>() : fallback;
}

// Elements of a list field ([] when absent).
const json& List(const json* object, const char* key) {
  static const json kEmpty = json::array();
  const json* value = Field(object, key);
  return value != nullptr && value->is_array() ? *value : kEmpty;
}

// {"String": {"sval": "x"}} -> "x".
std::string_view StringNode(const json& node) {
  Node n = AsNode(&node);
  return n.type == "String" ? Text(n.body, "sval") : std::string_view();
}

// The last name of a qualified name list ("pg_catalog.lower" -> "lower", "=" -> "=").
std::string LastName(const json* object, const char* key) {
  const json& names = List(object, key);
  return names.empty() ? std::string() : std::string(StringNode(names.back()));
}

// The smallest location in a subtree: where its text starts.
int MinLocation(const json& value) {
  int best = -1;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      int found = -1;
      if (it.key() == "location" && it->is_number_integer()) {
        found = it->get<int>();
      } else if (it->is_structured()) {
        found = MinLocation(*it);
      }
      if (found >= 0 && (best < 0 || found < best)) best = found;
    }
  } else if (value.is_array()) {
    for (const json& element : value) {
      const int found = MinLocation(element);
      if (found >= 0 && (best < 0 || found < best)) best = found;
    }
  }
  return best;
}

bool IsAggregateName(std::string_view name) {
  static constexpr std::string_view kAggregates[] = {"count",
                                                     "sum",
                                                     "avg",
                                                     "min",
                                                     "max",
                                                     "total",
                                                     "group_concat",
                                                     "string_agg",
                                                     "array_agg",
                                                     "json_agg",
                                                     "jsonb_agg",
                                                     "json_group_array",
                                                     "json_group_object",
                                                     "bool_and",
                                                     "bool_or",
                                                     "every",
                                                     "stddev",
                                                     "stddev_pop",
                                                     "stddev_samp",
                                                     "variance",
                                                     "var_pop",
                                                     "var_samp",
                                                     "median",
                                                     "percentile_cont",
                                                     "percentile_disc",
                                                     "mode",
                                                     "bit_and",
                                                     "bit_or"};
  return std::find(std::begin(kAggregates), std::end(kAggregates), name) != std::end(kAggregates);
}

// --- the walk ---

struct Item {
  std::string name;  // table or CTE name; a derived table's alias
  std::string alias;
  std::string base;     // the base table (or view) name; empty for CTEs and derived tables
  bool listed = false;  // a table or CTE (in SelectShape::tables), not a derived table
  int component = 0;    // which comma-separated FROM entry holds it
  const TableInfo* info = nullptr;  // the schema's entry for `base`, when known
};

struct Scope {
  Scope* parent = nullptr;
  std::vector<std::string> ctes;
  std::vector<Item> items;
  const json* targets = nullptr;  // the target list, for ORDER BY names and ordinals
  std::vector<int> links;         // union-find over components
  bool uncertain_links = false;   // a condition names a column whose table is unknown

  int Find(int component) {
    while (links[component] != component) component = links[component] = links[links[component]];
    return component;
  }
  void Link(int a, int b) { links[Find(a)] = Find(b); }
};

struct Ref {
  ColumnUse use;
  int level = -1;  // 0 = this SELECT, 1 = the enclosing one...; -1 when unknown
  int item = -1;   // in that scope's items; -1 when unknown
  const json* node = nullptr;
};

struct Context {
  bool under_or = false;
  bool negated = false;
  bool explicit_join = false;
};

struct SelectResult {
  int shape = -1;
  bool has_column = false;
  ColumnUse first_column;
  bool null_filtered = false;
};

bool SameColumn(const ColumnUse& a, const ColumnUse& b) {
  if (a.column != b.column) return false;
  if (!a.table.empty() || !b.table.empty()) return a.table == b.table;
  return a.qualifier == b.qualifier;
}

std::string RefKey(const Ref& ref) {
  return std::to_string(ref.level) + ":" +
         (ref.item >= 0 ? std::to_string(ref.item) : "?" + ref.use.qualifier) + ":" +
         ref.use.column;
}

std::vector<Ref> Distinct(std::vector<Ref> refs) {
  std::vector<Ref> distinct;
  std::set<std::string> keys;
  for (Ref& ref : refs) {
    if (keys.insert(RefKey(ref)).second) distinct.push_back(std::move(ref));
  }
  return distinct;
}

std::string Wrapper(const json& operand) {
  Node n = AsNode(&operand);
  if (n.type == "FuncCall") return Lower(LastName(n.body, "funcname"));
  if (n.type == "A_Expr") return LastName(n.body, "name");
  if (n.type == "TypeCast") return "cast";
  if (n.type == "CoalesceExpr") return "coalesce";
  if (n.type == "CaseExpr") return "case";
  if (n.type == "CollateClause") return "collate";
  return Lower(n.type);
}

// A LIKE pattern: a string constant, like_escape(constant, ...), or the constant that starts
// a || concatenation (then followed by "...").
std::string LikePattern(const json& value) {
  Node n = AsNode(&value);
  if (n.type == "A_Const") {
    const json* sval = Field(n.body, "sval");
    return std::string(Text(sval, "sval"));
  }
  if (n.type == "FuncCall" && LastName(n.body, "funcname") == "like_escape") {
    const json& args = List(n.body, "args");
    return args.empty() ? std::string() : LikePattern(args[0]);
  }
  if (n.type == "A_Expr" && LastName(n.body, "name") == "||") {
    const json* left = Field(n.body, "lexpr");
    const std::string prefix = left == nullptr ? std::string() : LikePattern(*left);
    if (prefix.empty()) return {};
    return prefix.ends_with("...") ? prefix : prefix + "...";
  }
  return {};
}

// Walks one statement's parse tree into model.selects. Each SELECT gets a Scope: its FROM
// items (to resolve columns, also from SELECTs nested in it), the CTE names it can see, and
// which of its comma-separated FROM entries its conditions tie together (a union-find).
// Not reentrant; one Walker per statement.
class Walker {
 public:
  Walker(const SchemaInfo* schema, const RewrittenSql& sql, SqlModel& model)
      : schema_(schema), sql_(sql), model_(model) {}

  Status Walk(const json& stmt) {
    Node n = AsNode(&stmt);
    if (n.type == "SelectStmt") {
      model_.statement = "select";
      WalkSelect(*n.body, nullptr, 0);
    } else if (n.type == "InsertStmt") {
      model_.statement = "insert";
      if (const json* select = Field(n.body, "selectStmt")) WalkSelectNode(*select, nullptr, 0);
    } else if (n.type == "UpdateStmt" || n.type == "DeleteStmt") {
      model_.statement = n.type == "UpdateStmt" ? "update" : "delete";
      WalkModify(*n.body, n.type == "UpdateStmt");
    } else if (n.type == "ExplainStmt") {
      if (const json* query = Field(n.body, "query")) FB_RETURN_IF_ERROR(Walk(*query));
      model_.statement = "explain";
    } else {
      model_.statement = "other";
    }
    if (too_deep_) {
      return MakeError(ErrorCode::kInvalidArgument, "SQL nested more than {} levels deep",
                       kMaxSqlNesting);
    }
    return Ok();
  }

 private:
  // Counts recursion; past kMaxSqlNesting the walk stops and the statement is refused.
  class Guard {
   public:
    explicit Guard(Walker& walker) : walker_(walker) {
      if (++walker_.depth_ > kMaxSqlNesting) walker_.too_deep_ = true;
    }
    ~Guard() { --walker_.depth_; }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    bool ok() const { return !walker_.too_deep_; }

   private:
    Walker& walker_;
  };

  SelectShape& Shape(int index) { return model_.selects[static_cast<size_t>(index)]; }
  int Loc(int location) const { return sql_.Original(location); }

  SelectResult WalkSelectNode(const json& node, Scope* parent, int depth) {
    Node n = AsNode(&node);
    if (n.type != "SelectStmt") return {};  // data-modifying CTEs are not modelled
    return WalkSelect(*n.body, parent, depth);
  }

  SelectResult WalkSelect(const json& body, Scope* parent, int depth) {
    Guard guard(*this);
    if (!guard.ok()) return {};
    const std::string_view op = Text(&body, "op");
    if (!op.empty() && op != "SETOP_NONE") return WalkSetOperation(body, parent, depth);
    if (Field(&body, "valuesLists") != nullptr && Field(&body, "fromClause") == nullptr) return {};

    const int index = static_cast<int>(model_.selects.size());
    model_.selects.emplace_back().depth = depth;
    null_rejected_.emplace_back();
    Scope scope;
    scope.parent = parent;
    scope.targets = Field(&body, "targetList");
    WalkWith(Field(&body, "withClause"), scope, depth);

    const json& from = List(&body, "fromClause");
    for (size_t k = 0; k < from.size(); ++k)
      AddFromItem(from[k], scope, index, static_cast<int>(k));
    scope.links.resize(from.size());
    std::iota(scope.links.begin(), scope.links.end(), 0);

    if (scope.targets != nullptr) WalkTargets(*scope.targets, scope, index, depth);
    for (const json& entry : from) WalkFromEntry(entry, scope, index, depth);
    if (const json* where = Field(&body, "whereClause")) {
      Shape(index).has_where = true;
      WalkCondition(*where, scope, index, depth, Context{});
    }
    for (const json& group : List(&body, "groupClause")) {
      Shape(index).has_group_by = true;
      if (auto ref = OutputColumn(group, scope)) Shape(index).group_by.push_back(ref->use);
    }
    if (const json* having = Field(&body, "havingClause")) VisitSublinks(*having, scope, depth);
    for (const json& sort : List(&body, "sortClause")) {
      Shape(index).has_order_by = true;
      Node sort_by = AsNode(&sort);
      const json* term = Field(sort_by.body, "node");
      if (term == nullptr) continue;
      VisitSublinks(*term, scope, depth);
      if (auto ref = OutputColumn(*term, scope)) {
        Shape(index).order_by.push_back(
            {ref->use, Text(sort_by.body, "sortby_dir") == "SORTBY_DESC"});
      }
    }
    Shape(index).has_limit = HasLimit(body);
    Shape(index).distinct = Field(&body, "distinctClause") != nullptr;
    FindCrossJoins(from.size(), scope, index);
    return Finish(index, scope);
  }

  SelectResult WalkSetOperation(const json& body, Scope* parent, int depth) {
    Scope scope;
    scope.parent = parent;
    const size_t first = model_.selects.size();
    const json* with = Field(&body, "withClause");
    for (const json& cte : List(with, "ctes")) {
      scope.ctes.emplace_back(Text(AsNode(&cte).body, "ctename"));
    }
    SelectResult left;
    if (const json* larg = Field(&body, "larg")) left = WalkSelect(*larg, &scope, depth);
    if (const json* rarg = Field(&body, "rarg")) WalkSelect(*rarg, &scope, depth);
    const size_t arms_end = model_.selects.size();
    WalkWith(with, scope, depth);
    const bool limited = HasLimit(body);
    const bool ordered = !List(&body, "sortClause").empty();
    for (size_t i = first; i < arms_end; ++i) {
      SelectShape& arm = model_.selects[i];
      if (arm.depth != depth) continue;
      arm.has_limit = arm.has_limit || limited;
      arm.has_order_by = arm.has_order_by || ordered;
    }
    return left;
  }

  void WalkWith(const json* with, Scope& scope, int depth) {
    if (with == nullptr) return;
    const json& ctes = List(with, "ctes");
    for (const json& cte : ctes) scope.ctes.emplace_back(Text(AsNode(&cte).body, "ctename"));
    for (const json& cte : ctes) {
      if (const json* query = Field(AsNode(&cte).body, "ctequery")) {
        WalkSelectNode(*query, &scope, depth + 1);
      }
    }
  }

  void WalkModify(const json& body, bool update) {
    const int index = static_cast<int>(model_.selects.size());
    model_.selects.emplace_back();
    null_rejected_.emplace_back();
    Scope scope;
    WalkWith(Field(&body, "withClause"), scope, 0);
    std::vector<json> from;
    if (const json* relation = Field(&body, "relation"))
      from.push_back(json{{"RangeVar", *relation}});
    for (const json& entry : List(&body, update ? "fromClause" : "usingClause"))
      from.push_back(entry);
    for (size_t k = 0; k < from.size(); ++k)
      AddFromItem(from[k], scope, index, static_cast<int>(k));
    scope.links.resize(from.size());
    std::iota(scope.links.begin(), scope.links.end(), 0);
    if (update) {
      for (const json& target : List(&body, "targetList")) VisitSublinks(target, scope, 0);
    }
    for (const json& entry : from) WalkFromEntry(entry, scope, index, 0);
    if (const json* where = Field(&body, "whereClause")) {
      Shape(index).has_where = true;
      WalkCondition(*where, scope, index, 0, Context{});
    }
    FindCrossJoins(from.size(), scope, index);
  }

  bool CteVisible(const Scope* scope, std::string_view name) const {
    for (; scope != nullptr; scope = scope->parent) {
      if (std::find(scope->ctes.begin(), scope->ctes.end(), name) != scope->ctes.end()) return true;
    }
    return false;
  }

  void AddFromItem(const json& entry, Scope& scope, int shape, int component) {
    Guard guard(*this);
    if (!guard.ok()) return;
    Node n = AsNode(&entry);
    if (n.type == "RangeVar") {
      Item item;
      item.name = Lower(Text(n.body, "relname"));
      item.alias = Text(Field(n.body, "alias"), "aliasname");
      const bool is_cte = Text(n.body, "schemaname").empty() && CteVisible(&scope, item.name);
      if (!is_cte) item.base = item.name;
      if (!is_cte && schema_ != nullptr) item.info = schema_->FindTable(item.base);
      item.listed = true;
      item.component = component;
      items_by_node_[&entry] = static_cast<int>(scope.items.size());
      Shape(shape).tables.push_back({item.name, item.alias, is_cte, Loc(Int(n.body, "location"))});
      scope.items.push_back(std::move(item));
    } else if (n.type == "JoinExpr") {
      if (const json* left = Field(n.body, "larg")) AddFromItem(*left, scope, shape, component);
      if (const json* right = Field(n.body, "rarg")) AddFromItem(*right, scope, shape, component);
    } else if (n.type == "RangeSubselect" || n.type == "RangeFunction") {
      Item item;
      item.alias = Text(Field(n.body, "alias"), "aliasname");
      item.name = item.alias;
      item.component = component;
      items_by_node_[&entry] = static_cast<int>(scope.items.size());
      scope.items.push_back(std::move(item));
    }
  }

  // Subqueries in FROM, and the conditions of explicit joins.
  void WalkFromEntry(const json& entry, Scope& scope, int shape, int depth) {
    Guard guard(*this);
    if (!guard.ok()) return;
    Node n = AsNode(&entry);
    if (n.type == "JoinExpr") {
      const json* left = Field(n.body, "larg");
      const json* right = Field(n.body, "rarg");
      if (left != nullptr) WalkFromEntry(*left, scope, shape, depth);
      if (right != nullptr) WalkFromEntry(*right, scope, shape, depth);
      if (const json* quals = Field(n.body, "quals")) {
        WalkCondition(*quals, scope, shape, depth, Context{.explicit_join = true});
      }
      for (const json& name : List(n.body, "usingClause")) {
        if (left == nullptr || right == nullptr) break;
        const std::string column(StringNode(name));
        const int l = OwnerIn(*left, scope, column);
        const int r = OwnerIn(*right, scope, column);
        if (l < 0 || r < 0) continue;
        JoinEdge edge;
        edge.left = UseOf(scope.items[static_cast<size_t>(l)], column, Loc(MinLocation(name)));
        edge.right = UseOf(scope.items[static_cast<size_t>(r)], column, edge.left.location);
        Shape(shape).joins.push_back(std::move(edge));
      }
    } else if (n.type == "RangeSubselect") {
      if (const json* subquery = Field(n.body, "subquery"))
        WalkSelectNode(*subquery, &scope, depth + 1);
    } else if (n.type == "RangeFunction") {
      VisitSublinks(*n.body, scope, depth);
    }
  }

  static ColumnUse UseOf(const Item& item, const std::string& column, int location) {
    ColumnUse use;
    use.qualifier = item.alias.empty() ? item.name : item.alias;
    use.column = column;
    use.table = item.base;
    use.location = location;
    return use;
  }

  // The item under a join side that owns `column` for USING: the only one, or the one whose
  // catalog entry has it.
  int OwnerIn(const json& side, const Scope& scope, const std::string& column) const {
    std::vector<int> items;
    CollectItems(side, items);
    if (items.size() == 1) return items[0];
    if (schema_ == nullptr) return -1;
    for (int i : items) {
      const Item& item = scope.items[static_cast<size_t>(i)];
      const TableInfo* table = item.info;
      if (table != nullptr && table->FindColumn(column) != nullptr) return i;
    }
    return -1;
  }

  void CollectItems(const json& entry, std::vector<int>& items) const {
    if (auto it = items_by_node_.find(&entry); it != items_by_node_.end()) {
      items.push_back(it->second);
      return;
    }
    Node n = AsNode(&entry);
    if (n.type != "JoinExpr") return;
    if (const json* left = Field(n.body, "larg")) CollectItems(*left, items);
    if (const json* right = Field(n.body, "rarg")) CollectItems(*right, items);
  }

  void WalkTargets(const json& targets, Scope& scope, int shape, int depth) {
    for (const json& target : targets) {
      const json* value = Field(AsNode(&target).body, "val");
      if (value == nullptr) continue;
      Node n = AsNode(value);
      if (n.type == "ColumnRef") {
        const json& fields = List(n.body, "fields");
        if (!fields.empty() && AsNode(&fields.back()).type == "A_Star" &&
            !Shape(shape).select_star) {
          Shape(shape).select_star = true;
          Shape(shape).star_location = Loc(Int(n.body, "location"));
        }
      }
      if (HasAggregate(*value)) Shape(shape).has_aggregate = true;
      VisitSublinks(*value, scope, depth);
    }
  }

  bool HasAggregate(const json& value) {
    Guard guard(*this);
    if (!guard.ok()) return false;
    Node n = AsNode(&value);
    if (n.type == "SubLink") return false;
    if (n.type == "FuncCall" && Field(n.body, "over") == nullptr &&
        (Field(n.body, "agg_star") != nullptr ||
         IsAggregateName(Lower(LastName(n.body, "funcname"))))) {
      return true;
    }
    if (value.is_structured()) {
      for (const json& child : value) {
        if (child.is_structured() && HasAggregate(child)) return true;
      }
    }
    return false;
  }

  static bool HasLimit(const json& body) {
    Node count = AsNode(Field(&body, "limitCount"));
    if (!count) return false;
    return !(count.type == "A_Const" && Field(count.body, "isnull") != nullptr);
  }

  // Walks every subquery below `value` (not below a subquery: its own walk does that).
  void VisitSublinks(const json& value, Scope& scope, int depth) {
    Guard guard(*this);
    if (!guard.ok()) return;
    Node n = AsNode(&value);
    if (n.type == "SubLink") {
      if (const json* test = Field(n.body, "testexpr")) VisitSublinks(*test, scope, depth);
      if (const json* select = Field(n.body, "subselect")) {
        sublinks_[select] = WalkSelectNode(*select, &scope, depth + 1);
      }
      return;
    }
    if (!value.is_structured()) return;
    for (const json& child : value) {
      if (child.is_structured()) VisitSublinks(child, scope, depth);
    }
  }

  // --- column references ---

  std::optional<Ref> Resolve(const json& column_ref, Scope& scope) {
    const json* body = AsNode(&column_ref).body;
    const json& fields = List(body, "fields");
    if (fields.empty() || AsNode(&fields.back()).type != "String") return std::nullopt;
    Ref ref;
    ref.node = &column_ref;
    ref.use.column = std::string(StringNode(fields.back()));
    if (fields.size() >= 2) ref.use.qualifier = std::string(StringNode(fields[fields.size() - 2]));
    ref.use.location = Loc(Int(body, "location"));
    int level = 0;
    for (Scope* s = &scope; s != nullptr; s = s->parent, ++level) {
      if (!ref.use.qualifier.empty()) {
        for (size_t i = 0; i < s->items.size(); ++i) {
          const Item& item = s->items[i];
          const std::string& name = item.alias.empty() ? item.name : item.alias;
          if (Lower(name) == Lower(ref.use.qualifier)) {
            return Resolved(std::move(ref), level, static_cast<int>(i), item);
          }
        }
        continue;
      }
      if (s->items.empty()) continue;
      int owner = -1;
      bool undecided = false;
      if (schema_ != nullptr) {
        std::vector<int> having;
        bool unknown = false;
        for (size_t i = 0; i < s->items.size(); ++i) {
          const TableInfo* table = s->items[i].info;
          if (table == nullptr) {
            unknown = true;
          } else if (table->FindColumn(ref.use.column) != nullptr) {
            having.push_back(static_cast<int>(i));
          }
        }
        if (having.size() == 1) {
          owner = having[0];
        } else if (having.size() > 1 || unknown) {
          undecided = s->items.size() > 1 || !having.empty();
          if (!undecided) owner = 0;
        }
      } else if (s->items.size() == 1) {
        owner = 0;
      } else {
        undecided = true;
      }
      if (owner >= 0)
        return Resolved(std::move(ref), level, owner, s->items[static_cast<size_t>(owner)]);
      if (undecided) {
        ref.level = level;
        return ref;
      }
    }
    return ref;  // an unknown name: treated as coming from outside (level -1)
  }

  static Ref Resolved(Ref ref, int level, int item, const Item& info) {
    ref.level = level;
    ref.item = item;
    ref.use.table = info.base;
    return ref;
  }

  // Columns referenced below `value`, outside subqueries.
  void CollectRefs(const json& value, Scope& scope, std::vector<Ref>& refs) {
    Guard guard(*this);
    if (!guard.ok()) return;
    Node n = AsNode(&value);
    if (n.type == "SubLink") return;
    if (n.type == "ColumnRef") {
      if (auto ref = Resolve(value, scope)) refs.push_back(std::move(*ref));
      return;
    }
    if (!value.is_structured()) return;
    for (const json& child : value) {
      if (child.is_structured()) CollectRefs(child, scope, refs);
    }
  }

  std::vector<Ref> LocalRefs(const json* value, Scope& scope) {
    std::vector<Ref> refs;
    if (value != nullptr) CollectRefs(*value, scope, refs);
    std::erase_if(refs, [](const Ref& ref) { return ref.level != 0; });
    return Distinct(std::move(refs));
  }

  // Records which FROM entries a condition ties together, at every level it names.
  void RecordLinks(const json& condition, Scope& scope) {
    std::vector<Ref> refs;
    CollectRefs(condition, scope, refs);
    std::map<int, std::vector<int>> components_by_level;
    for (const Ref& ref : refs) {
      if (ref.level < 0) continue;
      Scope* s = &scope;
      for (int l = 0; l < ref.level && s != nullptr; ++l) s = s->parent;
      if (s == nullptr) continue;
      if (ref.item < 0) {
        if (s->items.size() > 1) s->uncertain_links = true;
        continue;
      }
      components_by_level[ref.level].push_back(s->items[static_cast<size_t>(ref.item)].component);
    }
    for (const auto& [level, components] : components_by_level) {
      Scope* s = &scope;
      for (int l = 0; l < level; ++l) s = s->parent;
      for (size_t i = 1; i < components.size(); ++i) {
        if (static_cast<size_t>(components[i]) < s->links.size() &&
            static_cast<size_t>(components[0]) < s->links.size()) {
          s->Link(components[0], components[i]);
        }
      }
    }
  }

  // A resolved ORDER BY / GROUP BY term: a column, an output name or an ordinal that stands
  // for a plain column.
  std::optional<Ref> OutputColumn(const json& term, Scope& scope) {
    Node n = AsNode(&term);
    const json* target_value = nullptr;
    if (n.type == "A_Const") {
      const int ordinal = Int(Field(n.body, "ival"), "ival", -1);
      if (scope.targets != nullptr && ordinal >= 1 &&
          static_cast<size_t>(ordinal) <= scope.targets->size()) {
        target_value =
            Field(AsNode(&(*scope.targets)[static_cast<size_t>(ordinal - 1)]).body, "val");
      }
    } else if (n.type == "ColumnRef") {
      const json& fields = List(n.body, "fields");
      if (fields.size() == 1 && scope.targets != nullptr) {
        for (const json& target : *scope.targets) {
          const json* body = AsNode(&target).body;
          if (Text(body, "name") == StringNode(fields[0])) {
            target_value = Field(body, "val");
            break;
          }
        }
      }
      if (target_value == nullptr) return Resolve(term, scope);
    }
    if (target_value == nullptr || AsNode(target_value).type != "ColumnRef") return std::nullopt;
    return Resolve(*target_value, scope);
  }

  // --- conditions ---

  void WalkCondition(const json& condition, Scope& scope, int shape, int depth, Context context) {
    const size_t pending_before = pending_not_in_.size();
    AnalyzeCondition(condition, scope, shape, context);
    VisitSublinks(condition, scope, depth);
    for (size_t i = pending_before; i < pending_not_in_.size(); ++i) {
      const auto& [at, not_in, select] = pending_not_in_[i];
      auto found = sublinks_.find(select);
      if (found == sublinks_.end() || !found->second.has_column) continue;
      NotInSubquery& entry = Shape(at).not_in_subqueries[not_in];
      entry.subquery_column = found->second.first_column;
      entry.null_filtered = found->second.null_filtered;
    }
    pending_not_in_.resize(pending_before);
  }

  void AnalyzeCondition(const json& condition, Scope& scope, int shape, Context context) {
    Guard guard(*this);
    if (!guard.ok()) return;
    Node n = AsNode(&condition);
    if (n.type == "BoolExpr") {
      const std::string_view op = Text(n.body, "boolop");
      const json& args = List(n.body, "args");
      if (op == "AND_EXPR") {
        for (const json& arg : args) AnalyzeCondition(arg, scope, shape, context);
      } else if (op == "OR_EXPR") {
        AnalyzeOr(condition, scope, shape, context);
      } else if (op == "NOT_EXPR" && args.size() == 1) {
        if (!AnalyzeNotIn(args[0], scope, shape, context)) {
          Context negated = context;
          negated.negated = !negated.negated;
          AnalyzeCondition(args[0], scope, shape, negated);
        }
      }
      return;
    }
    RecordLinks(condition, scope);
    if (n.type == "A_Expr") {
      AnalyzeComparison(*n.body, scope, shape, context);
    } else if (n.type == "NullTest") {
      const json* arg = Field(n.body, "arg");
      auto refs = LocalRefs(arg, scope);
      AddPredicates(*arg, refs, PredicateKind::kIsNull, nullptr, shape, context);
      if (Text(n.body, "nulltesttype") == "IS_NOT_NULL" && !context.under_or && !context.negated &&
          refs.size() == 1 && AsNode(arg).type == "ColumnRef") {
        null_rejected_[static_cast<size_t>(shape)].push_back(refs[0].use);
      }
    } else if (n.type == "SubLink") {
      const json* test = Field(n.body, "testexpr");
      if (Text(n.body, "subLinkType") != "ANY_SUBLINK" || test == nullptr) return;
      const std::string op = LastName(n.body, "operName");
      PredicateKind kind = (op.empty() || op == "=") ? PredicateKind::kIn : PredicateKind::kOther;
      if (context.negated && kind == PredicateKind::kIn) kind = PredicateKind::kNotEqual;
      AddPredicates(*test, LocalRefs(test, scope), kind, nullptr, shape, context);
    } else {
      AddPredicates(condition, LocalRefs(&condition, scope), PredicateKind::kOther, nullptr, shape,
                    context);
    }
  }

  void FlattenOr(const json& condition, std::vector<const json*>& terms) {
    Guard guard(*this);
    if (!guard.ok()) return;
    Node n = AsNode(&condition);
    if (n.type == "BoolExpr" && Text(n.body, "boolop") == "OR_EXPR") {
      for (const json& arg : List(n.body, "args")) FlattenOr(arg, terms);
    } else {
      terms.push_back(&condition);
    }
  }

  void AnalyzeOr(const json& condition, Scope& scope, int shape, Context context) {
    std::vector<const json*> terms;
    FlattenOr(condition, terms);
    OrChain chain;
    chain.terms = static_cast<int>(terms.size());
    chain.location = Loc(MinLocation(condition));
    Context inner = context;
    inner.under_or = true;
    bool all_single = true;
    for (const json* term : terms) {
      AnalyzeCondition(*term, scope, shape, inner);
      auto refs = LocalRefs(term, scope);
      if (refs.size() == 1) {
        chain.columns.push_back(refs[0].use);
      } else {
        all_single = false;
      }
    }
    chain.same_column =
        all_single && !chain.columns.empty() &&
        std::all_of(chain.columns.begin(), chain.columns.end(),
                    [&](const ColumnUse& c) { return SameColumn(c, chain.columns.front()); });
    if (chain.terms >= 2) Shape(shape).or_chains.push_back(std::move(chain));
  }

  // `col NOT IN (SELECT ...)`: true when `argument` (the NOT's operand) is that.
  bool AnalyzeNotIn(const json& argument, Scope& scope, int shape, Context context) {
    Node n = AsNode(&argument);
    if (n.type != "SubLink" || Text(n.body, "subLinkType") != "ANY_SUBLINK") return false;
    const std::string op = LastName(n.body, "operName");
    const json* test = Field(n.body, "testexpr");
    const json* select = Field(n.body, "subselect");
    if ((!op.empty() && op != "=") || test == nullptr || select == nullptr) return false;
    RecordLinks(argument, scope);
    auto refs = LocalRefs(test, scope);
    AddPredicates(*test, refs, PredicateKind::kNotEqual, nullptr, shape, context);
    if (refs.size() == 1 && AsNode(test).type == "ColumnRef") {
      NotInSubquery not_in;
      not_in.column = refs[0].use;
      not_in.location = Loc(MinLocation(argument));
      auto& list = Shape(shape).not_in_subqueries;
      pending_not_in_.push_back({shape, list.size(), select});
      list.push_back(std::move(not_in));
    }
    return true;
  }

  static PredicateKind ComparisonKind(std::string_view kind, std::string_view op) {
    if (kind == "AEXPR_OP") {
      if (op == "=") return PredicateKind::kEquality;
      if (op == "<" || op == "<=" || op == ">" || op == ">=") return PredicateKind::kRange;
      if (op == "<>" || op == "!=") return PredicateKind::kNotEqual;
      if (op == "~~" || op == "~~*") return PredicateKind::kLike;
      return PredicateKind::kOther;
    }
    if (kind == "AEXPR_OP_ANY") return op == "=" ? PredicateKind::kIn : PredicateKind::kOther;
    if (kind == "AEXPR_OP_ALL")
      return op == "<>" ? PredicateKind::kNotEqual : PredicateKind::kOther;
    if (kind == "AEXPR_DISTINCT") return PredicateKind::kNotEqual;
    if (kind == "AEXPR_NOT_DISTINCT") return PredicateKind::kEquality;
    if (kind == "AEXPR_IN") return op == "=" ? PredicateKind::kIn : PredicateKind::kNotEqual;
    if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
      return (op == "~~" || op == "~~*") ? PredicateKind::kLike : PredicateKind::kOther;
    }
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_BETWEEN_SYM") return PredicateKind::kRange;
    return PredicateKind::kOther;
  }

  static PredicateKind Negate(PredicateKind kind) {
    switch (kind) {
      case PredicateKind::kEquality:
        return PredicateKind::kNotEqual;
      case PredicateKind::kNotEqual:
        return PredicateKind::kEquality;
      case PredicateKind::kIn:
        return PredicateKind::kNotEqual;
      case PredicateKind::kLike:
        return PredicateKind::kOther;
      default:
        return kind;
    }
  }

  void AnalyzeComparison(const json& body, Scope& scope, int shape, Context context) {
    const std::string_view kind_name = Text(&body, "kind");
    const std::string op = LastName(&body, "name");
    PredicateKind kind = ComparisonKind(kind_name, op);
    if (context.negated) kind = Negate(kind);
    const json* left = Field(&body, "lexpr");
    const json* right = Field(&body, "rexpr");
    auto left_refs = LocalRefs(left, scope);
    auto right_refs = LocalRefs(right, scope);
    const bool mirrorable = kind_name == "AEXPR_OP" || kind_name == "AEXPR_DISTINCT" ||
                            kind_name == "AEXPR_NOT_DISTINCT";
    if (!left_refs.empty() && right_refs.empty()) {
      AddPredicates(*left, left_refs, kind, right, shape, context);
    } else if (left_refs.empty() && !right_refs.empty()) {
      if (!mirrorable || kind == PredicateKind::kLike) kind = PredicateKind::kOther;
      AddPredicates(*right, right_refs, kind, left, shape, context);
    } else if (!left_refs.empty()) {
      const bool one_each = left_refs.size() == 1 && right_refs.size() == 1;
      const bool two_tables = one_each && left_refs[0].item >= 0 && right_refs[0].item >= 0 &&
                              left_refs[0].item != right_refs[0].item;
      if (two_tables && kind == PredicateKind::kEquality && kind_name == "AEXPR_OP" &&
          AsNode(left).type == "ColumnRef" && AsNode(right).type == "ColumnRef") {
        Shape(shape).joins.push_back({left_refs[0].use, right_refs[0].use, context.explicit_join});
        return;
      }
      AddPredicates(*left, left_refs, PredicateKind::kOther, nullptr, shape, context);
      AddPredicates(*right, right_refs, PredicateKind::kOther, nullptr, shape, context);
    }
  }

  // One predicate on the column `operand` tests (wrapped when `operand` is an expression over
  // it); kOther for each column when it tests several.
  void AddPredicates(const json& operand, const std::vector<Ref>& refs, PredicateKind kind,
                     const json* value, int shape, Context context) {
    if (refs.empty()) return;
    const bool plain = AsNode(&operand).type == "ColumnRef";
    const int location = Loc(MinLocation(operand));
    if (refs.size() > 1) kind = PredicateKind::kOther;
    for (const Ref& ref : refs) {
      Predicate predicate;
      predicate.kind = kind;
      predicate.column = ref.use;
      predicate.wrapped = !plain;
      if (!plain) predicate.wrapper = Wrapper(operand);
      if (kind == PredicateKind::kLike && value != nullptr) {
        predicate.pattern = LikePattern(*value);
        predicate.leading_wildcard = !predicate.pattern.empty() &&
                                     (predicate.pattern[0] == '%' || predicate.pattern[0] == '_');
      }
      predicate.under_or = context.under_or;
      predicate.location = location;
      const bool rejects_null = kind != PredicateKind::kOther && kind != PredicateKind::kIsNull;
      if (rejects_null && !context.under_or && plain) {
        null_rejected_[static_cast<size_t>(shape)].push_back(ref.use);
      }
      Shape(shape).predicates.push_back(std::move(predicate));
    }
  }

  // --- results ---

  void FindCrossJoins(size_t entries, Scope& scope, int shape) {
    if (entries < 2 || scope.uncertain_links) return;
    std::vector<int> seen_roots;
    std::string previous;
    for (size_t k = 0; k < entries; ++k) {
      // The entry's first table or CTE; derived tables and functions are often single rows.
      const Item* named = nullptr;
      for (const Item& item : scope.items) {
        if (item.component == static_cast<int>(k) && item.listed) {
          named = &item;
          break;
        }
      }
      if (named == nullptr) continue;
      const int root = scope.Find(static_cast<int>(k));
      if (std::find(seen_roots.begin(), seen_roots.end(), root) == seen_roots.end()) {
        if (!seen_roots.empty()) Shape(shape).cross_joins.push_back({previous, named->name});
        seen_roots.push_back(root);
      }
      previous = named->name;
    }
  }

  SelectResult Finish(int index, Scope& scope) {
    SelectResult result;
    result.shape = index;
    if (scope.targets == nullptr || scope.targets->empty()) return result;
    const json* value = Field(AsNode(&scope.targets->front()).body, "val");
    if (value == nullptr || AsNode(value).type != "ColumnRef") return result;
    auto ref = Resolve(*value, scope);
    if (!ref) return result;
    result.has_column = true;
    result.first_column = ref->use;
    for (const ColumnUse& rejected : null_rejected_[static_cast<size_t>(index)]) {
      if (SameColumn(rejected, ref->use)) result.null_filtered = true;
    }
    return result;
  }

  struct PendingNotIn {
    int shape;
    size_t index;
    const json* select;
  };

  const SchemaInfo* schema_;
  const RewrittenSql& sql_;
  SqlModel& model_;
  int depth_ = 0;
  bool too_deep_ = false;
  std::vector<std::vector<ColumnUse>> null_rejected_;  // per shape
  std::map<const json*, int> items_by_node_;
  std::map<const json*, SelectResult> sublinks_;
  std::vector<PendingNotIn> pending_not_in_;
};

}  // namespace

Result<SqlModel> AnalyzeSql(std::string_view sql, const SchemaInfo* schema) {
  if (sql.size() > kMaxAnalyzedSqlBytes) {
    return MakeError(ErrorCode::kPayloadTooLarge, "SQL is {} bytes; at most {} are analyzed",
                     sql.size(), kMaxAnalyzedSqlBytes);
  }
  if (sql.find('\0') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "SQL contains a NUL byte");
  }
  if (!IsValidUtf8(sql)) return MakeError(ErrorCode::kInvalidArgument, "SQL is not valid UTF-8");
  const RewrittenSql rewritten(sql);
  std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> parsed(
      new PgQueryParseResult(pg_query_parse(rewritten.text().c_str())),
      [](PgQueryParseResult* result) {
        pg_query_free_parse_result(*result);
        delete result;
      });
  if (parsed->error != nullptr) {
    const int offset = rewritten.Original(parsed->error->cursorpos - 1);
    return MakeError(ErrorCode::kSyntax, "{} (at offset {})",
                     parsed->error->message != nullptr ? parsed->error->message : "syntax error",
                     offset);
  }
  const std::string_view tree = parsed->parse_tree != nullptr ? parsed->parse_tree : "";
  if (JsonNestingDepth(tree) > kMaxJsonNesting) {
    return MakeError(ErrorCode::kInvalidArgument, "SQL nested more than {} levels deep",
                     kMaxSqlNesting);
  }
  json root = json::parse(tree.begin(), tree.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return MakeError(ErrorCode::kInternal, "libpg_query returned a parse tree that is not JSON");
  }
  const json& stmts = List(&root, "stmts");
  if (stmts.empty()) return MakeError(ErrorCode::kInvalidArgument, "no SQL statement to analyze");
  if (stmts.size() > 1) {
    return MakeError(ErrorCode::kInvalidArgument, "{} statements; analyze one at a time",
                     stmts.size());
  }
  const json* stmt = Field(&stmts[0], "stmt");
  if (stmt == nullptr) return MakeError(ErrorCode::kInvalidArgument, "no SQL statement to analyze");
  SqlModel model;
  Walker walker(schema, rewritten, model);
  FB_RETURN_IF_ERROR(walker.Walk(*stmt));
  return model;
}

}  // namespace fastbreak::query
