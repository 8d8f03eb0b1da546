# The in-process L1 cache and the layered cache (L1 -> L2 -> compute) with single flight,
# tags, invalidation and analytics.
fastbreak_module(cache SOURCES l1_cache.cpp layered_cache.cpp cache_stats.cpp
  DEPS fastbreak_cache_policy fastbreak_core fastbreak_telemetry Threads::Threads)

fastbreak_test(cache_test SOURCES l1_cache_test.cpp layered_cache_test.cpp DEPS fastbreak_cache)
fastbreak_benchmark(cache_benchmark SOURCES cache_benchmark.cpp DEPS fastbreak_cache)
