# Helpers that give every fastbreak target the same flags, and register tests and
# benchmarks with ctest under a label that says what they need.

set(FASTBREAK_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
# g++ 12 at -O2/-O3 reports -Wrestrict on std::string concatenation inside libstdc++
# ("literal" + str), a known false positive (GCC bug 105329); the warning stays on for clang
# and other compilers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND FASTBREAK_WARNINGS -Wno-restrict)
endif()
if(FASTBREAK_WERROR)
  list(APPEND FASTBREAK_WARNINGS -Werror)
endif()

set(FASTBREAK_SANITIZER_FLAGS "")
if(FASTBREAK_SANITIZE)
  set(FASTBREAK_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
elseif(FASTBREAK_TSAN)
  set(FASTBREAK_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
endif()
if(FASTBREAK_SANITIZER_FLAGS)
  add_compile_options(${FASTBREAK_SANITIZER_FLAGS})
  add_link_options(${FASTBREAK_SANITIZER_FLAGS})
endif()

# fastbreak_module(<name> SOURCES ... [DEPS ...]) -> static library fastbreak_<name>
function(fastbreak_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(fastbreak_${name} STATIC ${ARG_SOURCES})
  target_include_directories(fastbreak_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(fastbreak_${name} PRIVATE ${FASTBREAK_WARNINGS})
  target_link_libraries(fastbreak_${name} PUBLIC ${ARG_DEPS})
endfunction()

# Every test binary, so that a sanitizer build can build the tests and nothing else; and the
# ones the sanitizer run of `make test` builds (all but those marked NOT_UNDER_SANITIZERS).
add_custom_target(fastbreak_tests)
add_custom_target(fastbreak_sanitizer_tests)

# fastbreak_test(<name> SOURCES ... DEPS ... [LABEL unit|sqlite|redis|postgres|e2e] [TIMEOUT s]
#                [NOT_UNDER_SANITIZERS])
# NOT_UNDER_SANITIZERS: left out of `make test`'s ASan run (label no-sanitizers added), for
# tests whose code under test runs under ASan through other tests and whose own build and run
# would cost minutes there (whole-service tests over real servers).
function(fastbreak_test name)
  cmake_parse_arguments(ARG "NOT_UNDER_SANITIZERS" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${FASTBREAK_WARNINGS})
  # Under ASan the test code itself is built at -O0: instrumented -O1 code takes about twice as
  # long to compile, and the code under test (the libraries) keeps -O1.
  if(FASTBREAK_SANITIZE)
    target_compile_options(${name} PRIVATE -O0)
  endif()
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} fastbreak_testing GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
  add_dependencies(fastbreak_tests ${name})
  if(ARG_NOT_UNDER_SANITIZERS)
    list(APPEND ARG_LABEL no-sanitizers)
  else()
    add_dependencies(fastbreak_sanitizer_tests ${name})
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# fastbreak_benchmark(<name> SOURCES ... DEPS ...): a Google Benchmark binary, also run once
# in ctest (label "bench-smoke") so that benchmarks never rot.
function(fastbreak_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${FASTBREAK_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark_main)
  add_test(NAME ${name}_smoke COMMAND ${name} --benchmark_min_time=0.001)
  set_tests_properties(${name}_smoke PROPERTIES LABELS bench-smoke TIMEOUT 300)
endfunction()
