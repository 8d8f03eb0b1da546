# The Redis second level (RedisCache), the invalidation bus (RedisBus) and the client they
# share (pool, timeouts, circuit breaker).
fastbreak_module(cache_redis
  SOURCES redis_client.cpp redis_cache.cpp redis_bus.cpp
  DEPS fastbreak_core fastbreak_telemetry PkgConfig::HIREDIS PkgConfig::LZ4 OpenSSL::Crypto Threads::Threads)

fastbreak_test(cache_redis_test SOURCES redis_redistest.cpp DEPS fastbreak_cache_redis
  LABEL redis TIMEOUT 300)

fastbreak_benchmark(redis_benchmark SOURCES redis_benchmark.cpp
  DEPS fastbreak_cache_redis fastbreak_testing)
