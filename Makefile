# fastbreak — the two commands a new user types are `make run` and `make test`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FASTBREAK := build/release/fastbreak
DB ?= data/fastbreak.db
HOST ?= 127.0.0.1
PORT ?= 8080
CTEST := ctest --output-on-failure --no-tests=error -j$(JOBS)

.PHONY: run test build deps test-deps build-asan test-release test-asan test-tsan bench format \
        format-check tidy clean help

help:
	@echo "make run     install dependencies, build, generate a demo league, serve on $(HOST):$(PORT)"
	@echo "make test    install dependencies, build (release + ASan/UBSan) and run every test"
	@echo "make build   release binary at $(FASTBREAK)"
	@echo "make bench   run the Google Benchmark suites (release build)"
	@echo "make format  clang-format every C++ file;  make tidy  clang-tidy-16 over src/"

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j$(JOBS)

run: build
	@mkdir -p $(dir $(DB))
	@# Generated aside and moved into place, so an interrupted run never leaves a partial league.
	@test -f $(DB) || { rm -f $(DB).tmp $(DB).tmp-*; \
	  $(FASTBREAK) generate --db $(DB).tmp --seasons 3 && mv $(DB).tmp $(DB); }
	exec $(FASTBREAK) serve --db $(DB) --host $(HOST) --port $(PORT)

# The test binaries only: the ASan run skips benchmarks and end-to-end tests.
build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j$(JOBS) --target fastbreak_sanitizer_tests

# Every label in the release build, then the unit and database tests again under ASan+UBSan.
test: test-deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory build-asan
	@$(MAKE) --no-print-directory test-release
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan

test-release:
	@echo "== tests (release) =="
	@cd build/release && $(CTEST)

test-asan:
	@echo "== tests (asan+ubsan) =="
	@cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) -LE 'bench-smoke|e2e|no-sanitizers'

# The tests of the concurrent parts (metrics, HTTP server, health monitor, the executor that
# runs tool calls, the cache and its Redis level, the connection pools) under ThreadSanitizer.
TSAN_TESTS := telemetry_test http_test app_test executor_test cache_test cache_redis_test \
  db_pool_test
test-tsan: deps
	@echo "== tests (tsan: $(TSAN_TESTS)) =="
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j$(JOBS) --target $(TSAN_TESTS)
	@cd build/tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  $(CTEST) -R '^($(subst $(eval) ,|,$(TSAN_TESTS)))$$'

bench: build
	@for b in $$(find build/release/src -name '*_benchmark' -type f -executable); do \
	  echo "== $$b"; $$b --benchmark_min_time=0.2; done

format:
	@find src tests -name '*.cpp' -o -name '*.hpp' | grep -v node_modules | xargs clang-format-16 -i

format-check:
	@find src tests -name '*.cpp' -o -name '*.hpp' | grep -v node_modules | \
	  xargs clang-format-16 --dry-run --Werror

tidy: build
	@find src -name '*.cpp' | xargs clang-tidy-16 -p build/release --quiet

clean:
	rm -rf build
