#include "query/lint.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "query/sql_model.hpp"

namespace fastbreak::query {
namespace {

constexpr size_t kMaxFindings = 100;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return lower;
}

// Length of the well-formed UTF-8 sequence at text[i], or 0 when the byte starts none.
size_t Utf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    low = c == 0xE0 ? 0xA0 : 0x80;
    high = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    low = c == 0xF0 ? 0x90 : 0x80;
    high = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// `text` with each byte that is not part of well-formed UTF-8 replaced by '?': offsets stay
// the same, and every finding's text can be written as JSON.
std::string ValidUtf8(std::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size();) {
    const size_t length = Utf8Length(out, i);
    if (length == 0) {
      out[i++] = '?';
    } else {
      i += length;
    }
  }
  return out;
}

// 1204330 -> "1,204,330".
std::string Thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string RowsText(const TableInfo& table) {
  return "~" + Thousands(table.rows) + " rows (" + table.rows_source + ")";
}

// "players.full_name", or the qualifier as written when the table is unknown.
std::string ColumnName(const ColumnUse& use) {
  if (!use.table.empty()) return use.table + "." + use.column;
  return use.qualifier.empty() ? use.column : use.qualifier + "." + use.column;
}

bool IsIdentifier(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// How a wrapped column reads: lower(players.full_name), CAST(games.season AS ...),
// players.team_id + ...
std::string WrappedText(const Predicate& predicate) {
  const std::string column = ColumnName(predicate.column);
  if (predicate.wrapper == "cast") return "CAST(" + column + " AS ...)";
  if (IsIdentifier(predicate.wrapper)) return predicate.wrapper + "(" + column + ")";
  return column + " " + predicate.wrapper + " ...";
}

Finding Make(std::string rule, Severity severity, std::string message, std::string evidence,
             std::string suggestion, std::string table, int location) {
  Finding finding;
  finding.rule = std::move(rule);
  finding.severity = severity;
  finding.message = std::move(message);
  finding.evidence = std::move(evidence);
  finding.suggestion = std::move(suggestion);
  finding.table = std::move(table);
  finding.location = location;
  return finding;
}

// A base table of the schema with a known row count of at least `threshold`.
const TableInfo* LargeTable(const SchemaInfo* schema, const TableUse& use, int64_t threshold) {
  if (schema == nullptr || use.is_cte) return nullptr;
  const TableInfo* table = schema->FindTable(use.name);
  if (table == nullptr || table->is_view || table->rows < threshold) return nullptr;
  return table;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// --- rules over the parsed statement ---

class Linter {
 public:
  Linter(std::string_view sql, const SqlModel& model, const SchemaInfo* schema,
         const LintOptions& options)
      : sql_(sql), model_(model), schema_(schema), options_(options) {}

  std::vector<Finding> Run() {
    SelectStar();
    for (const SelectShape& shape : model_.selects) {
      MissingWhere(shape);
      for (const Predicate& predicate : shape.predicates) {
        LeadingWildcard(predicate);
        FunctionOnIndexedColumn(predicate);
      }
      for (const CrossJoin& cross : shape.cross_joins) ImplicitCrossJoin(shape, cross);
      for (const OrChain& chain : shape.or_chains) OrChainRule(chain);
      OrderByWithoutLimit(shape);
      for (const NotInSubquery& not_in : shape.not_in_subqueries) NotInNullable(not_in);
    }
    return std::move(findings_);
  }

 private:
  void SelectStar() {
    std::vector<std::string> names;
    std::vector<std::string> described;  // "players (12 columns)" when the schema knows it
    int location = -1;
    for (const SelectShape& shape : model_.selects) {
      if (shape.depth != 0 || !shape.select_star) continue;
      if (location < 0) location = shape.star_location;
      const std::string qualifier = StarQualifier(shape.star_location);
      for (const TableUse& use : shape.tables) {
        if (!qualifier.empty() && qualifier != Lower(use.alias.empty() ? use.name : use.alias)) {
          continue;
        }
        if (std::find(names.begin(), names.end(), use.name) != names.end()) continue;
        names.push_back(use.name);
        const TableInfo* table = schema_ == nullptr ? nullptr : schema_->FindTable(use.name);
        described.push_back(table == nullptr || table->columns.empty()
                                ? use.name
                                : use.name + " (" + std::to_string(table->columns.size()) +
                                      " columns)");
      }
    }
    if (location < 0) return;
    findings_.push_back(
        Make("select_star", Severity::kInfo,
             "SELECT * returns every column of " + (names.empty() ? "its FROM" : JoinNames(names)),
             "* in the select list over " +
                 (described.empty() ? "a derived table" : JoinNames(described)),
             "name the columns the caller needs: fewer bytes to read and send, and the result does "
             "not change shape when a column is added",
             names.empty() ? "" : names.front(), location));
  }

  // `t` of a `t.*` written at `location` (lowercased, quotes removed); empty for a bare `*`.
  std::string StarQualifier(int location) const {
    if (location < 0 || static_cast<size_t>(location) >= sql_.size() || sql_[location] == '*') {
      return {};
    }
    const size_t star = sql_.find(".*", static_cast<size_t>(location));
    if (star == std::string_view::npos) return {};
    std::string_view qualifier = sql_.substr(location, star - location);
    if (const size_t dot = qualifier.rfind('.'); dot != std::string_view::npos) {
      qualifier.remove_prefix(dot + 1);  // schema.table.*
    }
    if (qualifier.size() >= 2 && qualifier.front() == '"' && qualifier.back() == '"') {
      qualifier = qualifier.substr(1, qualifier.size() - 2);
    }
    return Lower(qualifier);
  }

  void MissingWhere(const SelectShape& shape) {
    if (shape.has_where || shape.has_limit) return;
    for (const TableUse& use : shape.tables) {
      const TableInfo* table = LargeTable(schema_, use, options_.large_table_rows);
      if (table == nullptr || Reported("missing_where", use.name)) continue;
      std::string action = "reads every row of " + use.name;
      std::string verb = "reads";
      if (shape.depth == 0 && model_.statement == "update") {
        action = "UPDATE changes every row of " + use.name;
        verb = "updates";
      } else if (shape.depth == 0 && model_.statement == "delete") {
        action = "DELETE removes every row of " + use.name;
        verb = "deletes from";
      }
      findings_.push_back(Make("missing_where", Severity::kWarning, "the statement " + action,
                               use.name + " has " + RowsText(*table) + " and the query " + verb +
                                   " it without WHERE or LIMIT",
                               "add a WHERE on an indexed column, or a LIMIT when a sample is "
                               "enough",
                               use.name, use.location));
    }
  }

  void LeadingWildcard(const Predicate& predicate) {
    if (predicate.kind != PredicateKind::kLike || !predicate.leading_wildcard) return;
    const std::string column = ColumnName(predicate.column);
    findings_.push_back(Make(
        "leading_wildcard_like", Severity::kWarning,
        "LIKE '" + predicate.pattern + "' on " + column +
            " starts with a wildcard, so no index on it can narrow the search",
        "the pattern '" + predicate.pattern + "' begins with '" + predicate.pattern.substr(0, 1) +
            "': every row of " +
            (predicate.column.table.empty() ? std::string("the table") : predicate.column.table) +
            " is tested",
        "anchor the pattern at the start ('abc%'), or use full-text search (SQLite FTS5, "
        "PostgreSQL pg_trgm with a GIN index) for substring matches",
        predicate.column.table, predicate.location));
  }

  void FunctionOnIndexedColumn(const Predicate& predicate) {
    if (schema_ == nullptr || !predicate.wrapped || predicate.column.table.empty()) return;
    if (predicate.kind == PredicateKind::kOther || predicate.kind == PredicateKind::kIsNull) return;
    const std::string& table = predicate.column.table;
    const std::string column = Lower(predicate.column.column);
    const IndexInfo* leading = nullptr;
    for (const IndexInfo* index : schema_->IndexesOf(table)) {
      if (index->columns.empty()) continue;
      if (Lower(index->columns.front()) == column && leading == nullptr) leading = index;
      // An expression index over this very expression serves the condition already.
      const std::string definition = Lower(index->definition);
      if (index->columns.front() == "<expr>" &&
          definition.find(predicate.wrapper + "(" + column) != std::string::npos) {
        return;
      }
    }
    if (leading == nullptr) return;
    const std::string expression = WrappedText(predicate);
    if (Reported("function_on_indexed_column", table + "." + expression)) return;
    findings_.push_back(
        Make("function_on_indexed_column", Severity::kWarning,
             expression + " hides " + predicate.column.column +
                 " from its index: the condition is evaluated row by row",
             expression + ": index " + leading->name + " leads with " + leading->columns.front(),
             "rewrite the condition so " + predicate.column.column +
                 " stands alone (move the function, cast or arithmetic to the other side), or "
                 "index the expression itself",
             table, predicate.location));
  }

  void ImplicitCrossJoin(const SelectShape& shape, const CrossJoin& cross) {
    int location = -1;
    for (const TableUse& use : shape.tables) {
      if (use.name == cross.right && location < 0) location = use.location;
    }
    std::string evidence =
        "FROM " + cross.left + ", " + cross.right + " with no condition between them";
    const TableInfo* left = schema_ == nullptr ? nullptr : schema_->FindTable(cross.left);
    const TableInfo* right = schema_ == nullptr ? nullptr : schema_->FindTable(cross.right);
    if (left != nullptr && right != nullptr && left->rows >= 0 && right->rows >= 0) {
      evidence += ": ~" + Thousands(left->rows) + " x ~" + Thousands(right->rows) + " = ~" +
                  Thousands(left->rows * right->rows) + " row pairs";
    }
    findings_.push_back(
        Make("implicit_cross_join", Severity::kWarning,
             cross.left + " and " + cross.right +
                 " are listed with a comma and no condition joins them: every row of one is paired "
                 "with every row of the other",
             std::move(evidence),
             "add the join condition (JOIN " + cross.right +
                 " ON ...), or write CROSS JOIN if every pairing is wanted",
             cross.right, location));
  }

  void OrChainRule(const OrChain& chain) {
    if (chain.terms < options_.or_chain_terms || chain.same_column) return;
    std::vector<std::string> columns;
    std::vector<std::string> tables;
    for (const ColumnUse& use : chain.columns) {
      if (std::find(columns.begin(), columns.end(), use.column) == columns.end()) {
        columns.push_back(use.column);
      }
      if (std::find(tables.begin(), tables.end(), use.table) == tables.end()) {
        tables.push_back(use.table);
      }
    }
    if (columns.size() < 2) return;
    findings_.push_back(Make(
        "or_chain", Severity::kWarning,
        "an OR of " + std::to_string(chain.terms) +
            " terms over different columns: no single index serves it, so the engine often "
            "scans the whole table",
        std::to_string(chain.terms) + " OR terms over " + std::to_string(columns.size()) +
            " columns (" + JoinNames(columns) + ")",
        "split it into a UNION of one SELECT per term (each using its own index), or make sure "
        "every column has an index the engine can combine",
        tables.size() == 1 ? tables.front() : "", chain.location));
  }

  void OrderByWithoutLimit(const SelectShape& shape) {
    if (!shape.has_order_by || shape.has_limit || shape.has_aggregate || shape.has_group_by) {
      return;
    }
    // An equality on any table usually narrows the result to a few rows: sorting is cheap.
    for (const Predicate& predicate : shape.predicates) {
      const bool narrows =
          predicate.kind == PredicateKind::kEquality || predicate.kind == PredicateKind::kIn;
      if (narrows && !predicate.under_or && !predicate.wrapped) return;
    }
    const TableInfo* largest = nullptr;
    const TableUse* largest_use = nullptr;
    for (const TableUse& use : shape.tables) {
      const TableInfo* table = LargeTable(schema_, use, options_.large_table_rows);
      if (table != nullptr && (largest == nullptr || table->rows > largest->rows)) {
        largest = table;
        largest_use = &use;
      }
    }
    if (largest == nullptr) return;
    const int location =
        shape.order_by.empty() ? largest_use->location : shape.order_by.front().column.location;
    findings_.push_back(
        Make("order_by_without_limit", Severity::kWarning,
             "ORDER BY sorts every matching row of " + largest_use->name +
                 " and returns them all: there is no LIMIT",
             largest_use->name + " has " + RowsText(*largest) +
                 "; no LIMIT, no aggregate or GROUP BY, and no equality condition narrows it",
             "add a LIMIT (a page of results), or drop the ORDER BY when the caller does not need "
             "the order; an index on the ORDER BY columns lets the engine read rows in order",
             largest_use->name, location));
  }

  void NotInNullable(const NotInSubquery& not_in) {
    if (schema_ == nullptr || not_in.null_filtered) return;
    const ColumnUse& sub = not_in.subquery_column;
    if (sub.table.empty()) return;
    const TableInfo* table = schema_->FindTable(sub.table);
    const ColumnInfo* column = table == nullptr ? nullptr : table->FindColumn(sub.column);
    if (column == nullptr || column->not_null || column->primary_key) return;
    const std::string name = sub.table + "." + sub.column;
    findings_.push_back(
        Make("not_in_nullable_subquery", Severity::kWarning,
             ColumnName(not_in.column) + " NOT IN (SELECT " + name +
                 " ...) matches no row at all as soon as the subquery returns a NULL",
             name + " is nullable: one NULL in the subquery makes NOT IN match no row",
             "use NOT EXISTS (SELECT 1 FROM " + sub.table + " WHERE " + name + " = " +
                 ColumnName(not_in.column) + "), or add WHERE " + sub.column +
                 " IS NOT NULL to the subquery",
             sub.table, not_in.location));
  }

  // True when `rule` was already reported for `key`; records it otherwise.
  bool Reported(const std::string& rule, const std::string& key) {
    std::pair<std::string, std::string> entry{rule, key};
    if (std::find(reported_.begin(), reported_.end(), entry) != reported_.end()) return true;
    reported_.push_back(std::move(entry));
    return false;
  }

  std::string_view sql_;
  const SqlModel& model_;
  const SchemaInfo* schema_;
  const LintOptions& options_;
  std::vector<Finding> findings_;
  std::vector<std::pair<std::string, std::string>> reported_;
};

// --- token-level rules, for SQL the parser does not accept ---

struct Token {
  enum Kind { kWord, kString, kSymbol, kOther } kind = kOther;
  std::string text;  // words lowercased; strings without their quotes
  int location = 0;
};

std::vector<Token> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  const auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || static_cast<unsigned char>(c) >= 0x80;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    Token token;
    token.location = static_cast<int>(i);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++i;
      continue;
    }
    if (c == '-' && next == '-') {
      i = std::min(sql.find('\n', i), sql.size());
      continue;
    }
    if (c == '/' && next == '*') {
      const size_t close = sql.find("*/", i + 2);
      i = close == std::string_view::npos ? sql.size() : close + 2;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      const char close = c == '[' ? ']' : c;
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == close) {
          if (close != ']' && j + 1 < sql.size() && sql[j + 1] == close) {
            token.text += close;
            j += 2;
            continue;
          }
          break;
        }
        token.text += sql[j++];
      }
      token.kind = c == '\'' ? Token::kString : Token::kWord;
      i = std::min(j + 1, sql.size());
    } else if (word_char(c)) {
      size_t j = i;
      while (j < sql.size() && word_char(sql[j])) ++j;
      token.kind = Token::kWord;
      token.text = Lower(sql.substr(i, j - i));
      i = j;
    } else {
      token.kind = Token::kSymbol;
      token.text = std::string(1, c);
      ++i;
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

void TokenFindings(std::string_view sql, std::vector<Finding>& findings) {
  const std::vector<Token> tokens = Tokenize(sql);
  bool star_reported = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    const Token* before = i >= 1 ? &tokens[i - 1] : nullptr;
    if (token.kind == Token::kSymbol && token.text == "*" && !star_reported && before != nullptr) {
      const bool after_select =
          before->kind == Token::kWord &&
          (before->text == "select" || ((before->text == "distinct" || before->text == "all") &&
                                        i >= 2 && tokens[i - 2].text == "select"));
      const bool qualified = before->kind == Token::kSymbol && before->text == "." && i >= 2 &&
                             tokens[i - 2].kind == Token::kWord;
      if (after_select || qualified) {
        star_reported = true;
        findings.push_back(Make("select_star", Severity::kInfo, "SELECT * returns every column",
                                "* in the select list at offset " + std::to_string(token.location),
                                "name the columns the caller needs: fewer bytes to read and "
                                "send, and the result does not change shape when a column is "
                                "added",
                                "", token.location));
      }
    }
    const bool like = token.kind == Token::kWord &&
                      (token.text == "like" || token.text == "ilike" || token.text == "glob");
    if (!like || i + 1 >= tokens.size() || tokens[i + 1].kind != Token::kString) continue;
    if (before != nullptr && before->kind == Token::kWord && before->text == "not") continue;
    const std::string& pattern = tokens[i + 1].text;
    const bool glob = token.text == "glob";
    const bool leading = !pattern.empty() && (glob ? (pattern[0] == '*' || pattern[0] == '?')
                                                   : (pattern[0] == '%' || pattern[0] == '_'));
    if (!leading) continue;
    const std::string keyword = glob ? "GLOB" : token.text == "ilike" ? "ILIKE" : "LIKE";
    const bool named = before != nullptr && before->kind == Token::kWord;
    findings.push_back(
        Make("leading_wildcard_like", Severity::kWarning,
             keyword + " '" + pattern + "'" + (named ? " on " + before->text : std::string()) +
                 " starts with a wildcard, so no index on it can narrow the search",
             "the pattern '" + pattern + "' begins with '" + pattern.substr(0, 1) +
                 "': every row is tested",
             "anchor the pattern at the start ('abc%'), or use full-text search (SQLite FTS5, "
             "PostgreSQL pg_trgm with a GIN index) for substring matches",
             "", named ? before->location : token.location));
  }
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kInfo ? "info" : "warning";
}

std::vector<Finding> LintSql(std::string_view raw_sql, const SchemaInfo* schema,
                             const LintOptions& options) {
  // Longer SQL is refused by AnalyzeSql (without being read); its tokens are checked over the
  // first kMaxAnalyzedSqlBytes.
  const std::string valid = ValidUtf8(raw_sql.substr(0, kMaxAnalyzedSqlBytes));
  const std::string_view sql = valid;
  std::vector<Finding> findings;
  auto model = AnalyzeSql(raw_sql.size() > kMaxAnalyzedSqlBytes ? raw_sql : sql, schema);
  Finding not_parsed;
  if (model) {
    findings = Linter(sql, *model, schema, options).Run();
  } else {
    TokenFindings(sql, findings);
    not_parsed = Make("not_parsed", Severity::kInfo,
                      "the statement could not be parsed, so only token-level checks ran",
                      model.error().message,
                      "SQLite-only syntax (GLOB, INSERT OR REPLACE, backquoted names, IS with a "
                      "value...) is outside what the analyzer parses; the query may still be "
                      "valid for its engine",
                      "", -1);
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    const auto key = [](int location) {
      return location < 0 ? std::numeric_limits<int>::max() : location;
    };
    return key(a.location) < key(b.location);
  });
  if (!not_parsed.rule.empty()) findings.insert(findings.begin(), std::move(not_parsed));
  if (findings.size() > kMaxFindings) findings.resize(kMaxFindings);
  return findings;
}

nlohmann::json ToJson(const Finding& finding) {
  nlohmann::json out = {{"rule", finding.rule},
                        {"severity", SeverityName(finding.severity)},
                        {"message", finding.message},
                        {"evidence", finding.evidence},
                        {"suggestion", finding.suggestion}};
  if (!finding.table.empty()) out["table"] = finding.table;
  if (finding.location >= 0) out["location"] = finding.location;
  return out;
}

}  // namespace fastbreak::query
