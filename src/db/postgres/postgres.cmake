# The PostgreSQL driver (libpq) and its tests; include()d from src/db/CMakeLists.txt, so paths
# are relative to src/db.
fastbreak_module(db_postgres
  SOURCES
    postgres/postgres_database.cpp
    postgres/postgres_connection.cpp
    postgres/postgres_statement.cpp
    postgres/postgres_pipeline.cpp
    postgres/postgres_sql.cpp
  DEPS fastbreak_db PkgConfig::LIBPQ)

# Placeholder rewriting, the untrusted-SQL checks and the SQLSTATE classes: no server needed.
fastbreak_test(db_postgres_unit_test
  SOURCES postgres/postgres_sql_test.cpp
  DEPS fastbreak_db_postgres)

fastbreak_test(db_postgres_test
  SOURCES
    postgres/postgres_server_pgtest.cpp
    postgres/postgres_pgtest.cpp
    postgres/postgres_work_pgtest.cpp
    postgres/postgres_untrusted_pgtest.cpp
  DEPS fastbreak_db_postgres fastbreak_testing
  LABEL postgres TIMEOUT 300)
