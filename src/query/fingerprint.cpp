#include "query/fingerprint.hpp"

#include <pg_query.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace fastbreak::query {
namespace {

// Longest text handed to libpg_query; longer text goes to the fallback normalizer.
constexpr size_t kMaxParsedBytes = 64 * 1024;
// Highest `?N` / `$N` index rewritten; SQLite allows at most 32766 parameters.
constexpr int kMaxParameterIndex = 32766;
// pg_query_normalize walks the parse tree recursively, using up to ~250 bytes of stack per
// byte of SQL on deeply nested expressions (measured: `1+1+...`, `f(f(...))`, nested
// subqueries). It runs only when the thread has twice that left plus a margin; otherwise the
// normalized text comes from the lexer below (the fingerprint is pg_query's either way).
constexpr size_t kNormalizeStackPerByte = 512;
constexpr size_t kNormalizeStackMargin = 128 * 1024;

bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(unsigned char c) { return IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
bool IsIdentStart(unsigned char c) {
  return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }
// Control bytes (NUL included) count as whitespace, so garbage cannot glue tokens together.
bool IsSpace(unsigned char c) { return c == ' ' || c < 0x20 || c == 0x7f; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// Which engine's lexical rules settle the few points where they differ: `[name]` (SQLite:
// a quoted name; PostgreSQL: a subscript) and nested /* */ comments (PostgreSQL only).
enum class Flavor { kPostgres, kSqlite };

enum class TokenKind {
  kSpace,
  kComment,
  kString,  // '...', E'...', X'...', B'...', N'...', $$...$$, $tag$...$tag$
  kNumber,
  kQuotedName,   // "...", `...`, [...] (SQLite)
  kPlaceholder,  // ?, ?N, $N, :name, @name, $name
  kWord,
  kOpen,
  kClose,
  kComma,
  kOperator,
};

struct Token {
  TokenKind kind;
  std::string_view text;
};

// Splits SQL into tokens without judging it: every byte belongs to exactly one token, and an
// unterminated string, name or comment runs to the end of the text.
class Lexer {
 public:
  Lexer(std::string_view sql, Flavor flavor) : sql_(sql), flavor_(flavor) {}

  bool Done() const { return pos_ >= sql_.size(); }

  // REQUIRES: !Done().
  Token Next() {
    const size_t start = pos_;
    const TokenKind kind = Scan();
    return Token{kind, sql_.substr(start, pos_ - start)};
  }

 private:
  unsigned char At(size_t i) const {
    return i < sql_.size() ? static_cast<unsigned char>(sql_[i]) : 0;
  }

  // Moves past a quoted run that opened before `pos_`; `close` doubled is an escaped close.
  void SkipQuoted(char close, bool backslash_escapes) {
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_++];
      if (backslash_escapes && c == '\\') {
        if (pos_ < sql_.size()) ++pos_;
      } else if (c == close) {
        if (At(pos_) != static_cast<unsigned char>(close)) return;
        ++pos_;
      }
    }
  }

  void SkipWhile(bool (*predicate)(unsigned char)) {
    while (pos_ < sql_.size() && predicate(At(pos_))) ++pos_;
  }

  TokenKind ScanBlockComment() {
    int depth = 1;
    pos_ += 2;
    while (pos_ < sql_.size()) {
      if (At(pos_) == '*' && At(pos_ + 1) == '/') {
        pos_ += 2;
        if (--depth == 0) break;
      } else if (flavor_ == Flavor::kPostgres && At(pos_) == '/' && At(pos_ + 1) == '*') {
        pos_ += 2;
        ++depth;
      } else {
        ++pos_;
      }
    }
    return TokenKind::kComment;
  }

  TokenKind ScanDollar() {
    if (IsDigit(At(pos_ + 1))) {
      ++pos_;
      SkipWhile(IsDigit);
      return TokenKind::kPlaceholder;
    }
    size_t end = pos_ + 1;
    if (!IsDigit(At(end))) {
      while (end < sql_.size() && IsIdentStart(At(end))) ++end;
      while (end < sql_.size() && (IsIdentStart(At(end)) || IsDigit(At(end)))) ++end;
    }
    if (At(end) == '$') {  // $$...$$ or $tag$...$tag$
      const std::string_view tag = sql_.substr(pos_, end + 1 - pos_);
      const size_t close = sql_.find(tag, end + 1);
      pos_ = close == std::string_view::npos ? sql_.size() : close + tag.size();
      return TokenKind::kString;
    }
    if (end > pos_ + 1) {  // $name
      pos_ = end;
      return TokenKind::kPlaceholder;
    }
    ++pos_;
    return TokenKind::kOperator;
  }

  TokenKind ScanNumber() {
    if (At(pos_) == '0' && (At(pos_ + 1) | 0x20) == 'x' && IsHexDigit(At(pos_ + 2))) {
      pos_ += 2;
      SkipWhile(IsHexDigit);
      return TokenKind::kNumber;
    }
    SkipWhile(IsDigit);
    if (At(pos_) == '.') {
      ++pos_;
      SkipWhile(IsDigit);
    }
    const unsigned char e = At(pos_);
    if ((e | 0x20) == 'e') {
      const size_t digits = (At(pos_ + 1) == '+' || At(pos_ + 1) == '-') ? pos_ + 2 : pos_ + 1;
      if (IsDigit(At(digits))) {
        pos_ = digits;
        SkipWhile(IsDigit);
      }
    }
    return TokenKind::kNumber;
  }

  TokenKind ScanOperator() {
    static constexpr std::array<std::string_view, 11> kLong = {
        "->>", "->", "<=", ">=", "<>", "!=", "==", "||", "<<", ">>", "::"};
    const std::string_view rest = sql_.substr(pos_);
    for (const std::string_view op : kLong) {
      if (rest.starts_with(op)) {
        pos_ += op.size();
        return TokenKind::kOperator;
      }
    }
    ++pos_;
    return TokenKind::kOperator;
  }

  TokenKind Scan() {
    const unsigned char c = At(pos_);
    const unsigned char next = At(pos_ + 1);
    if (IsSpace(c)) {
      SkipWhile(IsSpace);
      return TokenKind::kSpace;
    }
    if (c == '-' && next == '-') {
      const size_t end = sql_.find('\n', pos_);
      pos_ = end == std::string_view::npos ? sql_.size() : end;
      return TokenKind::kComment;
    }
    if (c == '/' && next == '*') return ScanBlockComment();
    if (c == '\'') {
      ++pos_;
      SkipQuoted('\'', false);
      return TokenKind::kString;
    }
    if (next == '\'' &&
        std::string_view("eExXbBnN").find(static_cast<char>(c)) != std::string_view::npos) {
      pos_ += 2;
      SkipQuoted('\'', (c | 0x20) == 'e');
      return TokenKind::kString;
    }
    if (c == '"' || c == '`') {
      ++pos_;
      SkipQuoted(static_cast<char>(c), false);
      return TokenKind::kQuotedName;
    }
    if (c == '[' && flavor_ == Flavor::kSqlite) {
      const size_t end = sql_.find(']', pos_);
      pos_ = end == std::string_view::npos ? sql_.size() : end + 1;
      return TokenKind::kQuotedName;
    }
    if (c == '$') return ScanDollar();
    if (c == '?') {
      ++pos_;
      SkipWhile(IsDigit);
      return TokenKind::kPlaceholder;
    }
    if ((c == ':' || c == '@') && IsIdentStart(next)) {
      ++pos_;
      SkipWhile(IsIdentChar);
      return TokenKind::kPlaceholder;
    }
    if (IsDigit(c) || (c == '.' && IsDigit(next))) return ScanNumber();
    if (IsIdentStart(c)) {
      SkipWhile(IsIdentChar);
      return TokenKind::kWord;
    }
    if (c == '(' || c == ')' || c == ',') {
      ++pos_;
      return c == '(' ? TokenKind::kOpen : c == ')' ? TokenKind::kClose : TokenKind::kComma;
    }
    return ScanOperator();
  }

  std::string_view sql_;
  Flavor flavor_;
  size_t pos_ = 0;
};

// The index in `?N` / `$N` (text after its first character), or 0 when out of range.
int ParameterIndex(std::string_view token) {
  int value = 0;
  const auto [end, error] = std::from_chars(token.data() + 1, token.data() + token.size(), value);
  if (error != std::errc() || end != token.data() + token.size()) return 0;
  return value >= 1 && value <= kMaxParameterIndex ? value : 0;
}

// At most `max_bytes`: longer text is cut at a UTF-8 boundary and ended with "...".
std::string Bounded(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes > 3 ? max_bytes - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  text += "...";
  return text;
}

// PostgreSQL text with whitespace runs and comments collapsed to one space, trimmed. With
// `replace_literals`, strings and numbers also become `$N`, numbered after the highest `$N`
// already present (as pg_query_normalize does).
std::string CollapsePostgres(std::string_view sql, bool replace_literals) {
  int next_index = 0;
  if (replace_literals) {
    for (Lexer lexer(sql, Flavor::kPostgres); !lexer.Done();) {
      const Token token = lexer.Next();
      if (token.kind == TokenKind::kPlaceholder && token.text[0] == '$') {
        next_index = std::max(next_index, ParameterIndex(token.text));
      }
    }
  }
  std::string out;
  out.reserve(sql.size());
  bool space = false;
  for (Lexer lexer(sql, Flavor::kPostgres); !lexer.Done();) {
    const Token token = lexer.Next();
    if (token.kind == TokenKind::kSpace || token.kind == TokenKind::kComment) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    if (replace_literals &&
        (token.kind == TokenKind::kString || token.kind == TokenKind::kNumber)) {
      out += '$';
      out += std::to_string(++next_index);
    } else {
      out.append(token.text);
    }
  }
  return out;
}

// Bytes of stack left below the caller on this thread (0 when unknown).
size_t StackLeft() {
  thread_local const uintptr_t stack_low = [] {
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) return uintptr_t{0};
    void* low = nullptr;
    size_t size = 0;
    const int status = pthread_attr_getstack(&attributes, &low, &size);
    pthread_attr_destroy(&attributes);
    return status == 0 ? reinterpret_cast<uintptr_t>(low) : uintptr_t{0};
  }();
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  return stack_low != 0 && here > stack_low ? here - stack_low : 0;
}

std::string PgNormalized(const std::string& sql) {
  if (StackLeft() >= sql.size() * kNormalizeStackPerByte + kNormalizeStackMargin) {
    PgQueryNormalizeResult result = pg_query_normalize(sql.c_str());
    std::string normalized;
    const bool ok = result.error == nullptr && result.normalized_query != nullptr;
    if (ok) normalized = CollapsePostgres(result.normalized_query, false);
    pg_query_free_normalize_result(result);
    if (ok) return normalized;
  }
  return CollapsePostgres(sql, true);
}

// --- the fallback normalizer ---

// Words after which `(` is not a call, and a sign starts a literal rather than subtracting.
bool IsKeyword(std::string_view word) {
  static constexpr std::string_view kKeywords[] = {
      "all",     "and",    "as",        "between", "by",     "case",  "check",
      "default", "else",   "except",    "exists",  "filter", "from",  "glob",
      "having",  "in",     "into",      "is",      "join",   "key",   "like",
      "limit",   "not",    "offset",    "on",      "or",     "over",  "recursive",
      "regexp",  "return", "returning", "select",  "set",    "table", "then",
      "union",   "using",  "values",    "when",    "where",  "with",  "distinct"};
  return std::find(std::begin(kKeywords), std::end(kKeywords), word) != std::end(kKeywords);
}

enum class Part : uint8_t { kValue, kValueList, kWord, kName, kOpen, kClose, kComma, kOperator };

// Builds the normalized text token by token. Each token written is remembered by its kind and
// place in the text, so that a closing parenthesis can fold the list it ends into `(?...)`
// and a sign can join the number after it, without keeping a string per token.
class FallbackWriter {
 public:
  explicit FallbackWriter(size_t size_hint) { text_.reserve(size_hint); }

  void Add(const Token& token) {
    switch (token.kind) {
      case TokenKind::kSpace:
      case TokenKind::kComment:
        return;
      case TokenKind::kNumber:
        if (SignStartsLiteral()) Pop();
        Append(Part::kValue, "?");
        return;
      case TokenKind::kString:
      case TokenKind::kPlaceholder:
        Append(Part::kValue, "?");
        return;
      case TokenKind::kQuotedName:
        AppendName(token.text);
        return;
      case TokenKind::kWord: {
        Append(Part::kWord, token.text);
        const auto begin = text_.begin() + static_cast<std::ptrdiff_t>(parts_.back().offset);
        std::transform(begin, text_.end(), begin, Lower);
        return;
      }
      case TokenKind::kOpen:
        open_.push_back(parts_.size());
        Append(Part::kOpen, "(");
        return;
      case TokenKind::kClose:
        Close();
        return;
      case TokenKind::kComma:
        Append(Part::kComma, ",");
        return;
      case TokenKind::kOperator:
        Append(Part::kOperator, token.text);
        return;
    }
  }

  std::string Take() { return std::move(text_); }

 private:
  struct Written {
    Part part;
    size_t offset;
    size_t length;
  };

  std::string_view TextOf(const Written& written) const {
    return std::string_view(text_).substr(written.offset, written.length);
  }

  bool SpaceBefore(Part right, std::string_view right_text) const {
    if (parts_.empty()) return false;
    const Written& left = parts_.back();
    if (right == Part::kComma || right == Part::kClose) return false;
    if (right == Part::kOperator && (right_text == "." || right_text == ";")) return false;
    if (left.part == Part::kOpen) return false;
    if (left.part == Part::kOperator && TextOf(left) == ".") return false;
    if ((right == Part::kOpen || right == Part::kValueList) &&
        (left.part == Part::kName || (left.part == Part::kWord && !IsKeyword(TextOf(left))))) {
      return false;  // a call or a column list: count(*), t(a, b)
    }
    return true;
  }

  void Append(Part part, std::string_view piece) {
    if (SpaceBefore(part, piece)) text_ += ' ';
    parts_.push_back(Written{part, text_.size(), piece.size()});
    text_.append(piece);
  }

  // A quoted name in one canonical form: "name" with embedded quotes doubled.
  void AppendName(std::string_view quoted) {
    Append(Part::kName, "\"");
    const char open = quoted[0];
    const char close = open == '[' ? ']' : open;
    std::string_view body = quoted.substr(1);
    if (!body.empty() && body.back() == close) body.remove_suffix(1);
    for (size_t i = 0; i < body.size(); ++i) {
      if (open != '[' && body[i] == close && i + 1 < body.size() && body[i + 1] == close) ++i;
      if (body[i] == '"') text_ += '"';
      text_ += body[i];
    }
    text_ += '"';
    parts_.back().length = text_.size() - parts_.back().offset;
  }

  // Removes the last token and the space before it.
  void Pop() {
    parts_.pop_back();
    text_.resize(parts_.empty() ? 0 : parts_.back().offset + parts_.back().length);
  }

  // A sign just written is part of the number that follows when nothing before it can be a
  // left operand: `x = -5`, `(-1, 2)`, `LIMIT -1`; not `x - 5`.
  bool SignStartsLiteral() const {
    if (parts_.empty()) return false;
    const Written& sign = parts_.back();
    if (sign.part != Part::kOperator || (TextOf(sign) != "-" && TextOf(sign) != "+")) {
      return false;
    }
    if (parts_.size() == 1) return true;
    const Written& before = parts_[parts_.size() - 2];
    switch (before.part) {
      case Part::kValue:
      case Part::kValueList:
      case Part::kName:
      case Part::kClose:
        return false;
      case Part::kWord:
        return IsKeyword(TextOf(before));
      default:
        return true;
    }
  }

  // True when the tokens after parts_[open] are `value (, value)*`. Stops at the first token
  // that breaks the pattern, so nested parentheses cost little.
  bool OnlyValuesAfter(size_t open) const {
    const size_t from = open + 1;
    if (from >= parts_.size() || (parts_.size() - from) % 2 == 0) return false;
    for (size_t i = from; i < parts_.size(); ++i) {
      const Part part = parts_[i].part;
      const bool ok = (i - from) % 2 == 0 ? part == Part::kValue || part == Part::kValueList
                                          : part == Part::kComma;
      if (!ok) return false;
    }
    return true;
  }

  void Close() {
    if (!open_.empty()) {
      const size_t open = open_.back();
      open_.pop_back();
      if (OnlyValuesAfter(open)) {
        while (parts_.size() > open) Pop();
        Append(Part::kValueList, "(?...)");
        return;
      }
    }
    Append(Part::kClose, ")");
  }

  std::string text_;
  std::vector<Written> parts_;
  std::vector<size_t> open_;  // indexes in parts_ of the unclosed `(`
};

}  // namespace

std::string NormalizeFallback(std::string_view sql) {
  FallbackWriter writer(sql.size());
  for (Lexer lexer(sql, Flavor::kSqlite); !lexer.Done();) writer.Add(lexer.Next());
  return writer.Take();
}

std::string ToDollarPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  std::unordered_map<std::string_view, int> named;
  for (Lexer lexer(sql, Flavor::kPostgres); !lexer.Done();) {
    const Token token = lexer.Next();
    if (token.kind != TokenKind::kPlaceholder) {
      out.append(token.text);
      continue;
    }
    const bool numbered =
        token.text.size() > 1 && IsDigit(static_cast<unsigned char>(token.text[1]));
    int index = 0;
    if (token.text == "?") {
      index = ++highest;
    } else if (numbered) {  // ?N or $N
      index = ParameterIndex(token.text);
      highest = std::max(highest, index);
    } else {  // :name, @name, $name: numbered in order of first appearance
      auto [it, inserted] = named.try_emplace(token.text, 0);
      if (inserted) it->second = ++highest;
      index = it->second;
    }
    if (index == 0) {
      out.append(token.text);  // out of range: left for the parser to reject
    } else {
      out += '$';
      out += std::to_string(index);
    }
  }
  return out;
}

std::string FingerprintHex(uint64_t id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i, id >>= 4) hex[static_cast<size_t>(i)] = kDigits[id & 0xF];
  return hex;
}

Fingerprint FingerprintSql(std::string_view sql) {
  Fingerprint result;
  const bool parseable = sql.size() <= kMaxParsedBytes && sql.find('\0') == std::string_view::npos;
  if (parseable) {
    const std::string rewritten = ToDollarPlaceholders(sql);
    PgQueryFingerprintResult fingerprint = pg_query_fingerprint(rewritten.c_str());
    const bool ok = fingerprint.error == nullptr;
    result.id = fingerprint.fingerprint;
    pg_query_free_fingerprint_result(fingerprint);
    if (ok) {
      result.kind = NormalizerKind::kPgQuery;
      result.normalized = Bounded(PgNormalized(rewritten), kMaxNormalizedBytes);
      return result;
    }
  }
  std::string normalized = NormalizeFallback(sql.substr(0, kMaxParsedBytes));
  result.id = XXH3_64bits(normalized.data(), normalized.size());
  result.kind = NormalizerKind::kFallback;
  result.normalized = Bounded(std::move(normalized), kMaxNormalizedBytes);
  return result;
}

}  // namespace fastbreak::query
