# The PostgreSQL backend and the pools, and the service's tests against real PostgreSQL
# servers (a primary and two streaming replicas).
target_link_libraries(fastbreak_app PUBLIC fastbreak_db_postgres fastbreak_db_pool)

fastbreak_test(app_pgtest SOURCES service_pgtest.cpp
  DEPS fastbreak_app fastbreak_nba_testing fastbreak_testing
  LABEL postgres TIMEOUT 600 NOT_UNDER_SANITIZERS)
