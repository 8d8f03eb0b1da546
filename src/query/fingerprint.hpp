// Query fingerprints: one id for every statement that differs only in literal values,
// parameter style, whitespace, keyword or identifier case, or the length of an IN list.
//
// SQL that libpg_query parses (PostgreSQL's own parser; fastbreak's tool SQL, written in the
// subset both engines accept, is such SQL once `?`/`?N`/`:name` placeholders are rewritten to
// `$N`) is fingerprinted with pg_query_fingerprint and normalized with pg_query_normalize.
// Like pg_stat_statements, libpg_query treats `col = v`, `col IN (v, ...)` and
// `col = ANY($1)` as the same query.
//
// SQL it cannot parse (SQLite-only syntax: INSERT OR REPLACE, PRAGMA, GLOB, backquoted
// names...) goes through the fallback normalizer: a tokenizer that drops comments, lowercases
// keywords and unquoted identifiers, replaces every number, string, blob and placeholder with
// `?`, collapses a parenthesized list of only such values to `(?...)`, and joins tokens with
// single spaces. Its fingerprint is a 64-bit xxh3 of that text. A statement always gets the
// same kind of fingerprint, so the two never mix for one query.
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

// Fingerprints one SQL statement. Never fails; text over 64 KiB is fingerprinted by the
// fallback normalizer over its first 64 KiB.
Fingerprint FingerprintSql(std::string_view sql);

// The fallback normalizer alone (see above).
std::string NormalizeFallback(std::string_view sql);

// `?`, `?N`, `:name`, `@name` and `$name` placeholders rewritten to PostgreSQL's `$N`
// (named ones numbered in order of first appearance); string literals, quoted names and
// comments are left alone.
std::string ToDollarPlaceholders(std::string_view sql);

// 16 lowercase hex digits.
std::string FingerprintHex(uint64_t id);

}  // namespace fastbreak::query
