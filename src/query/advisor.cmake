# The index advisor; include()d from src/query/CMakeLists.txt, so paths are relative to
# src/query.
fastbreak_module(query_advisor
  SOURCES
    advisor.cpp
    advisor_candidates.cpp
    advisor_existing.cpp
    advisor_postgres.cpp
    advisor_report.cpp
    advisor_sqlite.cpp
    advisor_sqlite_cost.cpp
    advisor_workload.cpp
  DEPS fastbreak_query_core fastbreak_query_lint fastbreak_query_plan fastbreak_db fastbreak_core
    nlohmann_json::nlohmann_json)

fastbreak_test(query_advisor_test
  SOURCES advisor_test.cpp
  DEPS fastbreak_query_advisor
  LABEL sqlite TIMEOUT 120)

fastbreak_test(query_advisor_pgtest
  SOURCES advisor_pgtest.cpp
  DEPS fastbreak_query_advisor fastbreak_db_postgres
  LABEL postgres TIMEOUT 180)
