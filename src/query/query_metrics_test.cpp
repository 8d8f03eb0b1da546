#include "query/query_metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace fastbreak::query {
namespace {

using std::chrono::milliseconds;

TEST(QueryMetricsTest, TheTopFingerprintsBecomeLabelledSeries) {
  QueryStats stats;
  for (int i = 0; i < 3; ++i) {
    stats.Record("SELECT * FROM games WHERE season = " + std::to_string(2020 + i),
                 db::Dialect::kSqlite, milliseconds(10), 5, false);
  }
  stats.Record("SELECT name FROM \"teams\"\n  WHERE id = 7", db::Dialect::kSqlite, milliseconds(1),
               1, true);
  std::string out;
  AppendQueryMetrics(stats, 1, out);
  EXPECT_NE(out.find("fastbreak_query_statements_total 4\n"), std::string::npos) << out;
  EXPECT_NE(out.find("fastbreak_query_fingerprints 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("# TYPE fastbreak_query_calls_total counter\n"), std::string::npos);
  const auto games = stats.Top(1);
  ASSERT_EQ(games.size(), 1u);
  const std::string labels =
      "{fingerprint=\"" + games[0].fingerprint_hex + "\",query=\"SELECT * FROM games WHERE season";
  EXPECT_NE(out.find("fastbreak_query_calls_total" + labels), std::string::npos) << out;
  EXPECT_NE(out.find("fastbreak_query_seconds_total" + labels), std::string::npos) << out;
  // Only the top one: the teams query (less total time) is not exported.
  EXPECT_EQ(out.find("teams"), std::string::npos) << out;

  std::string all;
  AppendQueryMetrics(stats, 5, all);
  // Quotes escaped, whitespace runs folded.
  EXPECT_NE(all.find("query=\"SELECT name FROM \\\"teams\\\" WHERE id ="), std::string::npos)
      << all;
  EXPECT_NE(all.find("fastbreak_query_errors_total{fingerprint=\""), std::string::npos);

  std::string none;
  AppendQueryMetrics(stats, 0, none);
  EXPECT_EQ(none.find("fastbreak_query_calls_total"), std::string::npos);
}

}  // namespace
}  // namespace fastbreak::query
