#include "core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace fastbreak {
namespace {

template <typename Int>
Status ParseInt(std::string_view text, Int* out, std::string_view key, std::string_view source) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "config key '{}' from {}: '{}' is not an integer",
                     key, source, text);
  }
  *out = value;
  return Ok();
}

Status ParseValue(const ConfigLoader::Target& target, std::string_view text, std::string_view key,
                  std::string_view source) {
  if (auto* s = std::get_if<std::string*>(&target)) {
    **s = std::string(text);
    return Ok();
  }
  if (auto* i = std::get_if<int*>(&target)) return ParseInt(text, *i, key, source);
  if (auto* l = std::get_if<int64_t*>(&target)) return ParseInt(text, *l, key, source);
  if (auto* z = std::get_if<size_t*>(&target)) return ParseInt(text, *z, key, source);
  if (auto* d = std::get_if<double*>(&target)) {
    std::string copy(text);
    char* end = nullptr;
    double value = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size()) {
      return MakeError(ErrorCode::kInvalidArgument, "config key '{}' from {}: '{}' is not a number",
                       key, source, text);
    }
    **d = value;
    return Ok();
  }
  auto* b = std::get<bool*>(target);
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
    *b = true;
  } else if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
    *b = false;
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     "config key '{}' from {}: '{}' is not a boolean (true/false)", key, source,
                     text);
  }
  return Ok();
}

std::string ValueText(const ConfigLoader::Target& target) {
  return std::visit(
      [](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return fmt::format("\"{}\"", *p);
        } else if constexpr (std::is_same_v<T, bool>) {
          return *p ? "true" : "false";
        } else {
          return fmt::format("{}", *p);
        }
      },
      target);
}

}  // namespace

bool IsNonConfigVariable(std::string_view name) {
  return name.starts_with("FASTBREAK_TEST_") || name == "FASTBREAK_SHARED_DATA";
}

void ConfigLoader::Bind(std::string key, Target target, std::string help) {
  entries_.insert_or_assign(std::move(key), Entry{target, std::move(help)});
}

Status ConfigLoader::Set(std::string_view key, std::string_view value, std::string_view source) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return MakeError(ErrorCode::kInvalidArgument, "unknown config key '{}' in {}", key, source);
  }
  return ParseValue(it->second.target, value, key, source);
}

Status ConfigLoader::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot open config file '{}'", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return LoadYaml(buffer.str(), path);
}

Status ConfigLoader::LoadYaml(std::string_view text, std::string_view source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorCode::kParseError, "{}: line {}: {}", source_name, e.mark.line + 1,
                     e.msg);
  }
  if (root.IsNull()) return Ok();
  if (!root.IsMap()) {
    return MakeError(ErrorCode::kParseError, "{}: top level must be a mapping of sections",
                     source_name);
  }
  for (const auto& section : root) {
    if (!section.first.IsScalar()) {
      return MakeError(ErrorCode::kParseError, "{}: section names must be plain words",
                       source_name);
    }
    const std::string& section_name = section.first.Scalar();
    if (!section.second.IsMap()) {
      return MakeError(ErrorCode::kInvalidArgument, "{}: '{}' must be a mapping of keys",
                       source_name, section_name);
    }
    for (const auto& item : section.second) {
      if (!item.first.IsScalar()) {
        return MakeError(ErrorCode::kParseError, "{}: keys of '{}' must be plain words",
                         source_name, section_name);
      }
      const std::string key = section_name + "." + item.first.Scalar();
      if (!item.second.IsScalar()) {
        return MakeError(ErrorCode::kInvalidArgument, "{}: config key '{}' must be a scalar",
                         source_name, key);
      }
      FB_RETURN_IF_ERROR(Set(key, item.second.Scalar(), source_name));
    }
  }
  return Ok();
}

Status ConfigLoader::LoadEnvironment(const char* const* environ) {
  constexpr std::string_view kPrefix = "FASTBREAK_";
  for (; environ != nullptr && *environ != nullptr; ++environ) {
    const std::string_view entry(*environ);
    const auto eq = entry.find('=');
    if (!entry.starts_with(kPrefix) || eq == std::string_view::npos) continue;
    const std::string_view variable = entry.substr(0, eq);
    if (IsNonConfigVariable(variable)) continue;
    // FASTBREAK_SERVER_IO_THREADS -> server.io_threads: the section is the part before the
    // first '_' after the prefix.
    std::string name(variable.substr(kPrefix.size()));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto sep = name.find('_');
    const std::string key =
        sep == std::string::npos ? name : name.substr(0, sep) + "." + name.substr(sep + 1);
    FB_RETURN_IF_ERROR(
        Set(key, entry.substr(eq + 1), "environment variable " + std::string(variable)));
  }
  return Ok();
}

std::string ConfigLoader::Dump() const {
  std::string out;
  std::string section;
  for (const auto& [key, entry] : entries_) {
    const auto dot = key.find('.');
    const std::string this_section = key.substr(0, dot);
    if (this_section != section) {
      section = this_section;
      out += section + ":\n";
    }
    out +=
        fmt::format("  # {}\n  {}: {}\n", entry.help, key.substr(dot + 1), ValueText(entry.target));
  }
  return out;
}

std::vector<std::string> ConfigLoader::Keys() const {
  std::vector<std::string> keys;
  keys.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) keys.push_back(key);
  return keys;
}

}  // namespace fastbreak
