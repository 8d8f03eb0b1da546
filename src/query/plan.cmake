# EXPLAIN analysis (plan trees and findings for SQLite and PostgreSQL); include()d from
# src/query/CMakeLists.txt, so paths are relative to src/query.
fastbreak_module(query_plan
  SOURCES plan.cpp plan_sqlite.cpp plan_postgres.cpp
  DEPS fastbreak_query_lint fastbreak_db fastbreak_core nlohmann_json::nlohmann_json)
