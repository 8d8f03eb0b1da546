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
