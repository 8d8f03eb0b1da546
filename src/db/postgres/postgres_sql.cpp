#include "db/postgres/postgres_sql.hpp"

#include <strings.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "db/postgres/postgres_database.hpp"

namespace fastbreak::db {
namespace detail {
namespace {

// Functions refused to untrusted SQL by name (compared without case, schema ignored): they
// read files, touch other sessions or the server's configuration, sleep, take advisory locks,
// advance sequences or transaction ids, or run SQL text of their own (which this check could
// not see).
constexpr std::array<std::string_view, 27> kRefusedFunctions = {"pg_read_file",
                                                                "pg_read_binary_file",
                                                                "pg_ls_dir",
                                                                "pg_stat_file",
                                                                "lo_import",
                                                                "lo_export",
                                                                "pg_terminate_backend",
                                                                "pg_cancel_backend",
                                                                "pg_reload_conf",
                                                                "pg_rotate_logfile",
                                                                "set_config",
                                                                "txid_current",
                                                                "pg_current_xact_id",
                                                                "nextval",
                                                                "setval",
                                                                "pg_notify",
                                                                "pg_current_logfile",
                                                                "query_to_xml",
                                                                "query_to_xmlschema",
                                                                "query_to_xml_and_xmlschema",
                                                                "cursor_to_xml",
                                                                "cursor_to_xmlschema",
                                                                "ts_stat",
                                                                "pg_switch_wal",
                                                                "pg_promote",
                                                                "pg_create_restore_point",
                                                                "pg_log_backend_memory_contexts"};
// ... and every function whose name starts with one of these.
constexpr std::array<std::string_view, 14> kRefusedPrefixes = {
    "dblink",         "pg_sleep",
    "pg_advisory",    "pg_try_advisory",
    "pg_ls_",         "pg_file_",
    "pg_stat_reset",  "pg_replication_origin",
    "pg_create_",     "pg_drop_replication_slot",
    "pg_logical_",    "pg_backup_",
    "pg_wal_replay_", "pg_import_"};

constexpr std::string_view kReadOnlyNote =
    "the database is read-only to this SQL; only queries (SELECT, WITH, VALUES, TABLE, "
    "EXPLAIN) may run";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Letters, digits, '_', '$' and every byte of a multi-byte UTF-8 character.
bool IsIdentChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

bool IsTagStart(char c) { return IsIdentChar(c) && c != '$' && !(c >= '0' && c <= '9'); }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsNoCase(text.substr(0, prefix.size()), prefix);
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// The end of a comment starting at `i` ("--" or "/*", nested as PostgreSQL nests them), or i.
size_t SkipComment(std::string_view sql, size_t i) {
  if (sql.substr(i, 2) == "--") {
    const size_t end = sql.find('\n', i);
    return end == std::string_view::npos ? sql.size() : end + 1;
  }
  if (sql.substr(i, 2) != "/*") return i;
  int depth = 0;
  while (i < sql.size()) {
    if (sql.substr(i, 2) == "/*") {
      ++depth;
      i += 2;
    } else if (sql.substr(i, 2) == "*/") {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// The end of a quoted run starting at `i` (the opening quote `quote`), where a doubled quote
// stands for itself and, when `backslashes`, a backslash escapes the next byte.
size_t SkipQuoted(std::string_view sql, size_t i, char quote, bool backslashes) {
  ++i;
  while (i < sql.size()) {
    const char c = sql[i];
    if (backslashes && c == '\\') {
      i += 2;
    } else if (c == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return sql.size();
}

// The end of a dollar-quoted string starting at `i` ($$...$$ or $tag$...$tag$), or i when
// no dollar quote starts there ($1 is a parameter, not a quote).
size_t SkipDollarQuoted(std::string_view sql, size_t i) {
  size_t j = i + 1;
  if (j < sql.size() && IsTagStart(sql[j])) {
    while (j < sql.size() && IsIdentChar(sql[j]) && sql[j] != '$') ++j;
  }
  if (j >= sql.size() || sql[j] != '$') return i;
  const std::string_view tag = sql.substr(i, j - i + 1);
  const size_t close = sql.find(tag, j + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

enum class TokenKind { kEnd, kWord, kQuotedIdent, kUnicodeIdent, kString, kSymbol };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t begin = 0;
  size_t end = 0;
};

// Splits SQL into words, quoted identifiers, literals and single-character symbols; the
// whitespace and comments between tokens are skipped (callers copy them from the gaps).
class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  Token Next() {
    size_t i = pos_;
    while (i < sql_.size()) {
      if (IsSpace(sql_[i])) {
        ++i;
      } else if (const size_t end = SkipComment(sql_, i); end != i) {
        i = end;
      } else {
        break;
      }
    }
    Token token{TokenKind::kEnd, i, i};
    if (i >= sql_.size()) return Finish(token);
    const char c = sql_[i];
    if (IsIdentChar(c) && c != '$') {
      size_t j = i;
      while (j < sql_.size() && IsIdentChar(sql_[j])) ++j;
      const char next = j < sql_.size() ? sql_[j] : '\0';
      if (j == i + 1 && (c == 'E' || c == 'e') && next == '\'') {
        token.kind = TokenKind::kString;
        token.end = SkipQuoted(sql_, j, '\'', true);
      } else if (j == i + 1 && (c == 'U' || c == 'u') && next == '&' && j + 1 < sql_.size() &&
                 (sql_[j + 1] == '\'' || sql_[j + 1] == '"')) {
        const char quote = sql_[j + 1];
        token.kind = quote == '"' ? TokenKind::kUnicodeIdent : TokenKind::kString;
        token.end = SkipQuoted(sql_, j + 1, quote, false);
      } else {
        token.kind = TokenKind::kWord;
        token.end = j;
      }
    } else if (c == '\'') {
      token.kind = TokenKind::kString;
      token.end = SkipQuoted(sql_, i, '\'', false);
    } else if (c == '"') {
      token.kind = TokenKind::kQuotedIdent;
      token.end = SkipQuoted(sql_, i, '"', false);
    } else if (const size_t end = c == '$' ? SkipDollarQuoted(sql_, i) : i; end != i) {
      token.kind = TokenKind::kString;
      token.end = end;
    } else {
      token.kind = TokenKind::kSymbol;
      token.end = i + 1;
    }
    return Finish(token);
  }

  std::string_view Text(const Token& token) const {
    return sql_.substr(token.begin, token.end - token.begin);
  }

 private:
  Token Finish(Token token) {
    pos_ = token.end;
    return token;
  }

  std::string_view sql_;
  size_t pos_ = 0;
};

bool IsSymbol(const Lexer& lexer, const Token& token, char symbol) {
  return token.kind == TokenKind::kSymbol && lexer.Text(token)[0] == symbol;
}

// The name a word or quoted identifier token stands for (quotes removed, "" undoubled).
std::string Name(const Lexer& lexer, const Token& token) {
  std::string_view text = lexer.Text(token);
  if (token.kind != TokenKind::kQuotedIdent) return std::string(text);
  text = text.substr(1, text.size() >= 2 ? text.size() - 2 : 0);
  std::string name;
  for (size_t i = 0; i < text.size(); ++i) {
    name += text[i];
    if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') ++i;
  }
  return name;
}

bool IsRefusedFunction(std::string_view name) {
  return std::any_of(kRefusedFunctions.begin(), kRefusedFunctions.end(),
                     [&](std::string_view f) { return EqualsNoCase(f, name); }) ||
         std::any_of(kRefusedPrefixes.begin(), kRefusedPrefixes.end(),
                     [&](std::string_view p) { return StartsWithNoCase(name, p); });
}

bool IsQueryKeyword(std::string_view word) {
  return EqualsNoCase(word, "select") || EqualsNoCase(word, "with") ||
         EqualsNoCase(word, "values") || EqualsNoCase(word, "table");
}

tl::unexpected<Error> Refuse(std::string_view what) {
  return MakeError(ErrorCode::kPermissionDenied, "{} is not allowed: {}", what, kReadOnlyNote);
}

// The first token that is not an opening parenthesis ("(SELECT 1)" is a query).
Token SkipParens(Lexer& lexer, Token token) {
  while (IsSymbol(lexer, token, '(')) token = lexer.Next();
  return token;
}

// Checks the statement's leading keyword(s): a query, or EXPLAIN [options] of a query.
Status CheckLeadingKeyword(std::string_view statement) {
  Lexer lexer(statement);
  Token token = SkipParens(lexer, lexer.Next());
  const std::string_view first = lexer.Text(token);
  if (token.kind != TokenKind::kWord) return Refuse(fmt::format("'{}'", first.substr(0, 30)));
  if (IsQueryKeyword(first)) return Ok();
  if (!EqualsNoCase(first, "explain")) return Refuse(Upper(first));
  token = lexer.Next();
  while (true) {  // EXPLAIN (ANALYZE, FORMAT JSON) / EXPLAIN ANALYZE VERBOSE
    if (IsSymbol(lexer, token, '(')) {
      int depth = 1;
      while (depth > 0 && token.kind != TokenKind::kEnd) {
        token = lexer.Next();
        if (IsSymbol(lexer, token, '(')) ++depth;
        if (IsSymbol(lexer, token, ')')) --depth;
      }
      token = lexer.Next();
    } else if (token.kind == TokenKind::kWord && (EqualsNoCase(lexer.Text(token), "analyze") ||
                                                  EqualsNoCase(lexer.Text(token), "analyse") ||
                                                  EqualsNoCase(lexer.Text(token), "verbose"))) {
      token = lexer.Next();
    } else {
      break;
    }
  }
  token = SkipParens(lexer, token);
  if (token.kind == TokenKind::kWord && IsQueryKeyword(lexer.Text(token))) return Ok();
  return Refuse(fmt::format("EXPLAIN {}", Upper(lexer.Text(token).substr(0, 30))));
}

// Refuses calls of the functions above: a name followed by '('.
Status CheckFunctionCalls(std::string_view statement) {
  Lexer lexer(statement);
  Token previous = lexer.Next();
  while (previous.kind != TokenKind::kEnd) {
    const Token token = lexer.Next();
    if (IsSymbol(lexer, token, '(')) {
      if (previous.kind == TokenKind::kUnicodeIdent) {
        return Refuse("calling a function named with Unicode escapes (U&\"...\")");
      }
      if (previous.kind == TokenKind::kWord || previous.kind == TokenKind::kQuotedIdent) {
        const std::string name = Name(lexer, previous);
        if (IsRefusedFunction(name)) return Refuse(fmt::format("function {}()", name));
      }
    }
    previous = token;
  }
  return Ok();
}

}  // namespace

size_t SkipBlanks(std::string_view sql, size_t from) {
  size_t i = from;
  while (i < sql.size()) {
    if (IsSpace(sql[i]) || sql[i] == ';') {
      ++i;
    } else if (const size_t end = SkipComment(sql, i); end != i) {
      i = end;
    } else {
      break;
    }
  }
  return i;
}

size_t StatementEnd(std::string_view sql) {
  Lexer lexer(sql);
  for (Token token = lexer.Next(); token.kind != TokenKind::kEnd; token = lexer.Next()) {
    if (IsSymbol(lexer, token, ';')) return token.begin;
  }
  return sql.size();
}

Status CheckUntrustedSql(std::string_view sql) {
  const std::string_view body = sql.substr(SkipBlanks(sql, 0));
  if (body.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no SQL statement: expected one SELECT query");
  }
  const size_t end = StatementEnd(body);
  const std::string_view rest = body.substr(end);
  if (const size_t extra = SkipBlanks(rest, 0); extra != rest.size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "one statement at a time: found more SQL after the first statement: '{}'",
                     rest.substr(extra, 60));
  }
  const std::string_view statement = body.substr(0, end);
  FB_RETURN_IF_ERROR(CheckLeadingKeyword(statement));
  return CheckFunctionCalls(statement);
}

}  // namespace detail

namespace {

// Copies `sql` to `out`, replacing each `?` / `?N` placeholder (outside literals, quoted names
// and comments) by emit(out, N); N counts up from 1 for bare `?`. Returns the highest N.
template <typename Emit>
int ReplacePlaceholders(std::string_view sql, std::string& out, Emit emit) {
  out.clear();
  out.reserve(sql.size() + 8);
  detail::Lexer lexer(sql);
  int highest = 0;
  size_t copied = 0;  // sql[0, copied) is in `out`
  for (detail::Token token = lexer.Next(); token.kind != detail::TokenKind::kEnd;
       token = lexer.Next()) {
    if (!detail::IsSymbol(lexer, token, '?')) continue;
    out.append(sql.substr(copied, token.begin - copied));
    size_t digits_end = token.end;
    while (digits_end < sql.size() && sql[digits_end] >= '0' && sql[digits_end] <= '9') {
      ++digits_end;
    }
    const std::string_view digits = sql.substr(token.end, digits_end - token.end);
    int number = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (digits.empty()) {
      number = ++highest;
    } else if (ec == std::errc() && number > 0) {
      highest = std::max(highest, number);
    } else {
      number = 0;  // ?0 or an absurd number: kept as written, for the server to refuse
    }
    if (number > 0) {
      emit(out, number);
    } else {
      out.append("$").append(digits);
    }
    copied = digits_end;
  }
  out.append(sql.substr(copied));
  return highest;
}

bool LooksNumeric(std::string_view text) {
  if (text.empty() || text.size() > 40) return false;
  size_t i = text[0] == '-' ? 1 : 0;
  bool digits = false;
  bool dot = false;
  for (; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9') {
      digits = true;
    } else if (text[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

int RewritePlaceholders(std::string_view sql, std::string& out) {
  return ReplacePlaceholders(sql, out, [](std::string& text, int number) {
    fmt::format_to(std::back_inserter(text), "${}", number);
  });
}

std::string InlineParameters(std::string_view sql, std::span<const char* const> values) {
  std::string out;
  ReplacePlaceholders(sql, out, [values](std::string& text, int number) {
    const size_t index = static_cast<size_t>(number) - 1;
    if (index >= values.size() || values[index] == nullptr) {
      text.append("NULL");
      return;
    }
    const std::string_view value(values[index]);
    if (LooksNumeric(value)) {
      text.append(value);
      return;
    }
    text.push_back('\'');
    for (const char c : value) {
      if (c == '\'') text.push_back('\'');
      text.push_back(c);
    }
    text.push_back('\'');
  });
  return out;
}

}  // namespace fastbreak::db
