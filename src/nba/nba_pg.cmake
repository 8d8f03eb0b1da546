# The tools against PostgreSQL: every catalog tool, resource, prompt and completion answers the
# same on SQLite and on a real PostgreSQL (started by the test). Included from
# src/nba/CMakeLists.txt.
fastbreak_test(nba_cross_backend_pgtest
  SOURCES cross_backend_pgtest.cpp
  DEPS fastbreak_nba_testing fastbreak_db_postgres
  LABEL postgres
  TIMEOUT 300
  NOT_UNDER_SANITIZERS)
