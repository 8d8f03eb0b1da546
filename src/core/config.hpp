// One loader for settings: YAML file, then FASTBREAK_* environment, then command-line flags,
// each overriding the one before. Options live in plain structs; a module exposes its struct's
// fields by binding them to dotted keys ("server.port"). Unknown keys are rejected by name.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace fastbreak {

// FASTBREAK_* environment variables that are not settings: FASTBREAK_TEST_* (servers the test
// harness started) and FASTBREAK_SHARED_DATA (where tests find real data).
bool IsNonConfigVariable(std::string_view name);

class ConfigLoader {
 public:
  using Target = std::variant<std::string*, int*, int64_t*, size_t*, double*, bool*>;

  // Registers `target` under `key` ("section.name", lower_snake_case). The pointee keeps its
  // current value as the default. REQUIRES: target outlives this loader; key unique.
  void Bind(std::string key, Target target, std::string help);

  // Reads a YAML mapping of sections to scalars. A key that is not bound is an error naming it
  // ("unknown config key 'server.prot' in fastbreak.yaml"); so is a value of the wrong type.
  Status LoadFile(const std::string& path);
  Status LoadYaml(std::string_view text, std::string_view source_name);

  // FASTBREAK_SERVER_PORT=9000 sets server.port. `environ` is a null-terminated array of
  // "NAME=value" strings. Every FASTBREAK_* variable must name a bound key (a typo such as
  // FASTBREAK_SEVRER_PORT is an error naming it), except the test harness's own variables
  // (see IsNonConfigVariable).
  Status LoadEnvironment(const char* const* environ);

  // Sets one key from text. `source` names where the value came from, for error messages.
  Status Set(std::string_view key, std::string_view value, std::string_view source);

  // The effective configuration as YAML, with each key's help as a comment.
  std::string Dump() const;

  std::vector<std::string> Keys() const;

 private:
  struct Entry {
    Target target;
    std::string help;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace fastbreak
