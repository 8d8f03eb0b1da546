#include "query/fingerprint.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <random>
#include <string>
#include <vector>

namespace fastbreak::query {
namespace {

// True when every statement of `group` has the fingerprint of the first, of kind `kind`.
::testing::AssertionResult AllShare(const std::vector<std::string>& group, NormalizerKind kind) {
  const Fingerprint first = FingerprintSql(group.front());
  for (const std::string& sql : group) {
    const Fingerprint other = FingerprintSql(sql);
    if (other.kind != kind) {
      return ::testing::AssertionFailure() << "wrong normalizer kind for: " << sql;
    }
    if (other.id != first.id) {
      return ::testing::AssertionFailure()
             << "\n  " << group.front() << "\n    -> " << first.normalized << "\n  " << sql
             << "\n    -> " << other.normalized << "\ndiffer";
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Differ(const std::string& a, const std::string& b) {
  const Fingerprint fa = FingerprintSql(a);
  const Fingerprint fb = FingerprintSql(b);
  if (fa.id != fb.id) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n  " << a << "\n  " << b << "\nshare "
                                       << FingerprintHex(fa.id) << " (" << fa.normalized << ")";
}

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t length = lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : 4;
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

constexpr NormalizerKind kPg = NormalizerKind::kPgQuery;
constexpr NormalizerKind kFallback = NormalizerKind::kFallback;

// --- tool SQL, through libpg_query ---

TEST(FingerprintTest, LiteralValuesShareAFingerprint) {
  EXPECT_TRUE(AllShare(
      {"SELECT name FROM players WHERE id = 5", "SELECT name FROM players WHERE id = 2544",
       "SELECT name FROM players WHERE id = -7", "SELECT name FROM players WHERE id = 1.5e3",
       "SELECT name FROM players WHERE id = 'LeBron'", "SELECT name FROM players WHERE id = NULL"},
      kPg));
}

TEST(FingerprintTest, WhitespaceNewlinesAndCommentsDoNotMatter) {
  EXPECT_TRUE(AllShare(
      {"SELECT name FROM players WHERE id = 5", "  SELECT   name\n\tFROM players\r\n WHERE id=5  ",
       "SELECT name -- the name\nFROM players /* all */ WHERE id = 5"},
      kPg));
}

TEST(FingerprintTest, KeywordAndIdentifierCaseDoNotMatter) {
  EXPECT_TRUE(
      AllShare({"SELECT name FROM players WHERE id = 5", "select NAME from Players where ID = 5",
                "SeLeCt name FrOm PLAYERS wHeRe id = 5"},
               kPg));
}

TEST(FingerprintTest, InListsOfAnyLengthShareAFingerprintWithEquality) {
  EXPECT_TRUE(AllShare(
      {"SELECT name FROM players WHERE id IN (1)", "SELECT name FROM players WHERE id IN (1, 2, 3)",
       "SELECT name FROM players WHERE id IN (?, ?, ?, ?, ?, ?)",
       "SELECT name FROM players WHERE id = ANY($1)", "SELECT name FROM players WHERE id = ?"},
      kPg));
}

TEST(FingerprintTest, PlaceholderStylesAndLiteralsShareAFingerprint) {
  EXPECT_TRUE(AllShare({"SELECT name FROM players WHERE id = ? AND season = ?",
                        "SELECT name FROM players WHERE id = ?1 AND season = ?2",
                        "SELECT name FROM players WHERE id = $1 AND season = $2",
                        "SELECT name FROM players WHERE id = :id AND season = :season",
                        "SELECT name FROM players WHERE id = @id AND season = @season",
                        "SELECT name FROM players WHERE id = $id AND season = $season",
                        "SELECT name FROM players WHERE id = 23 AND season = ?"},
                       kPg));
}

TEST(FingerprintTest, DifferentQueriesDoNotShareAFingerprint) {
  const std::string base = "SELECT name FROM players WHERE id = 5";
  EXPECT_TRUE(Differ(base, "SELECT name FROM players WHERE team_id = 5"));  // column
  EXPECT_TRUE(Differ(base, "SELECT team FROM players WHERE id = 5"));       // select list
  EXPECT_TRUE(Differ(base, "SELECT name FROM teams WHERE id = 5"));         // table
  EXPECT_TRUE(Differ("SELECT name FROM players WHERE id < 5",
                     "SELECT name FROM players WHERE id > 5"));  // operator
  EXPECT_TRUE(Differ(base, "SELECT name FROM players WHERE id = 5 AND season = 2024"));
  EXPECT_TRUE(Differ("SELECT name FROM players WHERE id = 5 AND season = 2024",
                     "SELECT name FROM players WHERE id = 5 OR season = 2024"));
  EXPECT_TRUE(Differ(base, "SELECT name FROM players WHERE id = 5 LIMIT 10"));
}

TEST(FingerprintTest, NormalizedTextReplacesLiteralsAndCollapsesWhitespace) {
  EXPECT_EQ(FingerprintSql("SELECT name\n  FROM players -- who\n WHERE id = ? AND team = 'LAL'")
                .normalized,
            "SELECT name FROM players WHERE id = $1 AND team = $2");
  EXPECT_EQ(FingerprintSql("select x from t where x in (1, 2, 3) /* c */").normalized,
            "select x from t where x in ($1, $2, $3)");
  EXPECT_EQ(FingerprintSql("SELECT :a, @b, :a").normalized, "SELECT $1, $2, $1");
  // pg_query_normalize's view of a negative constant: one literal.
  EXPECT_EQ(FingerprintSql("SELECT x FROM t WHERE x = -7").normalized,
            "SELECT x FROM t WHERE x = $1");
}

TEST(FingerprintTest, TablesDifferingOnlyInDigitRunsShareAFingerprint) {
  EXPECT_TRUE(
      AllShare({"SELECT home FROM games WHERE id = 1", "SELECT home FROM games2023 WHERE id = 1",
                "SELECT home FROM games2024 WHERE id = 2"},
               kPg));
  EXPECT_TRUE(Differ("SELECT home FROM t1 WHERE id = 1", "SELECT home FROM t2 WHERE id = 1"));
}

TEST(FingerprintTest, NormalizedTextIsBoundedAtAUtf8Boundary) {
  std::string sql = "SELECT \"";
  while (sql.size() < 3 * kMaxNormalizedBytes) sql += "é";
  sql += "\" FROM t";
  for (const std::string& text : {sql, "PRAGMA " + sql}) {
    const Fingerprint fingerprint = FingerprintSql(text);
    EXPECT_LE(fingerprint.normalized.size(), kMaxNormalizedBytes);
    EXPECT_GE(fingerprint.normalized.size(), kMaxNormalizedBytes - 4);
    EXPECT_TRUE(fingerprint.normalized.ends_with("...")) << fingerprint.normalized.substr(0, 40);
    EXPECT_TRUE(IsValidUtf8(fingerprint.normalized));
  }
}

// --- SQLite-only SQL, through the fallback normalizer ---

TEST(FingerprintTest, SqliteOnlySqlUsesTheFallbackAndSharesAcrossLiterals) {
  EXPECT_TRUE(AllShare({"INSERT OR REPLACE INTO players (id, name) VALUES (1, 'LeBron')",
                        "insert or replace into PLAYERS(id,name) values (?, ?)",
                        "INSERT OR REPLACE INTO players (id, name)\n VALUES (:id, @name) -- x",
                        "INSERT OR REPLACE INTO players (id, name) VALUES ($id, ?2)"},
                       kFallback));
  EXPECT_TRUE(AllShare({"PRAGMA user_version = 5", "pragma USER_VERSION=7"}, kFallback));
  EXPECT_TRUE(AllShare({"SELECT name FROM players WHERE name GLOB 'Le*' AND id IN (1, 2)",
                        "select name from players where name glob ? and id in (?)",
                        "SELECT name FROM players WHERE name GLOB X'4c65' AND id IN (-1,0x1F,.5,"
                        "1e5, ?3, :a, @b, $c)"},
                       kFallback));
  EXPECT_TRUE(AllShare(
      {"SELECT `name` FROM players WHERE id GLOB 1", "SELECT [name] FROM players WHERE id GLOB 2"},
      kFallback));
}

TEST(FingerprintTest, DifferentSqliteOnlyQueriesDoNotShareAFingerprint) {
  EXPECT_TRUE(Differ("INSERT OR REPLACE INTO players (id) VALUES (1)",
                     "INSERT OR IGNORE INTO players (id) VALUES (1)"));
  EXPECT_TRUE(Differ("INSERT OR REPLACE INTO players (id) VALUES (1)",
                     "INSERT OR REPLACE INTO teams (id) VALUES (1)"));
  EXPECT_TRUE(Differ("PRAGMA table_info(players)", "PRAGMA table_info(teams)"));
  const std::string glob = "SELECT name FROM players WHERE name GLOB 'a*'";
  EXPECT_TRUE(Differ(glob, "SELECT team FROM players WHERE name GLOB 'a*'"));
  EXPECT_TRUE(Differ(glob + " AND id < 5", glob + " AND id > 5"));
  EXPECT_TRUE(Differ(glob + " AND id = 5", glob + " OR id = 5"));
  EXPECT_TRUE(Differ(glob, glob + " AND id = 5"));
  EXPECT_TRUE(Differ(glob, glob + " LIMIT 5"));
  EXPECT_TRUE(Differ(glob + " AND id IN (1, 2)", glob + " AND id IN (1, team)"));
  EXPECT_TRUE(Differ(glob + " AND x = a - 1", glob + " AND x = a"));  // a subtraction stays
}

TEST(FingerprintTest, FallbackNormalizedTextIsExact) {
  EXPECT_EQ(
      FingerprintSql("INSERT OR REPLACE INTO Players(id, name) VALUES (1, 'a') -- x").normalized,
      "insert or replace into players(id, name) values (?...)");
  EXPECT_EQ(FingerprintSql("PRAGMA table_info( players )").normalized,
            "pragma table_info(players)");
  EXPECT_EQ(FingerprintSql("SELECT p.Name, [c d] FROM t AS p WHERE x GLOB 'a*' AND y = -1.5e3")
                .normalized,
            "select p.name, \"c d\" from t as p where x glob ? and y = ?");
}

TEST(FingerprintTest, FallbackTokenizerHandlesQuotesCommentsNumbersAndPlaceholders) {
  EXPECT_EQ(NormalizeFallback("SELECT 'it''s -- no comment', \"a\"\"b\", `c``d`, [e\"f] FROM t"),
            "select ?, \"a\"\"b\", \"c`d\", \"e\"\"f\" from t");
  EXPECT_EQ(NormalizeFallback("SELECT /* a ' b */ x -- 'y\nFROM t"), "select x from t");
  EXPECT_EQ(NormalizeFallback("SELECT 1, 1.5, .5, 1e5, 1E-3, 0x1F, X'ab', x'', 'text'"),
            "select ?, ?, ?, ?, ?, ?, ?, ?, ?");
  EXPECT_EQ(NormalizeFallback("SELECT ?, ?12, :name, @name, $name, $1"), "select ?, ?, ?, ?, ?, ?");
  EXPECT_EQ(NormalizeFallback("SELECT x FROM t WHERE x IN ( ?, ?, ? )"),
            "select x from t where x in (?...)");
  EXPECT_EQ(NormalizeFallback("SELECT x FROM t WHERE (a, b) IN ((1, 2), (3, 4), (5, 6))"),
            "select x from t where (a, b) in (?...)");
  EXPECT_EQ(NormalizeFallback("SELECT count(*), max(a) FROM t WHERE x = (1)"),
            "select count(*), max(a) from t where x = (?...)");
  EXPECT_EQ(NormalizeFallback("SELECT a-1, a - -1, (-1), a<=b, a<>b, a||b FROM t"),
            "select a - ?, a - ?, (?...), a <= b, a <> b, a || b from t");
}

TEST(FingerprintTest, ToDollarPlaceholdersNumbersAsSqliteDoes) {
  EXPECT_EQ(ToDollarPlaceholders("SELECT ?, ?"), "SELECT $1, $2");
  EXPECT_EQ(ToDollarPlaceholders("SELECT ?2, ?, ?1"), "SELECT $2, $3, $1");
  EXPECT_EQ(ToDollarPlaceholders("SELECT :a, @b, :a, $c, ?"), "SELECT $1, $2, $1, $3, $4");
  EXPECT_EQ(ToDollarPlaceholders("SELECT $1, ?"), "SELECT $1, $2");
  EXPECT_EQ(ToDollarPlaceholders("SELECT x::int, a[1:2] FROM t"), "SELECT x::int, a[1:2] FROM t");
  EXPECT_EQ(ToDollarPlaceholders("SELECT ?40000"), "SELECT ?40000");
}

TEST(FingerprintTest, ToDollarPlaceholdersLeavesStringsNamesAndCommentsAlone) {
  EXPECT_EQ(ToDollarPlaceholders("SELECT '?', 'it''s ?', \"?\", `?`, E'\\'?', $$ ? $$, "
                                 "$tag$ :x $tag$ /* ? /* ? */ ? */ -- ?\n, ?"),
            "SELECT '?', 'it''s ?', \"?\", `?`, E'\\'?', $$ ? $$, "
            "$tag$ :x $tag$ /* ? /* ? */ ? */ -- ?\n, $1");
}

TEST(FingerprintTest, KindIsReported) {
  EXPECT_EQ(FingerprintSql("SELECT 1").kind, kPg);
  EXPECT_EQ(FingerprintSql("PRAGMA foreign_keys = ON").kind, kFallback);
  EXPECT_EQ(FingerprintSql("SELECT name FROM players WHERE name GLOB 'x'").kind, kFallback);
  EXPECT_EQ(FingerprintSql(std::string("SELECT 1\0", 9)).kind, kFallback);
}

TEST(FingerprintTest, FingerprintHexIsSixteenLowercaseDigits) {
  EXPECT_EQ(FingerprintHex(0x1234abcd), "000000001234abcd");
  EXPECT_EQ(FingerprintHex(~uint64_t{0}), "ffffffffffffffff");
  EXPECT_EQ(FingerprintHex(0), "0000000000000000");
}

// --- hostile input ---

TEST(FingerprintTest, TextOver64KiBGoesToTheFallbackOverItsFirst64KiB) {
  std::string sql = "SELECT x FROM t WHERE x IN (";
  while (sql.size() < 70 * 1024) sql += "1, ";
  const Fingerprint fingerprint = FingerprintSql(sql + "2)");
  EXPECT_EQ(fingerprint.kind, kFallback);
  EXPECT_EQ(fingerprint.id, FingerprintSql(sql + "3, 4)").id);  // the tail is not read
  EXPECT_LE(fingerprint.normalized.size(), kMaxNormalizedBytes);
}

TEST(FingerprintTest, DeepNestingNeverCrashes) {
  const std::string parens = "SELECT " + std::string(30000, '(') + "1" + std::string(30000, ')');
  EXPECT_EQ(FingerprintSql(parens).kind, kFallback);  // past the parser's depth limit
  EXPECT_EQ(NormalizeFallback(parens), "select (?...)");

  std::string sum = "SELECT 1";
  while (sum.size() < 60 * 1024) sum += " + 1";
  const Fingerprint fingerprint = FingerprintSql(sum);
  EXPECT_EQ(fingerprint.kind, kPg);
  EXPECT_TRUE(fingerprint.normalized.starts_with("SELECT $1 + $2 + $3")) << fingerprint.normalized;
}

// pg_query_normalize recurses over the tree: this text would need several MiB of stack. On a
// 2 MiB thread the normalized text comes from the lexer instead, with the same fingerprint;
// short statements still get pg_query_normalize's text there.
TEST(FingerprintTest, DeepExpressionsAreSafeOnASmallStack) {
  std::string sum = "SELECT 1";
  while (sum.size() < 60 * 1024) sum += " + 1";
  struct Job {
    std::string sql;
    Fingerprint result;
    Fingerprint small;
  } job{sum, {}, {}};
  pthread_attr_t attributes;
  ASSERT_EQ(pthread_attr_init(&attributes), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attributes, 2 << 20), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, &attributes,
                [](void* arg) -> void* {
                  auto* work = static_cast<Job*>(arg);
                  work->result = FingerprintSql(work->sql);
                  work->small = FingerprintSql("SELECT x FROM t WHERE x = -7");
                  return nullptr;
                },
                &job),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
  EXPECT_EQ(job.result.kind, kPg);
  EXPECT_EQ(job.result.id, FingerprintSql(sum).id);
  EXPECT_TRUE(job.result.normalized.starts_with("SELECT $1 + $2 + $3"));
  EXPECT_EQ(job.small.normalized, "SELECT x FROM t WHERE x = $1");  // still pg_query's
}

TEST(FingerprintTest, GarbageAndUnterminatedInputNeverCrash) {
  for (const std::string sql : {"",
                                " ",
                                "'",
                                "\"",
                                "`",
                                "[",
                                "/*",
                                "--",
                                "$$",
                                "$a$",
                                "X'",
                                "E'\\",
                                "?",
                                ":",
                                "@",
                                "$",
                                "0x",
                                "1e",
                                ".",
                                "(((",
                                ")))",
                                "SELECT 'unterminated",
                                "SELECT /* open",
                                "SELECT [open",
                                "SELECT $tag$ open"}) {
    const Fingerprint fingerprint = FingerprintSql(sql);
    EXPECT_LE(fingerprint.normalized.size(), kMaxNormalizedBytes) << sql;
    (void)ToDollarPlaceholders(sql);
  }
  std::string all_bytes;
  for (int c = 0; c < 256; ++c) all_bytes.push_back(static_cast<char>(c));
  EXPECT_EQ(FingerprintSql(all_bytes).kind, kFallback);

  std::mt19937 random(20261123);
  for (int round = 0; round < 300; ++round) {
    std::string sql(random() % 300, '\0');
    for (char& c : sql) c = static_cast<char>(random() % 256);
    const Fingerprint fingerprint = FingerprintSql(sql);
    EXPECT_EQ(fingerprint.id, FingerprintSql(sql).id) << "seed 20261123, round " << round;
  }
}

}  // namespace
}  // namespace fastbreak::query
