# Fingerprints, per-fingerprint statistics and the slow-query log; include()d from
# src/query/CMakeLists.txt, so paths are relative to src/query.
fastbreak_module(query_core
  SOURCES fingerprint.cpp query_stats.cpp
  DEPS fastbreak_db fastbreak_core PgQuery::pg_query nlohmann_json::nlohmann_json Threads::Threads)

fastbreak_benchmark(query_benchmark
  SOURCES query_benchmark.cpp
  DEPS fastbreak_query_core fastbreak_testing)
