# The L1 cache's admission/eviction policy, the trace readers and the trace simulator
# (`fastbreak bench cache-sim`). No JSON or server dependencies: the L1 links against it.
fastbreak_module(cache_policy
  SOURCES policy.cpp policy_table.cpp policy_lru.cpp policy_lirs.cpp policy_sketch.cpp
    policy_tinylfu.cpp policy_adaptive.cpp trace.cpp cache_sim.cpp
  DEPS fastbreak_core ZLIB::ZLIB PkgConfig::LZMA)

fastbreak_test(cache_policy_test SOURCES policy_test.cpp trace_test.cpp
  DEPS fastbreak_cache_policy)
# Replays the real traces of ../shared/traces; skipped when they are absent.
fastbreak_test(cache_sim_test SOURCES cache_sim_test.cpp DEPS fastbreak_cache_policy
  LABEL traces TIMEOUT 900)
fastbreak_benchmark(policy_benchmark SOURCES policy_benchmark.cpp DEPS fastbreak_cache_policy)
