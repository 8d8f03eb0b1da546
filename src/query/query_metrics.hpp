// Per-fingerprint query statistics on /metrics: the top N fingerprints by total time, as
// Prometheus families whose series change as the ranking does (a MetricsRegistry collector).
//   fastbreak_query_calls_total{fingerprint,query}     counter
//   fastbreak_query_errors_total{fingerprint,query}    counter
//   fastbreak_query_rows_total{fingerprint,query}      counter
//   fastbreak_query_seconds_total{fingerprint,query}   counter
//   fastbreak_query_p95_seconds{fingerprint,query}     gauge
//   fastbreak_query_max_seconds{fingerprint,query}     gauge
// and, for all statements: fastbreak_query_statements_total, fastbreak_query_slow_total,
// fastbreak_query_fingerprints_evicted_total (counters) and fastbreak_query_fingerprints
// (gauge). `query` is the normalized text cut to 80 bytes; `fingerprint` its 16 hex digits.
#pragma once

#include <cstddef>
#include <string>

#include "query/query_stats.hpp"

namespace fastbreak::query {

void AppendQueryMetrics(const QueryStats& stats, size_t top, std::string& out);

}  // namespace fastbreak::query
