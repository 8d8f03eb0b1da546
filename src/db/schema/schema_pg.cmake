# The NBA schema and its migrations on a real PostgreSQL (started by the test). Included from
# src/db/CMakeLists.txt; paths are relative to src/db.
fastbreak_test(schema_pgtest
  SOURCES schema/migrations_pgtest.cpp
  DEPS fastbreak_db fastbreak_db_postgres fastbreak_testing
  LABEL postgres
  TIMEOUT 120)
