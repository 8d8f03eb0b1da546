# Schema information, the shape of SQL statements (sql_model) and the query lint; include()d
# from src/query/CMakeLists.txt, so paths are relative to src/query.
fastbreak_module(query_lint
  SOURCES schema_info.cpp sql_model.cpp lint.cpp
  DEPS fastbreak_db fastbreak_core PgQuery::pg_query nlohmann_json::nlohmann_json)
