# Schema information, the shape of SQL statements (sql_model) and the query lint; include()d
# from src/query/CMakeLists.txt, so paths are relative to src/query.
fastbreak_module(query_lint
  SOURCES schema_info.cpp sql_model.cpp lint.cpp
  DEPS fastbreak_db fastbreak_core PgQuery::pg_query nlohmann_json::nlohmann_json)

fastbreak_test(query_lint_test
  SOURCES sql_model_test.cpp lint_test.cpp
  DEPS fastbreak_query_lint
  LABEL sqlite TIMEOUT 120)

fastbreak_test(query_lint_pgtest
  SOURCES schema_info_pgtest.cpp
  DEPS fastbreak_query_lint fastbreak_db_postgres fastbreak_testing
  LABEL postgres TIMEOUT 300)
