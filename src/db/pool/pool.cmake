# Connection pools and the replica router; include()d from src/db/CMakeLists.txt, so paths are
# relative to src/db.
fastbreak_module(db_pool
  SOURCES pool/pool.cpp pool/pool_maintenance.cpp pool/router.cpp
  DEPS fastbreak_db fastbreak_telemetry Threads::Threads)

fastbreak_test(db_pool_test
  SOURCES pool/pool_test.cpp pool/router_test.cpp
  DEPS fastbreak_db_pool
  LABEL sqlite)

fastbreak_test(db_pool_pgtest
  SOURCES pool/pool_pgtest.cpp pool/router_pgtest.cpp
  DEPS fastbreak_db_pool fastbreak_db_postgres fastbreak_testing
  LABEL postgres TIMEOUT 300)

fastbreak_benchmark(pool_benchmark
  SOURCES pool/pool_benchmark.cpp
  DEPS fastbreak_db_pool fastbreak_testing)
