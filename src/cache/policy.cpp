#include "cache/policy.hpp"

#include <algorithm>

#include "cache/policy_adaptive.hpp"
#include "cache/policy_lru.hpp"

namespace fastbreak::cache {

std::optional<PolicyKind> ParsePolicyKind(std::string_view name) {
  if (name == "fastbreak" || name == "adaptive") return PolicyKind::kAdaptive;
  if (name == "lru") return PolicyKind::kLru;
  return std::nullopt;
}

std::string_view PolicyKindName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kAdaptive:
      return "fastbreak";
    case PolicyKind::kLru:
      return "lru";
  }
  return "unknown";
}

std::unique_ptr<Policy> MakePolicy(PolicyKind kind, size_t capacity) {
  capacity = std::max<size_t>(capacity, 1);
  switch (kind) {
    case PolicyKind::kAdaptive:
      return std::make_unique<detail::AdaptivePolicy>(capacity);
    case PolicyKind::kLru:
      return std::make_unique<detail::LruPolicy>(capacity);
  }
  return std::make_unique<detail::LruPolicy>(capacity);
}

}  // namespace fastbreak::cache
