// Query fingerprints: one id for every statement that differs only in literal values,
// parameter style, whitespace, keyword or identifier case, or the length of an IN list.
//
// SQL that libpg_query parses (PostgreSQL's own parser; fastbreak's tool SQL, written in the
// subset both engines accept, is such SQL once `?`/`?N`/`:name` placeholders are rewritten to
// `$N`) is fingerprinted with pg_query_fingerprint and normalized with pg_query_normalize.
// Like pg_stat_statements, libpg_query treats `col = v`, `col IN (v, ...)` and
// `col = ANY($1)` as the same query, and tables whose names differ only in runs of two or
// more digits (partitions: `games`, `games2023`, `games2024`) as the same table.
//
// SQL it cannot parse (SQLite-only syntax: INSERT OR REPLACE, PRAGMA, GLOB, backquoted
// names...) goes through the fallback normalizer: a tokenizer that drops comments, lowercases
// keywords and unquoted identifiers, writes quoted names ("", ``, []) one way ("name"),
// replaces every number (a sign that cannot be a subtraction included: `x = -5`), string,
// blob and placeholder with `?`, collapses a parenthesized list of only such values to
// `(?...)` (innermost first, so `((1, 2), (3, 4))` is one list), and joins tokens with single
// spaces (none after `(`, before `)` `,` `.` `;`, after `.`, or between a name and the
// `(` of its call or column list). Its fingerprint is a 64-bit xxh3 of the whole normalized
// text. A statement always gets the same kind of fingerprint, so the two never mix for one
// query.
//
// All functions are thread-safe and never throw except std::bad_alloc. Work is linear in the
// text (no recursion over its nesting).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fastbreak::query {

enum class NormalizerKind { kPgQuery, kFallback };

struct Fingerprint {
  uint64_t id = 0;
  // The statement with literals replaced: `$1, $2...` (pg_query) or `?` (fallback), runs of
  // whitespace collapsed to one space, trimmed, at most kMaxNormalizedBytes (then cut at a
  // UTF-8 boundary and ended with "...").
  std::string normalized;
  NormalizerKind kind = NormalizerKind::kPgQuery;
};

inline constexpr size_t kMaxNormalizedBytes = 4096;

// Fingerprints one SQL statement. Never fails; text over 64 KiB, or with a NUL byte, is
// fingerprinted by the fallback normalizer (over its first 64 KiB).
Fingerprint FingerprintSql(std::string_view sql);

// The fallback normalizer alone (see above).
std::string NormalizeFallback(std::string_view sql);

// `?`, `?N`, `:name`, `@name` and `$name` placeholders rewritten to PostgreSQL's `$N`,
// numbered as SQLite numbers them (`?` takes the highest index so far plus one; a name takes
// the next index at its first appearance and keeps it); `$N` is kept. String literals
// (E'..' and dollar-quoted included), quoted names and comments are left alone. `[` is
// PostgreSQL's subscript here, not a quote. An index past 32766 is left as written.
std::string ToDollarPlaceholders(std::string_view sql);

// 16 lowercase hex digits.
std::string FingerprintHex(uint64_t id);

}  // namespace fastbreak::query
